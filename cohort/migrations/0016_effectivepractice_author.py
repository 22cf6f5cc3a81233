import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def attach_authors(apps, schema_editor):
    """An example marked from a post is the post's writer's words; any other is its adder's."""
    EffectivePractice = apps.get_model("cohort", "EffectivePractice")
    Post = apps.get_model("discussions", "Post")
    EffectivePractice.objects.update(author_id=models.F("created_by_id"))
    for practice_id, author_id in Post.objects.exclude(practice=None).values_list("practice_id", "author_id"):
        EffectivePractice.objects.filter(pk=practice_id).update(author_id=author_id)


class Migration(migrations.Migration):

    dependencies = [
        ('cohort', '0015_merge_20261206_0809'),
        ('discussions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='effectivepractice',
            name='author',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(attach_authors, migrations.RunPython.noop),
    ]
