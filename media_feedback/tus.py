"""A tus 1.0 server endpoint (core + creation + expiration + termination) for clip uploads.

https://tus.io/protocols/resumable-upload. The upload page gets a signed ticket for one clip (made
when the student consented); POST creates the upload and answers its secret URL; HEAD tells the
client how much has arrived; PATCH appends one chunk at the stated offset. Each chunk is bounded
(CLIP_UPLOAD_CHUNK_BYTES), read in small pieces and appended to the store as it arrives (a private
file on disk, or an S3 multipart upload: see `storage`), so no request holds more than one chunk
(Daphne buffers a whole request body in memory). If the store cannot be reached, the request is
answered 503 and nothing changes: the client retries from the offset HEAD reports.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from cohort import ratelimit
from cohort.models import hash_token
from media_feedback import services, storage, tasks
from media_feedback.language import use_student_language
from media_feedback.models import UPLOAD_LIFETIME, Clip

log = logging.getLogger(__name__)

VERSION = "1.0.0"
EXTENSIONS = "creation,expiration,termination"
# The answers the upload page shows the student are translated; the protocol's own (a wrong method or
# header, which only a client program can get wrong) are for developers and stay English.
STORE_DOWN = gettext_lazy(
    "The upload could not be stored just now. It will carry on by itself; if not, please try again later."
)


def chunk_limit() -> int:
    return int(getattr(settings, "CLIP_UPLOAD_CHUNK_BYTES", 5 * 1024 * 1024))


def _response(status: int, message: str = "", **headers: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = VERSION
    response["Cache-Control"] = "no-store"
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


def parse_metadata(header: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0]:
            continue
        try:
            values[parts[0]] = base64.b64decode(parts[1]).decode() if len(parts) > 1 else ""
        except (binascii.Error, UnicodeDecodeError):
            continue
    return values


def _options() -> HttpResponse:
    return _response(
        204,
        Tus_Version=VERSION,
        Tus_Extension=EXTENSIONS,
        Tus_Max_Size=str(settings.CLIP_UPLOAD_MAX_BYTES),
    )


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    """POST: create an upload. OPTIONS: what this server supports."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        return _response(405, "Use POST to start an upload.", Allow="POST, OPTIONS")
    if request.headers.get("Tus-Resumable") != VERSION:
        return _response(412, "This endpoint speaks tus 1.0.0.", Tus_Version=VERSION)
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        return _response(400, "Upload-Length is required (deferred length is not supported).")
    metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    clip = services.clip_for_ticket(metadata.get("ticket", ""))
    if clip is None:
        return _response(404, _("This upload link has expired. Please open your institution's link again."))
    use_student_language(request, tasks.student_language(clip))
    call = clip.call
    if not call.is_open() or (clip.link is not None and not clip.link.active):
        return _response(403, _("This feedback call is not taking clips at the moment."))
    spoken = metadata.get("language", Clip.Language.ENGLISH)
    if spoken not in Clip.Language.values:
        return _response(400, _("Choose the language you speak in your clip: English or Cymraeg."))
    if refusal := ratelimit.allow_student(request, "tus-create", clip.link_id or 0):
        return _response(429, refusal, Retry_After=str(ratelimit.STUDENT_WINDOW))
    # A refused size ends this consent too: nothing is kept; the student may start again from the link.
    if length <= 0:
        return _refuse(clip, 400, media_refusal("The file is empty. Please record again or choose another file."))
    if length > call.max_bytes:
        return _refuse(
            clip,
            413,
            media_refusal(
                "The file is larger than %(megabytes)s MB. Please send a shorter clip.",
                {"megabytes": call.max_megabytes},
            ),
        )
    key = secrets.token_urlsafe(32)
    try:
        storage.begin_upload(clip)
    except storage.store_errors():
        log.exception("could not begin an upload in the store")
        return _response(503, str(STORE_DOWN), Retry_After="30")
    clip.language = spoken
    clip.upload_key_hash = hash_token(key)
    clip.upload_length = length
    clip.upload_offset = 0
    clip.upload_type = metadata.get("filetype", "")[:100]
    clip.upload_expires_at = timezone.now() + UPLOAD_LIFETIME
    clip.save(
        update_fields=[
            "language",
            "upload_key_hash",
            "upload_length",
            "upload_offset",
            "upload_type",
            "upload_expires_at",
            "s3_upload_id",
            "s3_parts",
        ]
    )
    location = request.build_absolute_uri(reverse("media_feedback:tus_upload", kwargs={"key": key}))
    return _response(201, Location=location, Upload_Expires=http_date(clip.upload_expires_at.timestamp()))


