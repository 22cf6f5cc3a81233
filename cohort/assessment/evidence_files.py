"""What an evidence file may be: documents and images, recognised by their content, not their name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

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


def _sniff_zip(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace")
                return "odf" if mimetype.startswith("application/vnd.oasis.opendocument") else None
            if "[Content_Types].xml" in names:
                for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, KeyError):
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
        raise ValidationError("The file is empty.")
    if upload.size > MAX_EVIDENCE_BYTES:
        limit = MAX_EVIDENCE_BYTES // (1024 * 1024)
        raise ValidationError(f"The file is larger than {limit} MB. Link to it instead, or attach a smaller file.")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = _sniff(upload)
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            "That file is not a document or image we accept (PDF, Word, Excel, PowerPoint, OpenDocument, "
            "text, CSV, PNG, JPEG, GIF or WebP)."
        )
    content_type, extensions = KINDS[kind]
    if extension not in extensions:
        raise ValidationError(
            f"The file's name ends in “.{extension}” but its content is not that kind of file. "
            "Check you chose the right file."
        )
    return Checked(kind=kind, content_type=content_type)
