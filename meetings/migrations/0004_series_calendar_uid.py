"""A series is one recurring event in calendars: it gets its own UID and SEQUENCE.

The UID is added in three steps so that series already saved each get a different one.
"""

import uuid

from django.db import migrations, models


def give_each_series_a_uid(apps, schema_editor):
    MeetingSeries = apps.get_model("meetings", "MeetingSeries")
    for series in MeetingSeries.objects.only("pk"):
        series.uid = uuid.uuid4()
        series.save(update_fields=["uid"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_merge_0002_consultations_0002_meeting_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingseries",
            name="sequence",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="meetingseries",
            name="uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_series_a_uid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meetingseries",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
