"""Clean-up that spans apps: stored files whose database row is gone (an upload interrupted, a
transaction rolled back, a deletion that died half-way) are found and removed."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from cohort.models import Evidence
from cohort.periodic import periodic
from media_feedback import storage as clip_storage
from media_feedback.models import Clip

log = logging.getLogger(__name__)

# Younger files are left alone: their row may still be on its way (a transaction not yet committed).
GRACE = timedelta(hours=1)


def _old_enough(name: str, now: datetime) -> bool:
    try:
        return default_storage.get_modified_time(name) < now - GRACE
    except (FileNotFoundError, NotImplementedError, OSError):
        return True


def _subdirs(prefix: str) -> list[str]:
    try:
        dirs, _files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return dirs


def orphaned_files(now: datetime | None = None) -> list[str]:
    now = now or timezone.now()
    orphans: list[str] = []
    # Clips: everything of a clip lives under clips/<public_id>/.
    ids = _subdirs("clips/")
    valid = {
        str(u)
        for u in Clip.objects.filter(public_id__in=[i for i in ids if _is_uuid(i)]).values_list("public_id", flat=True)
    }
    for name in ids:
        if name not in valid:
            orphans += [f for f in clip_storage.list_files(f"clips/{name}/") if _old_enough(f, now)]
    # Evidence files: referenced by exactly one Evidence row each.
    referenced = set(Evidence.objects.exclude(file="").values_list("file", flat=True))
    for folder in _subdirs("evidence/"):
        orphans += [
            f for f in clip_storage.list_files(f"evidence/{folder}/") if f not in referenced and _old_enough(f, now)
        ]
    return orphans


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def next_orphan_sweep() -> datetime:
    return timezone.now() + timedelta(hours=6)


def orphaned_multipart_uploads(now: datetime | None = None) -> list[tuple[str, str]]:
    """S3 multipart uploads that no clip still receiving owns (a creation rolled back after the
    upload began, a deletion that died before aborting it)."""
    now = now or timezone.now()
    live = set(
        Clip.objects.filter(status=Clip.Status.RECEIVING)
        .exclude(s3_upload_id="")
        .values_list("s3_upload_id", flat=True)
    )
    return clip_storage.stale_multipart_uploads(live, now - GRACE)


@periodic(next_orphan_sweep)
def remove_orphaned_files() -> int:
    names = orphaned_files()
    for name in names:
        default_storage.delete(name)
    uploads = orphaned_multipart_uploads()
    clip_storage.abort_stale_multipart_uploads(uploads)
    log.info("removed %d stored files and %d multipart uploads that had no database row", len(names), len(uploads))
    return len(names) + len(uploads)
