"""Helpers for websocket tests: a WebsocketCommunicator signed in with a real session."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from cohort.models import User
from discussions.models import Thread
from tests.factories import client_for


def _session_cookie(user: User | None) -> str:
    if user is None:
        return ""
    client = client_for(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def communicator(
    user: User | None, path: str, origin: str = "http://localhost", session: str | None = None
) -> WebsocketCommunicator:
    """A socket with a new session of the user's (or with the given session key)."""
    from config.asgi import application

    cookie = session or await sync_to_async(_session_cookie)(user)
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def thread_path(thread: Thread) -> str:
    return f"/ws/c/{thread.theme.cohort.slug}/threads/{thread.pk}/"


async def open_thread(
    user: User, thread: Thread, seq: int | None = None, session: str | None = None
) -> WebsocketCommunicator:
    """Connect to a thread and resume from seq (by default: everything the thread has)."""
    comm = await communicator(user, thread_path(thread), session=session)
    connected, code = await comm.connect()
    assert connected, f"refused with {code}"
    if seq is None:
        seq = await sync_to_async(lambda: Thread.objects.get(pk=thread.pk).last_seq)()
    await comm.send_to(text_data=json.dumps({"type": "resume", "seq": seq}))
    # The resume answer ends with the thread's status fragment.
    while True:
        message = await comm.receive_from(timeout=3)
        if 'id="thread-status"' in message:
            return comm


def run_in_own_loop[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on an event loop of its own, in a fresh thread.

    The browser tests' session-wide Playwright (sync API) leaves an event loop running in the main
    thread, where neither asyncio.run, pytest-asyncio nor async_to_sync can start another one.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def own_loop(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test with run_in_own_loop."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        run_in_own_loop(test(*args, **kwargs))

    del run.__wrapped__  # type: ignore[attr-defined]
    run.__signature__ = inspect.signature(test)  # type: ignore[attr-defined]
    return run
