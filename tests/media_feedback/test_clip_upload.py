"""The resumable upload (tus 1.0) with a real client, tuspy, against a live server."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cohort.access import get_membership
from config.retention import apply_retention
from media_feedback import services
from media_feedback.models import Clip
from tests.media_feedback.factories import consent, stored_files, tus_metadata


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def no_processing(settings) -> None:
    """Leave the clip as received: these tests are about the bytes that arrive."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "upload.bin"
    path.write_bytes(bytes(range(256)) * 4096 + b"tail")  # 1 MB and a bit: 17 chunks of 64 KB
    return path


def test_an_upload_interrupted_half_way_and_resumed_gives_an_identical_file(
    live_server, irwell_link, big_file, media_root, no_processing
) -> None:
    from tusclient.client import TusClient

    clip, _ = consent(irwell_link)
    meta = {"ticket": services.upload_ticket(clip), "filetype": "application/octet-stream"}
    client = TusClient(f"{live_server.url}/clips/tus/")
    first = client.uploader(file_path=str(big_file), chunk_size=64 * 1024, metadata=meta)
    for _ in range(8):  # half-way, then the connection "drops"
        first.upload_chunk()
    clip.refresh_from_db()
    assert clip.upload_offset == 8 * 64 * 1024
    assert clip.status == Clip.Status.RECEIVING

    # A new client (a reloaded page) resumes from the server's offset (HEAD) at the same URL.
    second = TusClient(f"{live_server.url}/clips/tus/").uploader(
        file_path=str(big_file), url=first.url, chunk_size=64 * 1024, metadata=meta
    )
    assert second.offset == 8 * 64 * 1024
    second.upload()

    clip.refresh_from_db()
    assert clip.status == Clip.Status.RECEIVED
    assert sha256(media_root / clip.original_name) == sha256(big_file)
    assert stored_files(media_root) == [f"clips/{clip.public_id}/original"]


def test_a_client_that_lost_the_answer_to_its_last_chunk_learns_from_head_that_the_upload_is_complete(
    live_server, irwell_link, big_file, media_root, no_processing
) -> None:
    from tusclient.client import TusClient

    clip, _ = consent(irwell_link)
    meta = {"ticket": services.upload_ticket(clip), "filetype": "application/octet-stream"}
    first = TusClient(f"{live_server.url}/clips/tus/").uploader(
        file_path=str(big_file), chunk_size=64 * 1024, metadata=meta
    )
    first.upload()  # the server has every byte; say the phone never saw the answer to the last PATCH
    clip.refresh_from_db()
    assert clip.status == Clip.Status.RECEIVED

    # The page reloads and resumes at the same URL: HEAD answers the full offset, nothing is sent again.
    second = TusClient(f"{live_server.url}/clips/tus/").uploader(
        file_path=str(big_file), url=first.url, chunk_size=64 * 1024, metadata=meta
    )
    assert second.offset == big_file.stat().st_size
    second.upload()
    assert Clip.objects.count() == 1
    assert sha256(media_root / clip.original_name) == sha256(big_file)
    assert stored_files(media_root) == [f"clips/{clip.public_id}/original"]


def test_an_abandoned_upload_past_its_expiry_leaves_no_row_and_no_bytes(
    live_server, irwell_link, big_file, media_root, no_processing
) -> None:
    from tusclient.client import TusClient

    clip, _ = consent(irwell_link)
    uploader = TusClient(f"{live_server.url}/clips/tus/").uploader(
        file_path=str(big_file), chunk_size=64 * 1024, metadata={"ticket": services.upload_ticket(clip)}
    )
    uploader.upload_chunk()
    assert stored_files(media_root) == [f"uploads-partial/{clip.public_id}.part"]

    assert apply_retention() == {}  # not yet expired
    assert apply_retention(now=timezone.now() + timedelta(hours=25)) == {"media_feedback.Clip": 1}
    assert not Clip.objects.exists()
    assert stored_files(media_root) == []


