"""Request bodies are capped per route family before Django reads them (config/body_limit.py)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.urls import reverse

from cohort.assessment.evidence_files import MAX_EVIDENCE_BYTES
from cohort.models import Evidence
from config.asgi import application
from tests.cohort.assessment.factories import criterion
from tests.discussions.live import own_loop
from tests.factories import World

pytestmark = pytest.mark.django_db(transaction=True)


def _scope(path: str, headers: dict[str, str], method: str = "POST") -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), *((k.encode(), v.encode()) for k, v in headers.items())],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }


async def _answer(comm: ApplicationCommunicator) -> tuple[int, str]:
    start = await comm.receive_output(timeout=5)
    body = await comm.receive_output(timeout=5)
    return start["status"], body["body"].decode()


async def _evidence_path(world: World) -> str:
    c1 = await sync_to_async(criterion)(world.cohort, "1.1")
    return reverse("cohort:add_evidence", kwargs={"cohort": "gm", "institution": "irwell", "criterion_id": c1.pk})


@own_loop
async def test_an_evidence_upload_declaring_60_mb_is_refused_before_its_body_is_read(world: World) -> None:
    """Finding 8: under `make run` Daphne handed a 60 MB evidence upload to Django, which read it all
    before answering 400; now the declared length is refused at once with 413, the body unread."""
    path = await _evidence_path(world)
    size = 60 * 1024 * 1024
    comm = ApplicationCommunicator(
        application,
        _scope(path, {"content-length": str(size), "content-type": "multipart/form-data; boundary=x"}),
    )
    await comm.send_input({"type": "http.request", "body": b"--x\r\n", "more_body": True})
    status, text = await _answer(comm)
    assert status == 413
    assert f"larger than {MAX_EVIDENCE_BYTES // 1024**2} MB, the most evidence can be" in text
    assert "nothing was saved. Go back and attach a smaller file" in text
    assert not await Evidence.objects.aexists()
    await comm.wait(timeout=5)


@own_loop
async def test_a_body_streamed_without_a_length_is_cut_off_at_the_limit(world: World) -> None:
    """Finding 8: streamed bytes are counted too: no Content-Length, and the answer comes once the
    small default limit is passed, without waiting for the rest."""
    path = reverse("discussions:search", kwargs={"cohort": "gm"})
    comm = ApplicationCommunicator(application, _scope(path, {"content-type": "application/x-www-form-urlencoded"}))
    piece = b"q=" + b"a" * (256 * 1024)
    for _ in range(settings.REQUEST_BODY_MAX_BYTES // len(piece) + 1):
        await comm.send_input({"type": "http.request", "body": piece, "more_body": True})
    status, text = await _answer(comm)
    assert status == 413
    assert "the most this page accepts, so it was refused and nothing was saved" in text
    await comm.wait(timeout=5)


@own_loop
async def test_a_tus_chunk_may_be_as_large_as_the_chunk_limit_and_no_larger(world: World) -> None:
    """Finding 8: tus chunks have their own, larger limit (CLIP_UPLOAD_CHUNK_BYTES)."""
    chunk = settings.CLIP_UPLOAD_CHUNK_BYTES
    path = reverse("media_feedback:tus_upload", kwargs={"key": "no-such-upload"})
    headers = {"content-type": "application/offset+octet-stream", "upload-offset": "0", "tus-resumable": "1.0.0"}
    over = ApplicationCommunicator(application, _scope(path, {**headers, "content-length": str(chunk + 1)}, "PATCH"))
    await over.send_input({"type": "http.request", "body": b"", "more_body": True})
    status, text = await _answer(over)
    assert status == 413
    assert "This part of the recording is larger than" in text
    await over.wait(timeout=5)
    # A full-size chunk passes the cap and reaches the tus view, which knows no such upload.
    fits = ApplicationCommunicator(application, _scope(path, {**headers, "content-length": str(chunk)}, "PATCH"))
    await fits.send_input({"type": "http.request", "body": b"\0" * chunk, "more_body": False})
    status, text = await _answer(fits)
    assert status == 404
    await fits.wait(timeout=10)


@own_loop
async def test_a_small_post_still_reaches_its_page(world: World) -> None:
    path = reverse("discussions:search", kwargs={"cohort": "gm"})
    comm = ApplicationCommunicator(application, _scope(path, {"content-length": "3"}, "GET"))
    await comm.send_input({"type": "http.request", "body": b"q=a", "more_body": False})
    status, _ = await _answer(comm)
    assert status == 302  # to the log-in page: the request went through to Django
    await comm.wait(timeout=5)


@own_loop
async def test_the_refusal_is_in_the_senders_language(world: World) -> None:
    path = await _evidence_path(world)
    headers = {"content-length": str(60 * 1024 * 1024), "cookie": "django_language=cy"}
    comm = ApplicationCommunicator(application, _scope(path, headers))
    await comm.send_input({"type": "http.request", "body": b"--x\r\n", "more_body": True})
    status, text = await _answer(comm)
    assert status == 413
    assert f"Mae'r ffeil yn fwy na {MAX_EVIDENCE_BYTES // 1024**2} MB" in text
    await comm.wait(timeout=5)
