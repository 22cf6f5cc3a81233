"""The ceiling for bench/upload.py: a bare tus receiver on the same server, with no framework.

It speaks just enough tus 1.0 for tuspy (POST creates, PATCH appends at the offset, the last byte
is fsynced) and writes each body piece to one file under BARE_TUS_DIR as it is handed over. No
Django, no database, no checks: what is left is the server's own cost of taking a body in, which
no application on that server can beat. Served as `bench.bare_tus:asgi` (Daphne) or
`bench.bare_tus:wsgi` (granian).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

TARGET = Path(os.environ.get("BARE_TUS_DIR", "/tmp")) / "bare-upload.bin"
_state = {"length": 0, "offset": 0}


def _create(length: int) -> None:
    TARGET.write_bytes(b"")
    _state.update(length=length, offset=0)


def _open() -> int:
    return os.open(TARGET, os.O_WRONLY | os.O_APPEND)


def _finish(fd: int, received: int) -> None:
    _state["offset"] += received
    if _state["offset"] == _state["length"]:
        os.fsync(fd)


def _headers(status: int) -> list[tuple[str, str]]:
    headers = [("Tus-Resumable", "1.0.0"), ("Upload-Offset", str(_state["offset"]))]
    if status == 201:
        headers.append(("Location", "/upload"))
    return headers


async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    head = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    status = 204
    if scope["method"] == "POST":
        _create(int(head["upload-length"]))
        status = 201
    fd = _open() if scope["method"] == "PATCH" else -1
    received = 0
    while True:
        message = await receive()
        if fd >= 0 and message.get("body"):
            received += os.write(fd, message["body"])
        if not message.get("more_body"):
            break
    if fd >= 0:
        _finish(fd, received)
        os.close(fd)
    headers = [(k.encode(), v.encode()) for k, v in _headers(status)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    status = 204
    if environ["REQUEST_METHOD"] == "POST":
        _create(int(environ["HTTP_UPLOAD_LENGTH"]))
        status = 201
    if environ["REQUEST_METHOD"] == "PATCH":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        fd = _open()
        received = 0
        while received < size:
            piece = environ["wsgi.input"].read(min(256 * 1024, size - received))
            if not piece:
                break
            received += os.write(fd, piece)
        _finish(fd, received)
        os.close(fd)
    start_response(f"{status} {'Created' if status == 201 else 'No Content'}", _headers(status))
    return [b""]
