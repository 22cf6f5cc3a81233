"""The production topology on one machine, as real processes: two Daphne processes and a task worker
on one PostgreSQL database, one Redis (channel layer and cache) and one SeaweedFS S3 store, with
DEBUG off. Members connected to different Daphne processes all receive a post; a clip uploaded
through one process is processed by the worker and playable through the other.

The test speaks only HTTP, tus and websockets to the servers, as browsers would. The topology has
its own database (created and dropped here), Redis key prefix, bucket and VAR_DIR, so it runs beside
the rest of the suite and other runs on the same services.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings

from tests import factories
from tests.discussions.live import run_in_own_loop
from tests.local_servers import free_port, stop
from tests.media_feedback.make_fixtures import read_audio, speech_wav, video_with_audio
from tests.reliability.test_redis_outage import _wait_for_port
from tests.services import missing, require_postgres, require_redis

# One group: the module's topology (a migrated database, two Daphnes, a worker) is set up once, on one
# xdist worker (`make test` distributes with --dist loadgroup), not once on each.
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.xdist_group("topology")]

TIMEOUT = 10
POOL_SIZE = 4


@dataclass
class Topology:
    a: str  # Daphne A's base URL
    b: str  # Daphne B's
    store: str  # the S3 endpoint
    seed: dict[str, Any]
    logs: Path
    database_url: str

    def log_tails(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(self.logs.glob("*.log")))


def _admin_connection(database_url: str) -> Any:
    import psycopg

    parts = urlsplit(database_url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


@pytest.fixture(scope="module")
def redis_url() -> str:
    """PostgreSQL and Redis, checked before anything is started."""
    require_postgres()
    return require_redis()


@pytest.fixture(scope="module")
def topology(redis_url: str, seaweed: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    import boto3
    import redis

    name = f"qm_topology_{os.getpid()}"
    database_url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    var = tmp_path_factory.mktemp("topology")
    bucket, prefix = f"topology-{uuid.uuid4().hex[:12]}", f"topology-{os.getpid()}"
    s3_key, s3_secret = "topology", secrets.token_hex(20)
    boto3.client(
        "s3", endpoint_url=seaweed, region_name="us-east-1", aws_access_key_id=s3_key, aws_secret_access_key=s3_secret
    ).create_bucket(Bucket=bucket)
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CHANNEL_PREFIX=prefix,
        CACHE_PREFIX=prefix,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback; a real deployment terminates TLS at the proxy and keeps the defaults.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
        DATABASE_POOL_SIZE=str(POOL_SIZE),
        LOG_LEVEL="WARNING",
        VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=seaweed,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID=s3_key,
        AWS_SECRET_ACCESS_KEY=s3_secret,
    )
    for variable in ("PYTEST_VERSION", "PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE", "TASKS_BACKEND"):
        env.pop(variable, None)  # the servers run as in production, not as the test suite

    with _admin_connection(database_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    processes: list[subprocess.Popen] = []
    try:
        python = sys.executable
        # The release step, then the people of the test in the topology's own database.
        manage = [python, "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=settings.BASE_DIR, env=env, check=True)
        seeded = subprocess.run(
            [python, "-m", "tests.reliability.topology_seed"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        ports = [free_port(), free_port()]
        daphne = str(Path(python).parent / "daphne")
        commands = {
            **{
                f"daphne-{n}": [daphne, "-b", "127.0.0.1", "-p", str(p), "config.asgi:application"]
                for n, p in zip("ab", ports, strict=True)
            },
            "worker": [*manage, "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        }
        for role, command in commands.items():
            with (var / f"{role}.log").open("wb") as log:
                processes.append(subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log))
        for port, proc in zip(ports, processes, strict=False):
            _wait_for_port(port, proc, "daphne")
        yield Topology(
            a=f"http://127.0.0.1:{ports[0]}",
            b=f"http://127.0.0.1:{ports[1]}",
            store=seaweed,
            seed=json.loads(seeded.stdout.strip().splitlines()[-1]),
            logs=var,
            database_url=database_url,
        )
    finally:
        for proc in processes:
            proc.terminate()  # all at once, then wait for each
        for proc in processes:
            stop(proc)
        with _admin_connection(database_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        keys = redis.Redis.from_url(redis_url)
        for key in keys.scan_iter(f"{prefix}:*"):
            keys.delete(key)


def log_in(base: str, email: str, password: str, totp_secret: str = "") -> requests.Session:
    """Log in through the site's own forms (and its two-factor step for staff)."""
    browser = requests.Session()
    login = f"{base}/accounts/login/"
    browser.get(login, timeout=TIMEOUT).raise_for_status()
    form = {"login": email, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    response = browser.post(login, data=form, headers={"Referer": login}, timeout=TIMEOUT)
    if totp_secret:
        assert "/2fa/authenticate/" in response.url, response.url
        code = factories.totp_code_of_secret(totp_secret, margin=3)
        form = {"code": code, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        response = browser.post(response.url, data=form, headers={"Referer": response.url}, timeout=TIMEOUT)
    response.raise_for_status()
    assert settings.SESSION_COOKIE_NAME in browser.cookies, f"{email} is not logged in at {response.url}"
    return browser


def test_members_on_different_daphne_processes_all_receive_a_post(topology: Topology) -> None:
    import websockets

    seed, cohort, thread = topology.seed, topology.seed["cohort"], topology.seed["thread"]
    alice = log_in(topology.a, seed["alice"], seed["password"])
    bob = log_in(topology.b, seed["bob"], seed["password"])
    body = f"Across processes {uuid.uuid4().hex[:8]}"

    async def watch(base: str, browser: requests.Session, ready: asyncio.Event, received: list[str]) -> None:
        url = f"{base.replace('http', 'ws')}/ws/c/{cohort}/threads/{thread}/"
        cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME]}"
        async with websockets.connect(url, additional_headers={"Origin": base, "Cookie": cookie}) as ws:
            await ws.send(json.dumps({"type": "resume", "seq": seed["seq"]}))
            while 'id="thread-status"' not in str(await asyncio.wait_for(ws.recv(), TIMEOUT)):
                pass
            ready.set()
            while body not in (message := str(await asyncio.wait_for(ws.recv(), TIMEOUT))):
                pass
            received.append(message)

    def post_through_a() -> int:
        page = f"{topology.a}/c/{cohort}/discussions/threads/{thread}/"
        alice.get(page, timeout=TIMEOUT).raise_for_status()
        form = {"body": body, "key": str(uuid.uuid4()), "csrfmiddlewaretoken": alice.cookies["csrftoken"]}
        response = alice.post(
            f"{page}posts/", data=form, headers={"Referer": page}, allow_redirects=False, timeout=TIMEOUT
        )
        return response.status_code

    async def scenario() -> tuple[int, list[str], list[str]]:
        on_a: list[str] = []
        on_b: list[str] = []
        ready = [asyncio.Event(), asyncio.Event()]
        watchers = [
            asyncio.create_task(watch(topology.a, alice, ready[0], on_a)),
            asyncio.create_task(watch(topology.b, bob, ready[1], on_b)),
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), TIMEOUT)
        status = await asyncio.to_thread(post_through_a)
        await asyncio.gather(*watchers)
        return status, on_a, on_b

    status, on_a, on_b = run_in_own_loop(scenario())  # not asyncio.run: see run_in_own_loop
    assert status == 302
    for received in (on_a, on_b):
        assert body in received[0]
        assert 'id="post-' in received[0]  # the post's own fragment, rendered by the receiving process


