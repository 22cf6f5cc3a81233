"""Redis killed in the middle of a discussion and restarted: no post is lost, every client has every
post after reconnecting (catch-up from the database), and pages keep being served while Redis is down.

The test runs its own redis-server on a free port (so killing it harms nothing else) and a real
Daphne process on it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from discussions.models import Post
from tests.discussions.factories import start
from tests.discussions.live import own_loop
from tests.discussions.test_two_processes import _database_url, _post_through
from tests.factories import client_for
from tests.local_servers import free_port
from tests.services import missing

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_port(port: int, proc: subprocess.Popen, what: str) -> None:
    import socket

    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, f"{what} exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"{what} did not start"
            time.sleep(0.1)


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.proc, "redis-server")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def site_on_own_redis(transactional_db: None) -> Iterator[tuple[int, RedisServer]]:
    if not shutil.which("redis-server"):
        missing("this test needs redis-server on the PATH")
    redis = RedisServer(free_port())
    redis.start()
    env = dict(os.environ, DATABASE_URL=_database_url(), REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
               SECRET_KEY=settings.SECRET_KEY, DEBUG="0", STATIC_MANIFEST="0", LOG_LEVEL="ERROR",
               ALLOWED_HOSTS="localhost,127.0.0.1", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", SECURE_HSTS_SECONDS="0", CHANNEL_PREFIX="outage", CACHE_PREFIX="outage")  # fmt: skip
    for name in ("PYTEST_VERSION", "PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    port = free_port()
    daphne = subprocess.Popen(
        [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, daphne, "daphne")
        yield port, redis
    finally:
        daphne.terminate()
        daphne.wait(timeout=10)
        if redis.proc and redis.proc.poll() is None:
            redis.kill()


def _get(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return response.status


async def _receive_until(ws, needles: set[str], timeout: float = 10) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while seen != needles and time.monotonic() < deadline:
        try:
            message = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            break
        seen |= {n for n in needles if n in message}
    return seen


@own_loop
async def test_no_post_is_lost_when_redis_dies_mid_discussion(world, site_on_own_redis) -> None:
    import websockets

    port, redis = site_on_own_redis
    thread = await sync_to_async(start)(world.alice, world.cohort)
    name = settings.SESSION_COOKIE_NAME
    bob = f"{name}={await sync_to_async(lambda: client_for(world.bob).cookies[name].value)()}"
    alice = f"{name}={await sync_to_async(lambda: client_for(world.alice).cookies[name].value)()}"
    url = f"ws://127.0.0.1:{port}/ws/c/gm/threads/{thread.pk}/"
    headers = {"Origin": f"http://127.0.0.1:{port}", "Cookie": bob}

    async with websockets.connect(url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "resume", "seq": 1}))
        assert await asyncio.to_thread(_post_through, port, alice, thread.pk, "Before the outage") == 302
        assert await _receive_until(ws, {"Before the outage"}) == {"Before the outage"}
        last_seq = await sync_to_async(
            lambda: Post.objects.filter(thread=thread).order_by("-seq").values_list("seq", flat=True)[0]
        )()

    redis.kill()
    # Redis is down: pages are served and posts are saved (the database is the truth).
    assert await asyncio.to_thread(_get, port, f"/c/gm/discussions/threads/{thread.pk}/", alice) == 200
    assert await asyncio.to_thread(_post_through, port, alice, thread.pk, "During outage one") == 302
    assert await asyncio.to_thread(_post_through, port, alice, thread.pk, "During outage two") == 302
    bodies = await sync_to_async(lambda: list(Post.objects.filter(thread=thread).values_list("body", flat=True)))()
    assert {"During outage one", "During outage two"} <= set(bodies)

    redis.start()
    # Bob's page reconnects with the last sequence number it holds and receives exactly what it missed;
    # then live delivery works again.
    async with websockets.connect(url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "resume", "seq": last_seq}))
        missed = await _receive_until(ws, {"During outage one", "During outage two"})
        assert missed == {"During outage one", "During outage two"}
        await asyncio.sleep(0.5)
        assert await asyncio.to_thread(_post_through, port, alice, thread.pk, "After the outage") == 302
        assert await _receive_until(ws, {"After the outage"}, timeout=15) == {"After the outage"}
