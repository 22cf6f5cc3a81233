"""Two Daphne processes on one Redis: a post written through one reaches a page served by the other."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import uuid
from collections.abc import Iterator
from functools import partial

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from tests.conftest import client_for
from tests.discussions.helpers import start
from tests.discussions.live import own_loop
from tests.services import require_redis

pytestmark = pytest.mark.django_db(transaction=True)


def _prepare_child(db_blocker: object) -> None:
    from channels.layers import channel_layers
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.connection = None
    channel_layers.backends = {}  # a layer made before the fork belongs to the parent's event loop
    db_blocker.unblock()  # type: ignore[attr-defined]


@pytest.fixture
def two_servers(django_db_blocker: object, transactional_db: None) -> Iterator[list[int]]:
    require_redis()
    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.db import connections

    servers = []
    connections.close_all()
    for _ in range(2):
        server = DaphneProcess("localhost", partial(make_application, static_wrapper=None),
                               setup=partial(_prepare_child, django_db_blocker))  # fmt: skip
        server.start()
        servers.append(server)
    for server in servers:
        while not server.ready.wait(timeout=1):
            assert server.is_alive(), "Daphne did not start"
    yield [server.port.value for server in servers]
    for server in servers:
        server.terminate()
        server.join()


def _post_through(port: int, cookie: str, thread_id: int, body: str) -> int:
    conn = http.client.HTTPConnection("localhost", port, timeout=10)
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
    import websockets

    first, second = two_servers
    thread = await sync_to_async(start)(world.alice, world.cohort)
    name = settings.SESSION_COOKIE_NAME
    bob = await sync_to_async(lambda: client_for(world.bob).cookies[name].value)()
    alice = await sync_to_async(lambda: client_for(world.alice).cookies[name].value)()
    url = f"ws://localhost:{second}/ws/c/gm/threads/{thread.pk}/"
    headers = {"Origin": f"http://localhost:{second}", "Cookie": f"{name}={bob}"}
    async with websockets.connect(url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "resume", "seq": 1}))
        assert "thread-status" in await asyncio.wait_for(ws.recv(), 5)
        status = await asyncio.to_thread(_post_through, first, f"{name}={alice}", thread.pk, "Across processes")
        assert status == 302
        message = await asyncio.wait_for(ws.recv(), 5)
    assert "Across processes" in message