def test_concurrent_requests_to_daphne_share_a_bounded_set_of_database_connections(topology: Topology) -> None:
    from concurrent.futures import ThreadPoolExecutor

    member = log_in(topology.a, topology.seed["alice"], topology.seed["password"])
    page = f"{topology.a}/c/{topology.seed['cohort']}/discussions/threads/{topology.seed['thread']}/"
    cookies = {settings.SESSION_COOKIE_NAME: str(member.cookies[settings.SESSION_COOKIE_NAME])}
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda _: requests.get(page, cookies=cookies, timeout=30).status_code, range(120)))
    assert statuses == [200] * 120
    name = urlsplit(topology.database_url).path.lstrip("/")
    with _admin_connection(topology.database_url) as admin:
        row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()
    # Two Daphne processes and a worker, each with its pool; Daphne's thread per request must not
    # leave a connection behind each time.
    assert row is not None and row[0] <= 3 * POOL_SIZE


@pytest.fixture(scope="module")
def speech_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A phone-like recording of real speech: H.264 video with AAC audio (and a location tag)."""
    import shutil

    if shutil.which("espeak-ng") is None:
        missing("this test needs espeak-ng for real speech (apt-get install espeak-ng)")
    directory = tmp_path_factory.mktemp("speech")
    wav = speech_wav(directory / "speech.wav")
    return video_with_audio(directory / "speech.mp4", read_audio(wav), metadata={"location": "+53.4808-002.2426/"})


def audio_seconds(data: bytes) -> float:
    import av

    seconds = 0.0
    with av.open(io.BytesIO(data), mode="r") as container:
        assert container.streams.audio, "no audio stream"
        for frame in container.decode(container.streams.audio[0]):
            seconds += frame.samples / frame.sample_rate
    return seconds


def test_a_clip_uploaded_through_one_daphne_is_processed_and_playable_through_the_other(
    topology: Topology, speech_video: Path
) -> None:
    from tusclient.client import TusClient

    seed, cohort, a, b = topology.seed, topology.seed["cohort"], topology.a, topology.b
    # The student, on Daphne A: consent, then a resumable upload in several chunks.
    student = requests.Session()
    link = f"{a}/s/{seed['link']}/"
    student.get(link, timeout=TIMEOUT).raise_for_status()
    consent = {
        "question": "What helped you most?",
        "visibility": "facilitators",
        "age_band": "18+",
        "confirm": "on",
        "csrfmiddlewaretoken": student.cookies["csrftoken"],
    }
    page = student.post(link, data=consent, headers={"Referer": link}, timeout=TIMEOUT)
    assert page.url == f"{link}upload/", page.text[:2000]
    ticket = html.unescape(re.search(r'data-ticket="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    uploader = TusClient(f"{a}/clips/tus/").uploader(
        file_path=str(speech_video), chunk_size=64 * 1024, metadata={"ticket": ticket, "filetype": "video/mp4"}
    )
    uploader.upload()
    assert str(uploader.url).startswith(f"{a}/clips/tus/")
    done = student.get(f"{link}done/", timeout=TIMEOUT)
    receipt = re.search(r"/my-clip/[^/\"<\s]+/", done.text).group(0)  # type: ignore[union-attr]

    # The worker takes it from the queue; the student's private link shows it ready.
    deadline = time.monotonic() + 120
    while "status-ready" not in (status := student.get(f"{a}{receipt}", timeout=TIMEOUT).text):
        assert "status-failed" not in status, status
        assert time.monotonic() < deadline, f"the clip was not processed\n{topology.log_tails()}"
        time.sleep(0.5)

    # The facilitator, on Daphne B, finds it, reads its transcript and plays it.
    fran = log_in(b, seed["fran"], seed["password"], totp_secret=seed["fran_totp_secret"])
    clips = fran.get(f"{b}/c/{cohort}/clips/", timeout=TIMEOUT)
    clip = re.search(rf"/c/{cohort}/clips/([0-9a-f-]{{36}})/", clips.text).group(1)  # type: ignore[union-attr]
    assert "college" in fran.get(f"{b}/c/{cohort}/clips/{clip}/", timeout=TIMEOUT).text.lower()
    rendition = fran.get(f"{b}/c/{cohort}/clips/{clip}/file/rendition/", allow_redirects=False, timeout=TIMEOUT)
    assert rendition.status_code == 302
    signed = rendition.headers["Location"]
    assert signed.startswith(topology.store) and re.search(r"[?&](X-Amz-)?Signature=", signed)
    media = requests.get(signed, timeout=TIMEOUT)  # the browser's player, with no session
    assert media.status_code == 200
    assert media.content[4:8] == b"ftyp"
    assert audio_seconds(media.content) == pytest.approx(audio_seconds(speech_video.read_bytes()), abs=0.25)
