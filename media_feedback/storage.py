"""Where a clip's bytes live: a private store (filesystem or S3) reached only through these helpers.

An upload in progress goes to the store as it arrives, never whole through memory:

- on the filesystem, each chunk is appended to a private file under MEDIA_ROOT/uploads-partial/,
  which moves into the store under `clips/<public id>/` once the last byte is in;
- on S3, the upload is an S3 multipart upload begun when the upload is created: chunks gather in
  that private file only until they make a part (S3 takes parts of at least 5 MiB, except the last),
  which is then sent and the file reused, so local disk holds at most about one part per upload.
  The last byte completes the multipart upload; an abandoned, refused or expired upload aborts it.

Every file of a clip lives under `clips/<public id>/`, so deleting the prefix deletes the clip's
every byte.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from storages.utils import clean_name

from media_feedback.models import Clip

log = logging.getLogger(__name__)

# S3 refuses a part under 5 MiB unless it is the last one.
S3_MIN_PART = 5 * 1024 * 1024
READ_PIECE = 256 * 1024


def store_errors() -> tuple[type[Exception], ...]:
    """What a store operation may raise when the store cannot be reached (botocore loads only on S3)."""
    if is_local():
        return (OSError,)
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError, OSError)


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
    """Move a finished upload into the store without copying it through memory. On the filesystem
    the bytes and the rename reach the disk before this returns, so a clip recorded as received
    survives a crash of the machine."""
    s = store()
    if is_local():
        target = Path(s.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        with local.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(local, target)
        _fsync_directory(target.parent)
        return name
    put(name, local)
    local.unlink(missing_ok=True)
    return name


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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


def original_name(clip: Clip) -> str:
    return f"{clip.storage_prefix}original"


def _s3_target(name: str) -> tuple[Any, str, str]:
    """The boto3 client, bucket and object key django-storages would use for `name`."""
    s: Any = store()
    return s.connection.meta.client, s.bucket_name, s._normalize_name(clean_name(name))


def begin_upload(clip: Clip) -> None:
    """A new upload: an empty private file and, on S3, a multipart upload for the original.

    Sets the clip's upload fields; the caller saves them. May raise one of store_errors()."""
    partial_path(clip).write_bytes(b"")
    clip.s3_upload_id = ""
    clip.s3_parts = []
    if not is_local():
        client, bucket, key = _s3_target(original_name(clip))
        made = client.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/octet-stream")
        clip.s3_upload_id = made["UploadId"]


def sent_bytes(clip: Clip) -> int:
    """How many bytes of the upload are already in the store as multipart parts."""
    return sum(int(part["Size"]) for part in clip.s3_parts)


def append_chunk(clip: Clip, offset: int, read: Any, size: int) -> int:
    """Append up to `size` bytes from `read(n)` at upload offset `offset`; returns how many arrived.

    On S3 a part is sent as soon as the held bytes make one; the clip's `s3_parts` then grows (the
    caller saves it with the new offset, in the same transaction). Bytes held from a part that was
    sent but never recorded (a transaction rolled back) are simply sent again under the same part
    number, which replaces it. May raise one of store_errors()."""
    held_from = offset - sent_bytes(clip)
    if held_from < 0:  # pragma: no cover - the offset check in the view makes this impossible
        raise ValueError("offset before the bytes already sent")
    received = 0
    with _held_file(partial_path(clip), held_from) as fh:
        while received < size:
            piece = read(min(READ_PIECE, size - received))
            if not piece:
                break
            fh.write(piece)
            received += len(piece)
    if clip.s3_upload_id and held_from + received >= S3_MIN_PART:
        _send_part(clip, held_from + received)
    return received


def _held_file(path: Path, keep: int) -> BinaryIO:
    """The partial file, open for writing at `keep`; bytes after it (from a chunk that was never
    acknowledged, or a part already sent to S3) are dropped. Truncation only when there is something
    to drop, and a new file rather than a truncation to nothing: on ext4 a truncate starts writing
    the file out at once, which made every chunk's writes up to ten times slower."""
    size = path.stat().st_size
    if keep == 0 and size:
        path.unlink()
        path.write_bytes(b"")
    fh = path.open("r+b")
    if 0 < keep < size:
        fh.truncate(keep)
    fh.seek(keep)
    return fh


def _send_part(clip: Clip, length: int) -> None:
    path = partial_path(clip)
    if path.stat().st_size > length:
        with path.open("r+b") as fh:
            fh.truncate(length)
    client, bucket, key = _s3_target(original_name(clip))
    number = len(clip.s3_parts) + 1
    with path.open("rb") as body:
        sent = client.upload_part(
            Bucket=bucket, Key=key, UploadId=clip.s3_upload_id, PartNumber=number, Body=body, ContentLength=length
        )
    clip.s3_parts = [*clip.s3_parts, {"PartNumber": number, "ETag": sent["ETag"], "Size": length}]


def complete_upload(clip: Clip) -> str:
    """The last byte is in: the original is now a stored file. Returns its name. May raise one of
    store_errors(), in which case the upload is as it was."""
    name = original_name(clip)
    local = partial_path(clip)
    if not clip.s3_upload_id:
        move_in(name, local)
        return name
    held = (clip.upload_length or 0) - sent_bytes(clip)
    if held > 0:
        _send_part(clip, held)
    client, bucket, key = _s3_target(name)
    parts = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in clip.s3_parts]
    client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=clip.s3_upload_id, MultipartUpload={"Parts": parts}
    )
    local.unlink(missing_ok=True)
    clip.s3_upload_id = ""
    clip.s3_parts = []
    return name


def _abort(client: Any, bucket: str, key: str, upload_id: str) -> None:
    """S3 drops the parts sent so far; an upload already gone is no error."""
    from botocore.exceptions import ClientError

    try:
        client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
            raise


def abort_upload(clip: Clip) -> None:
    """Give up the clip's multipart upload in progress, if it has one."""
    if clip.s3_upload_id:
        _abort(*_s3_target(original_name(clip)), clip.s3_upload_id)


def stale_multipart_uploads(live_ids: set[str], older_than: datetime) -> list[tuple[str, str]]:
    """Multipart uploads under clips/ that no receiving clip owns, begun before `older_than`:
    (key, upload id) pairs. Empty on the filesystem."""
    if is_local():
        return []
    client, bucket, prefix = _s3_target("clips/")
    stale: list[tuple[str, str]] = []
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=prefix):
        for upload in page.get("Uploads", []):
            if upload["UploadId"] not in live_ids and upload["Initiated"] < older_than:
                stale.append((upload["Key"], upload["UploadId"]))
    return stale


def abort_stale_multipart_uploads(stale: list[tuple[str, str]]) -> None:
    if not stale:
        return
    client, bucket, _ = _s3_target("clips/")
    for key, upload_id in stale:
        try:
            _abort(client, bucket, key, upload_id)
        except store_errors():
            log.warning("could not abort a stale multipart upload")


def delete_clip_files(clip: Clip) -> None:
    """Delete every stored file of the clip, any multipart upload in progress and any partial file."""
    s = store()
    abort_upload(clip)
    for name in list_files(clip.storage_prefix):
        s.delete(name)
    for name in (clip.original_name, clip.rendition_name, clip.redacted_rendition_name, clip.poster_name):
        if name and s.exists(name):
            s.delete(name)
    if is_local():
        shutil.rmtree(s.path(clip.storage_prefix), ignore_errors=True)
    partial_path(clip).unlink(missing_ok=True)
