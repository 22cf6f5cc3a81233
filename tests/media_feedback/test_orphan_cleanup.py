from __future__ import annotations

import os
import time
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from config.tasks import remove_orphaned_files


def age(root, name: str, hours: float = 2) -> None:
    then = time.time() - hours * 3600
    os.utime(root / name, (then, then))


def test_files_without_a_row_are_removed_and_files_with_one_are_kept(media_root, irwell_link, make_ready_clip) -> None:
    clip, _ = make_ready_clip(irwell_link, share=True)
    kept = default_storage.save(f"{clip.storage_prefix}keep.txt", ContentFile(b"mine"))
    ghost = default_storage.save(f"clips/{uuid.uuid4()}/rendition.m4a", ContentFile(b"rolled back"))
    stray = default_storage.save("evidence/999/forgotten.pdf", ContentFile(b"%PDF-1.4"))
    fresh = default_storage.save(f"clips/{uuid.uuid4()}/still-arriving.part", ContentFile(b"..."))
    for name in (kept, ghost, stray):
        age(media_root, name)

    assert remove_orphaned_files.call() == 2

    assert default_storage.exists(kept)
    assert default_storage.exists(fresh)  # inside the grace period: its row may be on its way
    assert not default_storage.exists(ghost)
    assert not default_storage.exists(stray)
