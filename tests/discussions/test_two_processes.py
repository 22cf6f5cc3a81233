"""Two Daphne processes on one Redis: a post written through one reaches a page served by the other."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from tests.discussions.factories import start
from tests.discussions.live import own_loop
from tests.factories import client_for
from tests.local_servers import free_port
from tests.services import require_redis

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.fixture
def two_servers(transactional_db: None) -> Iterator[list[int]]:
    """Two real `daphne` processes (not forks of this one) on the test database and one Redis."""
    redis_url = require_redis()
    env = dict(os.environ, DATABASE_URL=_database_url(), REDIS_URL=redis_url, SECRET_KEY=settings.SECRET_KEY,
               DEBUG="0", STATIC_MANIFEST="0", LOG_LEVEL="WARNING", ALLOWED_HOSTS="localhost,127.0.0.1", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", SECURE_HSTS_SECONDS="0")  # fmt: skip
    prefix = f"{os.environ.get('CHANNEL_PREFIX', 'discuss')}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    env["CHANNEL_PREFIX"] = env["CACHE_PREFIX"] = prefix  # xdist workers' test databases reuse ids
    env.pop("PYTEST_VERSION", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    daphne = str(Path(sys.executable).parent / "daphne")
    servers = []
    for _ in range(2):
        port = free_port()
        servers.append((subprocess.Popen([daphne, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                                         env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL), port))  # fmt: skip
    try:
        for proc, port in servers:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, "daphne exited"
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "daphne did not start"
                    time.sleep(0.1)
        yield [port for _, port in servers]
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=10)


def _post_through(port: int, cookie: str, thread_id: int, body: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/c/gm/discussions/threads/{thread_id}/", headers={"Cookie": cookie})
    page = conn.getresponse()
    page.read()
    token = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)  # type: ignore[union-attr]
    form = f"body={body.replace(' ', '+')}&key={uuid.uuid4()}"
    conn.request(
        "POST",
        f"/c/gm/discussions/threads/{thread_id}/posts/",
        body=form,
        headers={"Cookie": f"{cookie}; csrftoken={token}", "X-CSRFToken": token,
                 "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    response = conn.getresponse()
    response.read()
    return response.status


@own_loop
async def test_a_post_through_one_daphne_reaches_a_socket_on_the_other(world, two_servers) -> None:
    first, second = two_servers
    thread = await sync_to_async(start)(world.alice, world.cohort)
    name = settings.SESSION_COOKIE_NAME
    bob = await sync_to_async(lambda: client_for(world.bob).cookies[name].value)()
    alice = await sync_to_async(lambda: client_for(world.alice).cookies[name].value)()
    url = f"ws://127.0.0.1:{second}/ws/c/gm/threads/{thread.pk}/"
    headers = {"Origin": f"http://127.0.0.1:{second}", "Cookie": f"{name}={bob}"}
    async with websockets.connect(url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "resume", "seq": 1}))
        assert "thread-status" in await asyncio.wait_for(ws.recv(), 5)
        status = await asyncio.to_thread(_post_through, first, f"{name}={alice}", thread.pk, "Across processes")
        assert status == 302
        message = await asyncio.wait_for(ws.recv(), 5)
    assert "Across processes" in message