def _created(link) -> tuple[Clip, str]:
    clip, _ = consent(link)
    response = Client().post(
        "/clips/tus/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH="100",
        HTTP_UPLOAD_METADATA=tus_metadata(ticket=services.upload_ticket(clip)),
    )
    assert response.status_code == 201
    assert response["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in response
    return clip, response["Location"]


def _patch(url: str, body: bytes, offset: int, **headers: Any) -> Any:
    return Client().generic(
        "PATCH",
        url,
        body,
        content_type=headers.pop("content_type", "application/offset+octet-stream"),
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_OFFSET=str(offset),
        **headers,
    )


def test_options_describes_the_server(db) -> None:
    response = Client().options("/clips/tus/")
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,expiration,termination"


def test_a_patch_at_the_wrong_offset_is_refused_and_changes_nothing(irwell_link, media_root) -> None:
    _clip, url = _created(irwell_link)
    assert _patch(url, b"x" * 10, 0).status_code == 204
    response = _patch(url, b"y" * 10, 5)
    assert response.status_code == 409
    assert response["Upload-Offset"] == "10"
    head = Client().head(url, HTTP_TUS_RESUMABLE="1.0.0")
    assert (head["Upload-Offset"], head["Upload-Length"]) == ("10", "100")


def test_a_chunk_over_the_limit_or_past_the_end_or_of_the_wrong_type_is_refused(
    irwell_link, media_root, settings
) -> None:
    settings.CLIP_UPLOAD_CHUNK_BYTES = 50
    _clip, url = _created(irwell_link)
    assert _patch(url, b"x" * 51, 0).status_code == 413
    assert _patch(url, b"x" * 10, 0, content_type="application/json").status_code == 415
    assert _patch(url, b"x" * 40, 0).status_code == 204
    assert _patch(url, b"x" * 40, 40).status_code == 204
    assert _patch(url, b"x" * 40, 80).status_code == 413  # would go past Upload-Length


def test_requests_without_the_tus_header_or_a_valid_ticket_are_refused(irwell_link, media_root) -> None:
    clip, _ = consent(irwell_link)
    assert Client().post("/clips/tus/", HTTP_UPLOAD_LENGTH="10").status_code == 412
    forged = Client().post(
        "/clips/tus/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH="10",
        HTTP_UPLOAD_METADATA=tus_metadata(ticket=str(clip.public_id)),
    )
    assert forged.status_code == 404
    assert _patch("/clips/tus/guessed-key/", b"x", 0).status_code == 404


def test_a_switched_off_link_takes_no_upload(irwell_link, media_root, world) -> None:
    clip, _ = consent(irwell_link)
    services.set_link_active(get_membership(world.fran, world.cohort.slug), irwell_link, False)
    response = Client().post(
        "/clips/tus/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH="10",
        HTTP_UPLOAD_METADATA=tus_metadata(ticket=services.upload_ticket(clip)),
    )
    assert response.status_code == 403


def test_termination_removes_the_upload(irwell_link, media_root) -> None:
    _clip, url = _created(irwell_link)
    _patch(url, b"x" * 10, 0)
    assert Client().delete(url, HTTP_TUS_RESUMABLE="1.0.0").status_code == 204
    assert not Clip.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_bytes_of_a_chunk_never_acknowledged_are_replaced_when_the_client_sends_it_again(irwell_link) -> None:
    """A chunk written to the partial file whose transaction then rolled back leaves bytes past the
    recorded offset; the client sends that chunk again from the recorded offset, and the file holds
    the bytes it sent, once."""
    from media_feedback import storage

    clip, _ = consent(irwell_link)
    storage.begin_upload(clip)
    storage.append_chunk(clip, 0, io.BytesIO(b"first chunk ").read, 12)
    storage.append_chunk(clip, 12, io.BytesIO(b"sent but never recorded").read, 23)
    storage.append_chunk(clip, 12, io.BytesIO(b"sent again").read, 10)
    storage.append_chunk(clip, 22, io.BytesIO(b".").read, 1)
    assert storage.partial_path(clip).read_bytes() == b"first chunk sent again."
