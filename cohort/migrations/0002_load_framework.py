from django.db import migrations


def load(apps, schema_editor):
    from cohort.framework_data import load_framework

    load_framework(apps)


class Migration(migrations.Migration):
    dependencies = [("cohort", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
