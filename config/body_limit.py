"""A cap on request bodies, in front of Django under every ASGI server (`make run`'s Daphne included).

Django reads a whole request body before any view can refuse it, so without a cap an upload of any
size is taken in before the answer "too large". This middleware answers 413 as soon as a request
declares (Content-Length) or streams more bytes than its route family may carry, and reads no further:

- a tus chunk of a student's recording: CLIP_UPLOAD_CHUNK_BYTES;
- an evidence upload: the evidence file limit, plus room for the form's other fields;
- anything else: REQUEST_BODY_MAX_BYTES (forms and posts are text).

The refusal is plain text that says what happened and what to do, in the sender's language (their
language cookie, else their browser's: no session is read out here); the request reaches no view, so
nothing changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from cohort.assessment.evidence_files import MAX_EVIDENCE_BYTES

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[..., Awaitable[None]]  # an ASGI application (Django's handler types its messages loosely)

FORM_ROOM = 64 * 1024  # the multipart framing and the other fields sent with a file


def _mb(size: int) -> str:
    return f"{size / 1024**2:.0f} MB" if size >= 1024**2 else f"{size // 1024} KB"


def limit_for(path: str) -> tuple[int, str]:
    """The most bytes a request to `path` may carry, and what to tell a sender who goes past it."""
    try:
        name = resolve(path).view_name
    except Resolver404:
        name = ""
    if name == "media_feedback:tus_upload":
        chunk = settings.CLIP_UPLOAD_CHUNK_BYTES
        return chunk, _(
            "This part of the recording is larger than %(size)s, the most the server takes at once, "
            "so it was refused and nothing was saved from it. The upload page sends recordings in parts "
            "of that size: reload it and upload again."
        ) % {"size": _mb(chunk)}
    if name == "cohort:add_evidence":
        return MAX_EVIDENCE_BYTES + FORM_ROOM, _(
            "The file is larger than %(size)s, the most evidence can be, so it was "
            "refused and nothing was saved. Go back and attach a smaller file, or add a link to the "
            "document instead."
        ) % {"size": _mb(MAX_EVIDENCE_BYTES)}
    limit = settings.REQUEST_BODY_MAX_BYTES
    return limit, _(
        "What was sent is larger than %(size)s, the most this page accepts, so it was refused and "
        "nothing was saved. Go back and send less: shorten the text, or attach files only where a page "
        "offers it."
    ) % {"size": _mb(limit)}


def sender_language(scope: Scope) -> str:
    """The language LocaleMiddleware would choose for this request: the language cookie, else the
    browser's (Accept-Language), else the site's."""
    request = HttpRequest()
    headers = {name.lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
    request.COOKIES = parse_cookie(headers.get(b"cookie", ""))
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get(b"accept-language", "")
    return translation.get_language_from_request(request)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class BodyLimit:
    """ASGI middleware: refuse (413) an HTTP request whose body is, or grows, larger than its route allows."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with translation.override(sender_language(scope)):
            limit, message = limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, message)
            return
        received = 0
        started = refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            event = await receive()
            if event["type"] == "http.request" and not refused:
                received += len(event.get("body", b""))
                if received > limit:
                    # More than declared, or no length declared: stop here, tell the sender, and
                    # let the application see a client that went away.
                    refused = True
                    if not started:
                        await _refuse(send, message)
                    return {"type": "http.disconnect"}
            return event

        async def guarded_send(event: Message) -> None:
            nonlocal started
            if refused:
                return
            if event["type"] == "http.response.start":
                started = True
            await send(event)

        await self.app(scope, counted_receive, guarded_send)


async def _refuse(send: Send, message: str) -> None:
    body = (message + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
