from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("media_feedback", "0010_faces_found"),
    ]

    operations = [
        migrations.AddField(
            model_name="clip",
            name="face_checks",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="clip",
            name="face_checks_found",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
