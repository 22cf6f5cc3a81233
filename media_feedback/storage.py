"""Where a clip's bytes live: a private store (filesystem or S3) reached only through these helpers.

An upload in progress is appended to a private temporary file under MEDIA_ROOT/uploads-partial/
(never in memory); once complete it moves into the store under `clips/<public id>/`. Every file of
a clip lives under that prefix, so deleting the prefix deletes the clip's every byte.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage

from media_feedback.models import Clip


def store() -> Storage:
    return default_storage


def is_local() -> bool:
    try:
        store().path("x")
    except NotImplementedError:
        return False
    return True


def partial_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "uploads-partial"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def partial_path(clip: Clip) -> Path:
    return partial_dir() / f"{clip.public_id}.part"


def put(name: str, local: Path) -> str:
    """Store a local file under exactly `name` (replacing what was there: steps are idempotent)."""
    s = store()
    if s.exists(name):
        s.delete(name)
    with local.open("rb") as fh:
        saved = s.save(name, File(fh, name=os.path.basename(name)))
    if saved != name:  # pragma: no cover - the store renamed it: refuse to lose track of a file
        s.delete(saved)
        raise RuntimeError(f"storage saved {saved!r} instead of {name!r}")
    return name


def move_in(name: str, local: Path) -> str:
    """Move a finished upload into the store without copying it through memory."""
    s = store()
    if is_local():
        target = Path(s.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(local, target)
        return name
    put(name, local)
    local.unlink(missing_ok=True)
    return name


@contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """A path PyAV can read: the file itself on the filesystem, a temporary download on S3."""
    s = store()
    if is_local():
        yield Path(s.path(name))
        return
    with tempfile.TemporaryDirectory(prefix="clip-") as tmp:
        path = Path(tmp) / os.path.basename(name)
        with s.open(name, "rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield path


def list_files(prefix: str) -> list[str]:
    """Every stored name under a prefix (recursively)."""
    s = store()
    try:
        dirs, files = s.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"{prefix.rstrip('/')}/{f}" for f in files]
    for d in dirs:
        names.extend(list_files(f"{prefix.rstrip('/')}/{d}/"))
    return names


def delete_clip_files(clip: Clip) -> None:
    """Delete every stored file of the clip and any partial upload."""
    s = store()
    for name in list_files(clip.storage_prefix):
        s.delete(name)
    for name in (clip.original_name, clip.rendition_name, clip.redacted_rendition_name, clip.poster_name):
        if name and s.exists(name):
            s.delete(name)
    if is_local():
        shutil.rmtree(s.path(clip.storage_prefix), ignore_errors=True)
    partial_path(clip).unlink(missing_ok=True)
