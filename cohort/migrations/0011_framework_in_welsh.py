from django.db import migrations


def add_welsh(apps, schema_editor):
    from cohort.framework_data import add_welsh

    add_welsh(apps)


class Migration(migrations.Migration):
    """The framework's areas, criteria and nation notes in Welsh, where a row has no Welsh yet."""

    dependencies = [("cohort", "0010_languages")]

    operations = [migrations.RunPython(add_welsh, migrations.RunPython.noop)]