def media_refusal(message: str, params: dict[str, object] | None = None) -> str:
    """A refusal's words in the active language (the student's): the same catalogue messages as the
    checks in media_feedback.media."""
    text = _(message)
    return text % params if params else text


def _refuse(clip: Clip, status: int, reason: str) -> HttpResponse:
    tasks.refuse_clip(clip, reason)
    return _response(status, reason)


def _upload(key: str, *, lock: bool = False) -> Clip | None:
    qs = Clip.objects.select_related("call").filter(
        upload_key_hash=hash_token(key), status=Clip.Status.RECEIVING, upload_expires_at__gt=timezone.now()
    )
    if lock:
        qs = qs.select_for_update()
    return qs.first()


@csrf_exempt
def upload(request: HttpRequest, key: str) -> HttpResponse:
    """HEAD: the offset. PATCH: append a chunk. DELETE: abandon the upload."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("HEAD", "PATCH", "DELETE"):
        return _response(405, "Use HEAD, PATCH or DELETE.", Allow="HEAD, PATCH, DELETE, OPTIONS")
    if request.headers.get("Tus-Resumable") != VERSION:
        return _response(412, "This endpoint speaks tus 1.0.0.", Tus_Version=VERSION)
    if request.method == "HEAD":
        clip = _upload(key)
        if clip is None:
            return _head_of_finished(key)
        return _response(
            200,
            Upload_Offset=str(clip.upload_offset),
            Upload_Length=str(clip.upload_length),
            Upload_Expires=http_date(clip.upload_expires_at.timestamp()),  # type: ignore[union-attr]
        )
    if request.method == "DELETE":
        clip = _upload(key)
        if clip is None:
            return _response(404)
        services.abandon_upload(clip)
        return _response(204)
    return _patch(request, key)


def _head_of_finished(key: str) -> HttpResponse:
    """tus core: HEAD on an upload whose last byte arrived answers its full offset, so a client that
    lost the answer to its final PATCH learns it is done instead of starting again."""
    clip = (
        Clip.objects.filter(upload_key_hash=hash_token(key))
        .exclude(status=Clip.Status.RECEIVING)
        .only("upload_length", "upload_offset")
        .first()
    )
    if clip is None or clip.upload_length is None or clip.upload_offset != clip.upload_length:
        return _response(404)
    return _response(200, Upload_Offset=str(clip.upload_length), Upload_Length=str(clip.upload_length))


def _patch(request: HttpRequest, key: str) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _response(415, "Send chunks as application/offset+octet-stream.")
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
        size = int(request.headers.get("Content-Length", ""))
    except ValueError:
        return _response(400, "Upload-Offset and Content-Length are required.")
    if size > chunk_limit():
        return _response(413, f"Send the file in chunks of at most {chunk_limit()} bytes.")
    try:
        return _append_in_transaction(request, key, offset, size)
    except storage.store_errors():
        # The transaction rolled back: the offset is what it was and the client resumes from it.
        log.exception("could not append a chunk to the store")
        return _response(503, str(STORE_DOWN), Retry_After="10")


@transaction.atomic
def _append_in_transaction(request: HttpRequest, key: str, offset: int, size: int) -> HttpResponse:
    clip = _upload(key, lock=True)
    if clip is None:
        return _response(404, _("This upload has expired or finished."))
    if offset != clip.upload_offset:
        return _response(409, "Upload-Offset does not match what has arrived.", Upload_Offset=str(clip.upload_offset))
    if offset + size > (clip.upload_length or 0):
        return _response(413, "The chunk goes past the end of the file.")
    received = storage.append_chunk(clip, offset, request.read, size)
    clip.upload_offset = offset + received
    clip.save(update_fields=["upload_offset", "s3_parts"])
    if clip.upload_offset == clip.upload_length:
        services.finish_upload(clip)
    headers = {"Upload_Offset": str(clip.upload_offset)}
    if clip.upload_expires_at:
        headers["Upload_Expires"] = http_date(clip.upload_expires_at.timestamp())
    return _response(204, **headers)
