"""Finding 5 of issue 17: every websocket has an exact Origin, a cap per session and a message budget,
and a page's catch-up is bounded. Real sockets (Channels' communicator on the project's ASGI app)."""

from __future__ import annotations

import contextlib
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from discussions.models import Thread
from tests.discussions.factories import reply, start
from tests.discussions.live import own_loop, thread_path
from tests.factories import client_for

pytestmark = pytest.mark.django_db(transaction=True)

RESUME = json.dumps({"type": "resume", "seq": 0}, separators=(",", ":"))  # 25 bytes


@pytest.fixture
def memory_layer(settings) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _cookie(user) -> str:
    return client_for(user).cookies[django_settings.SESSION_COOKIE_NAME].value


async def socket(
    path: str, cookie: str, *, origin: str = "http://localhost", host: str = "localhost"
) -> WebsocketCommunicator:
    from config.asgi import application

    headers = [(b"origin", origin.encode()), (b"host", host.encode())]
    headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def drain(comm: WebsocketCommunicator, quiet: float = 0.5) -> tuple[int, dict | None]:
    """Bytes of everything the socket sends until it goes quiet or closes, and the close message."""
    total = 0
    while not await comm.receive_nothing(timeout=quiet):
        message = await comm.receive_output()
        if message["type"] == "websocket.close":
            return total, message
        total += len((message.get("text") or "").encode()) + len(message.get("bytes") or b"")
    return total, None


@own_loop
async def test_a_thousand_resume_messages_get_one_answer_then_the_socket_is_closed(world, memory_layer) -> None:
    """Finding 5: 1,000 `resume` messages of 25 bytes got 19.4 MB back (each answered with the whole
    catch-up). A socket answers one resume, and past its message budget it is closed with a reason."""
    thread = await sync_to_async(start)(world.alice, world.cohort)
    for n in range(6):
        await sync_to_async(reply)(world.alice, thread, f"Reply number {n}: how we count care leavers.")
    comm = await socket(thread_path(thread), await sync_to_async(_cookie)(world.bob))
    connected, _ = await comm.connect()
    assert connected
    one_answer, _ = await drain_after(comm, [RESUME])
    assert len(RESUME) == 25
    total, closed = await drain_after(comm, [RESUME] * 999)
    print(f"\nbytes sent back for 1,000 resume messages: {one_answer + total:,} (one answer: {one_answer:,})")
    assert total < one_answer  # later resumes are not answered again
    assert closed is not None and closed["code"] == 4429
    assert "Too many messages" in closed.get("reason", "")


async def drain_after(comm: WebsocketCommunicator, frames: list[str]) -> tuple[int, dict | None]:
    for frame in frames:
        await comm.send_to(text_data=frame)
    return await drain(comm)


@own_loop
async def test_a_page_that_lacks_too_many_posts_is_told_to_reload(world, memory_layer, monkeypatch) -> None:
    """Finding 5: the catch-up is capped (read from the database in pages); past the cap the page reloads."""
    from discussions import consumers

    monkeypatch.setattr(consumers, "MAX_CATCH_UP_ROWS", 6)
    monkeypatch.setattr(consumers, "CATCH_UP_PAGE", 2)
    thread = await sync_to_async(start)(world.alice, world.cohort)
    for n in range(6):
        await sync_to_async(reply)(world.alice, thread, f"Reply {n}")
    last_seq = await sync_to_async(lambda: Thread.objects.get(pk=thread.pk).last_seq)()
    cookie = await sync_to_async(_cookie)(world.bob)

    behind = await socket(thread_path(thread), cookie)
    assert (await behind.connect())[0]
    await behind.send_to(text_data=json.dumps({"type": "resume", "seq": 0}))  # 7 posts missing: more than 6
    _, closed = await drain(behind)
    assert closed is not None and closed["code"] == consumers.CLOSE_TOO_FAR_BEHIND

    near = await socket(thread_path(thread), cookie)
    assert (await near.connect())[0]
    await near.send_to(text_data=json.dumps({"type": "resume", "seq": last_seq - 5}))  # 5 missing: in 3 pages
    received = [await near.receive_from(timeout=3) for _ in range(6)]
    assert [f"Reply {n}" in message for n, message in zip(range(1, 6), received, strict=False)] == [True] * 5
    assert 'id="thread-status"' in received[-1]
    await near.disconnect()


@own_loop
async def test_one_session_holds_at_most_twenty_sockets(world, memory_layer) -> None:
    """Finding 5: one session held 200 sockets. The 21st socket of a session is refused; another
    session of the same person is not, and closing one socket frees its place."""
    cookie = await sync_to_async(_cookie)(world.alice)
    sockets = []
    for _ in range(20):
        comm = await socket("/ws/notifications/", cookie)
        connected, _ = await comm.connect()
        assert connected
        sockets.append(comm)
    extra = await socket("/ws/notifications/", cookie)
    connected, code = await extra.connect()
    assert not connected and code == 4430
    other_session = await socket("/ws/notifications/", await sync_to_async(_cookie)(world.alice))
    assert (await other_session.connect())[0]
    await sockets.pop().disconnect()
    again = await socket("/ws/notifications/", cookie)
    assert (await again.connect())[0]
    for comm in [*sockets, other_session, again]:
        with contextlib.suppress(Exception):
            await comm.disconnect()


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.0.0.1:9999", False),  # another port of the same host
        ("https://127.0.0.1:8000", False),  # another scheme
        ("http://127.0.0.1", False),  # port 80
        ("http://127.0.0.1:8000.evil.example", False),
        ("null", False),
    ],
)
@own_loop
async def test_the_origin_must_match_scheme_host_and_port(world, memory_layer, settings, origin, allowed) -> None:
    """Finding 5: the Origin check ignored scheme and port (`http://127.0.0.1:9999` was accepted)."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    cookie = await sync_to_async(_cookie)(world.alice)
    comm = await socket("/ws/notifications/", cookie, origin=origin, host="127.0.0.1:8000")
    connected, _ = await comm.connect()
    assert connected is allowed
    if connected:
        await comm.disconnect()


@own_loop
async def test_behind_the_proxy_the_site_url_and_trusted_origins_are_matched_exactly(
    world, memory_layer, settings
) -> None:
    settings.SITE_URL = "https://cohort.example.ac.uk"
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.org"]
    cookie = await sync_to_async(_cookie)(world.alice)
    for origin, allowed in [
        ("https://cohort.example.ac.uk", True),
        ("http://cohort.example.ac.uk", False),
        ("https://cohort.example.ac.uk:8443", False),
        ("https://live.example.org", True),
        ("https://example.org.evil.example", False),
    ]:
        comm = await socket("/ws/notifications/", cookie, origin=origin, host="127.0.0.1:8001")
        connected, _ = await comm.connect()
        assert connected is allowed, origin
        if connected:
            await comm.disconnect()
