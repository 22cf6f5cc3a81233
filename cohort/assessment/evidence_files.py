"""What an evidence file may be: documents and images, recognised by their content, not their name."""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _, gettext_lazy

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

# Detected kind → (content type to serve, extensions a file of that kind may carry)
KINDS: dict[str, tuple[str, set[str]]] = {
    "pdf": ("application/pdf", {"pdf"}),
    "png": ("image/png", {"png"}),
    "jpeg": ("image/jpeg", {"jpg", "jpeg"}),
    "gif": ("image/gif", {"gif"}),
    "webp": ("image/webp", {"webp"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", {"pptx"}),
    "odf": ("application/vnd.oasis.opendocument", {"odt", "ods", "odp"}),
    "ole": ("application/octet-stream", {"doc", "xls", "ppt"}),
    "text": ("text/plain", {"txt", "csv", "md"}),
}
ALLOWED_EXTENSIONS = sorted(ext for _type, exts in KINDS.values() for ext in exts)


@dataclass(frozen=True)
class Checked:
    kind: str
    content_type: str


# An office document is a zip archive; telling which kind reads its directory and at most one small
# entry. A crafted archive (a "zip bomb": a small file that inflates to gigabytes, or one with hundreds
# of thousands of entries) is refused instead of being inflated or listed: these bound what one upload
# can make the server read, however the archive is built.
MAX_ARCHIVE_ENTRIES = 10_000  # a large slide deck has a few thousand
MAX_ARCHIVE_DIRECTORY_BYTES = 1024 * 1024  # ~10,000 entries with names of 50 characters
MAX_ENTRY_BYTES = 64 * 1024  # inflated from any one entry (OpenDocument's `mimetype` is ~50 bytes)
MAX_ARCHIVE_READ_BYTES = 256 * 1024  # inflated from one archive in all

OVERSIZED_ARCHIVE = gettext_lazy(
    "That file is a compressed archive whose contents are far larger than a document's, so it was not "
    "saved. Open it in your office program and save it again (or export it as PDF), then attach that."
)
_EOCD = b"PK\x05\x06"  # end of central directory record
_ZIP64_LOCATOR = b"PK\x06\x07"


def _directory_fits(upload: UploadedFile) -> bool:
    """Whether the archive's directory, as its end record declares it, is small enough to list. Zip64
    archives (for files over 4 GB, never a document within the size limit) are not listed at all."""
    upload.seek(0, 2)
    size = upload.tell()
    tail = min(size, 22 + 65_535)  # the end record, and a comment of at most 64 KB after it
    upload.seek(size - tail)
    data = upload.read(tail)
    at = data.rfind(_EOCD)
    if at < 0 or len(data) - at < 22:
        return True  # no end record: zipfile refuses it as a bad archive without listing anything
    if at >= 20 and data[at - 20 : at - 16] == _ZIP64_LOCATOR:
        return False
    entries, directory_bytes = struct.unpack("<HI", data[at + 10 : at + 16])
    return entries <= MAX_ARCHIVE_ENTRIES and directory_bytes <= MAX_ARCHIVE_DIRECTORY_BYTES


class _BoundedArchive:
    """Reads entries of a zip archive, inflating at most MAX_ENTRY_BYTES of each and
    MAX_ARCHIVE_READ_BYTES in all; past either, ValidationError(OVERSIZED_ARCHIVE)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.left = MAX_ARCHIVE_READ_BYTES

    def read(self, name: str) -> bytes:
        info = self.archive.getinfo(name)
        limit = min(MAX_ENTRY_BYTES, self.left)
        if info.file_size > limit:  # what the archive declares
            raise ValidationError(OVERSIZED_ARCHIVE)
        with self.archive.open(info) as entry:
            data = entry.read(limit + 1)  # what it inflates to, read no further than the limit
        if len(data) > limit:
            raise ValidationError(OVERSIZED_ARCHIVE)
        self.left -= len(data)
        return data


def _understated(info: zipfile.ZipInfo) -> bool:
    """An entry whose compressed data is larger than the size it declares, by more than compression can
    add (deflate adds a few bytes per 16 KB block): its declared size is a lie, and what it really
    inflates to is unknown (a zip bomb that reads as small)."""
    return info.compress_size > info.file_size + info.file_size // 100 + 1024


def _sniff_zip(upload: UploadedFile) -> str | None:
    """The kind of office document a zip archive holds, or None. Raises ValidationError for an archive
    too large to look into (see MAX_ARCHIVE_ENTRIES and the read limits)."""
    if not _directory_fits(upload):
        raise ValidationError(OVERSIZED_ARCHIVE)
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            if len(archive.filelist) > MAX_ARCHIVE_ENTRIES:  # the directory held more than its end record said
                raise ValidationError(OVERSIZED_ARCHIVE)
            if any(_understated(info) for info in archive.filelist):
                raise ValidationError(OVERSIZED_ARCHIVE)
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = _BoundedArchive(archive).read("mimetype").decode("ascii", "replace")
                return "odf" if mimetype.startswith("application/vnd.oasis.opendocument") else None
            if "[Content_Types].xml" in names:
                for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                    if any(name.startswith(prefix) for name in names):
                        return kind
    # A damaged, encrypted or oddly compressed archive is not a document we can accept.
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, RuntimeError, NotImplementedError, ValueError, zlib.error):
        return None
    return None


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(4096)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(upload)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut by the 4 KB window is still text.
            if error.start < len(head) - 3:
                return None
        return "text"
    return None


def check_evidence_file(upload: UploadedFile) -> Checked:
    """Raise ValidationError unless the upload is a document or image within the size limit."""
    name = upload.name or ""
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if upload.size > MAX_EVIDENCE_BYTES:
        limit = MAX_EVIDENCE_BYTES // (1024 * 1024)
        raise ValidationError(
            _("The file is larger than %(limit)s MB. Link to it instead, or attach a smaller file.") % {"limit": limit}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = _sniff(upload)
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            _(
                "That file is not a document or image we accept (PDF, Word, Excel, PowerPoint, OpenDocument, "
                "text, CSV, PNG, JPEG, GIF or WebP)."
            )
        )
    content_type, extensions = KINDS[kind]
    if extension not in extensions:
        raise ValidationError(
            _(
                "The file's name ends in “.%(extension)s” but its content is not that kind of file. "
                "Check you chose the right file."
            )
            % {"extension": extension}
        )
    return Checked(kind=kind, content_type=content_type)
