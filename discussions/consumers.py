"""Websocket consumers: one per live page (a thread, a theme).

Both follow the same protocol. On connect the consumer checks scope with the shared getters and
refuses (closes before accepting) anything outside it. The page then sends
`{"type": "resume", ...}` with what it already holds; the consumer answers with everything newer
from the database, then relays live events. Events carry ids and sequence numbers only; HTML comes
from the shared fragment cache (see fragments.py), so a broadcast costs no query per subscriber,
and every socket of a process sends the one message the process holds for it.

Sequence numbers make delivery exact: an event at or below what the client holds is dropped, one
right after it is relayed, one after a gap waits briefly for those before it (events of concurrent
posts can arrive out of order), and a gap that stays (a message lost by the layer) triggers a
catch-up from the database, shared by the process's sockets. Nothing is lost; a dropped message
only delays a client.

Language: each socket settles its reader's language when it connects (socket_language: the person's
chosen language, else the language cookie or the browser's, as for their pages) and sends the fragments
rendered in it, so a Welsh reader gets Welsh around a post whoever wrote it.

Access while connected: the socket joins the user's group (cohort.live). Where access changes —
a logout, a membership removed, a role changed — cohort.live.access_changed() makes the user's
sockets re-check at once: closed with 4403 if no longer allowed, reconnected if the role changed.
As a safety net for the rest (a session that expires, an account deactivated in the admin) each
socket also re-checks every RECHECK_SECONDS, with jitter so that sockets opened together do not
re-check together; one thread hop per re-check. Re-checking on every event would cost queries per
subscriber per event, which is what this design avoids.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.sessions import InstanceSessionWrapper
from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import translation

from cohort import live
from cohort.access import get_membership
from cohort.i18n import language_of, normalise
from cohort.integers import LARGEST, bounded_int
from cohort.models import Membership
from discussions import events, fragments
from discussions.models import Post, Theme, Thread

log = logging.getLogger(__name__)

# The safety net: pushed re-checks (cohort.live) cover logouts and membership changes at once.
RECHECK_SECONDS = float(getattr(settings, "DISCUSSIONS_WS_RECHECK_SECONDS", 120))
# A theme page's `since` is microseconds since 1970; past the year 9999 no datetime holds it.
LATEST_SINCE = (datetime.max.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
REORDER_SECONDS = 0.5  # how long an event after a gap in the sequence waits for the events before it
CATCH_UP_SHARE_SECONDS = 1.0
CLOSE_RECONNECT = 1012  # "service restart": the page's ws extension reconnects, and connect checks scope afresh
CLOSE_TOO_FAR_BEHIND = 4409  # the page lacks more than a catch-up sends: it should reload
MAX_MESSAGE = 1024
# A catch-up (the answer to a page's resume, or to a gap) sends at most this many posts or rows, read from
# the database CATCH_UP_PAGE at a time; a thread page that lacks more is told to reload.
MAX_CATCH_UP_ROWS = 200
CATCH_UP_PAGE = 50


type Send = Callable[[dict[str, Any]], Awaitable[None]]


def past_session_wrapper(send: Send) -> Send:
    """The send beneath Channels' session wrapper, where the wrapper would only pass websocket messages on.

    The wrapper saves a modified session, and sets its cookie, only on the message types it lists
    (`http.response.start`); on every other message it still reads two attributes of the lazy
    session before passing it on: about 7 µs per message, which a broadcast pays once per socket
    (half the consumer's own cost per delivery). A websocket never sends those types, so sending
    beneath the wrapper changes nothing: the consumers only read the session, and the wrapper never
    saved a session on a websocket anyway. Should Channels ever save on a websocket message, the
    wrapper stays.
    """
    wrapper = getattr(send, "__self__", None)
    if isinstance(wrapper, InstanceSessionWrapper) and not any(
        kind.startswith("websocket.") for kind in (*wrapper.save_message_types, *wrapper.cookie_response_message_types)
    ):
        return wrapper.real_send
    return send


async def dispatch_in_turn(sources: list[Callable[[], Awaitable[dict[str, Any]]]], dispatch: Any) -> None:
    """What channels.utils.await_many_dispatch does (each source's messages handled one at a time,
    in the order they arrive, until a handler raises) with one long-lived reader per source. Channels
    makes a new task and an asyncio.wait for every message, which a broadcast pays once per socket:
    about 15 µs, as much as the rest of this consumer's work for a delivery."""
    turn = asyncio.Lock()

    async def read(source: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        while True:
            message = await source()
            async with turn:
                await dispatch(message)

    readers = [asyncio.ensure_future(read(source)) for source in sources]
    try:
        done, _ = await asyncio.wait(readers, return_when=asyncio.FIRST_EXCEPTION)
        for reader in done:
            reader.result()  # StopConsumer, or whatever a handler raised
    finally:
        for reader in readers:
            reader.cancel()
        for reader in readers:
            with contextlib.suppress(asyncio.CancelledError, StopConsumer):
                await reader


def _int(value: Any, maximum: int = LARGEST) -> int | None:
    """A sequence number or time from a message: an int from 0 to `maximum`, or None (ignored)."""
    return value if isinstance(value, int) and bounded_int(value, maximum=maximum) is not None else None


def socket_language(scope: dict[str, Any], user: Any) -> str:
    """The language a socket's fragments are in: what the same person's pages are in (cohort.middleware):
    their chosen language, else the toggle's cookie, else their browser's language."""
    if user is not None and user.is_authenticated and user.language:
        return language_of(user)
    request = HttpRequest()
    request.COOKIES = dict(scope.get("cookies") or {})
    headers = dict(scope.get("headers") or [])
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get(b"accept-language", b"").decode("latin-1")
    return normalise(translation.get_language_from_request(request))


class LiveConsumer(AsyncWebsocketConsumer):
    """What thread and theme pages share: scope check, per-user group, periodic re-check, resume."""

    groups_joined: list[str]
    language: str = fragments.DEFAULT_LANGUAGE

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        """Channels' AsyncConsumer.__call__, with dispatch_in_turn for its loop.

        Kept, with dispatch below and past_session_wrapper, on measurement: `bench/fanout.py
        --consumers both` runs these against the same consumers on Channels' own __call__, loop,
        dispatch and session wrapper (bench/plain_consumers.py). For one post to 1,000 subscribers on
        2 Daphne processes (Redis), on a 2-core machine loaded by other work, the plain ones had a
        median p99 of 1.7 to 2.7 s against 0.5 to 1.3 s, a third of the deliveries per second and
        2.5 to 3 times the Daphne CPU. Neither met the 200 ms target there: re-measure on a quiet
        machine.
        """
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = past_session_wrapper(send)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            sources.append(functools.partial(self.channel_layer.receive, self.channel_name))
        with contextlib.suppress(StopConsumer):
            await dispatch_in_turn(sources, self.dispatch)

    async def connect(self) -> None:
        self.groups_joined = []
        self.recheck: asyncio.Task | None = None
        user = self.scope.get("user")
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            self.membership = await database_sync_to_async(get_membership)(user, kwargs["cohort"])
            allowed = await database_sync_to_async(self.admit)(self.membership, kwargs)
        except Http404:
            allowed = False
        if not allowed:
            log.warning("refused socket %s (user %s)", self.scope.get("path"), getattr(user, "pk", None) or "anonymous")
            await self.close(code=live.CLOSE_REFUSED)
            return
        for group in [live.user_group(self.membership.user_id), *self.live_groups()]:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        self.recheck = asyncio.create_task(self.recheck_access())

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first runs close_old_connections in a worker thread: on a broadcast,
        # one thread round trip per socket per event, the largest per-socket cost in the fan-out
        # profile (bench/fanout.py). Every handler here reaches the database only through
        # database_sync_to_async, which closes stale connections around each call itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        if self.recheck is not None:
            self.recheck.cancel()
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Anything but a small JSON resume message is ignored: nothing is saved over the socket.
        if text_data is None or len(text_data) > MAX_MESSAGE:
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "resume":
            await self.resume(message)

    async def recheck_access(self) -> None:
        await asyncio.sleep(RECHECK_SECONDS * random.uniform(0.5, 1.5))  # spread: sockets opened together
        while await self.check_access():
            await asyncio.sleep(RECHECK_SECONDS)

    async def check_access(self) -> bool:
        """Close the socket if the user may no longer see this page (4403), or reconnect it if their
        role changed (its groups depend on it); True if it stays as it is."""
        membership = await database_sync_to_async(self.current_membership)()
        if membership is None:
            await self.close(code=live.CLOSE_REFUSED)
            return False
        if (membership.role, membership.institution_id) != (self.membership.role, self.membership.institution_id):
            await self.close(code=CLOSE_RECONNECT)
            return False
        return True

    def current_membership(self) -> Membership | None:
        """The membership that lets this user see this page now, or None: all in one thread hop."""
        user = live.session_user(self.scope)
        if user is None or user.pk != self.membership.user_id:
            return None
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            membership = get_membership(user, kwargs["cohort"])
        except Http404:
            return None
        return membership if self.authorise(membership, kwargs) else None

    async def access_changed(self, event: dict[str, Any]) -> None:
        """Pushed by cohort.live where access changes: re-check now (if it concerns this socket)."""
        if event.get("cohort") not in (None, self.membership.cohort_id):
            return
        session = self.scope.get("session")
        if event.get("session") not in (None, session.session_key if session is not None else None):
            return
        if await self.check_access() is False and self.recheck is not None:
            self.recheck.cancel()

    async def access_revoked(self, event: dict[str, Any]) -> None:
        await self.close(code=live.CLOSE_REFUSED)

    def admit(self, membership: Membership, kwargs: dict[str, Any]) -> bool:
        """authorise(), and the socket's language settled in the same thread hop."""
        self.language = socket_language(self.scope, membership.user)
        return self.authorise(membership, kwargs)

    # Implemented by each page's consumer.
    def authorise(self, membership: Membership, kwargs: dict[str, Any]) -> bool:
        raise NotImplementedError

    def live_groups(self) -> list[str]:
        raise NotImplementedError

    async def resume(self, message: dict[str, Any]) -> None:
        raise NotImplementedError


def _changes_after(
    thread_id: int, after: int, *, from_id: int = 0, limit: int = CATCH_UP_PAGE
) -> tuple[int, list[tuple[int, int, uuid.UUID]]]:
    """The thread's last sequence number, and one page of the posts changed after `after` (by id, from `from_id`)."""
    last_seq = Thread.objects.filter(pk=thread_id).values_list("last_seq", flat=True).first() or 0
    rows = list(
        Post.objects.filter(thread_id=thread_id, seq__gt=after, id__gt=from_id)
        .order_by("id")
        .values_list("id", "seq", "idempotency_key")[:limit]
    )
    return last_seq, rows


def _too_far_behind(thread_id: int, after: int) -> bool:
    """Whether more posts changed after `after` than a catch-up sends: the page should reload instead."""
    changed = Post.objects.filter(thread_id=thread_id, seq__gt=after).values("id")[: MAX_CATCH_UP_ROWS + 1]
    return len(changed) > MAX_CATCH_UP_ROWS


_catch_ups: dict[tuple[asyncio.AbstractEventLoop, int, int], tuple[float, asyncio.Task[Any]]] = {}


async def shared_changes_after(thread_id: int, after: int) -> tuple[int, list[tuple[int, int, uuid.UUID]]]:
    """What a thread's page holding `after` lacks, for a gap: one query per process, not per socket.

    After a lost event every socket of the thread catches up from the same point at about the same
    time; they share one answer for CATCH_UP_SHARE_SECONDS. For a gap a shared answer may be older
    but is never wrong: the event that revealed the gap is still held, so a gap the answer does not
    close is seen and caught up again. (A resume holds no such event: it queries on its own.)
    """
    loop = asyncio.get_running_loop()
    now = loop.time()
    for old, (since, _) in list(_catch_ups.items()):
        if now - since > CATCH_UP_SHARE_SECONDS:
            del _catch_ups[old]
    key = (loop, thread_id, after)
    if key not in _catch_ups:
        # A task of its own: a socket that closes while waiting cancels only its own wait.
        query = loop.create_task(database_sync_to_async(_changes_after)(thread_id, after, limit=MAX_CATCH_UP_ROWS + 1))
        _catch_ups[key] = (now, query)

        def forget_failure(task: asyncio.Task) -> None:
            if (task.cancelled() or task.exception() is not None) and _catch_ups.get(key, (0, None))[1] is task:
                del _catch_ups[key]

        query.add_done_callback(forget_failure)
    return await asyncio.shield(_catch_ups[key][1])


class ThreadConsumer(LiveConsumer):
    """A thread page: posts created, edited, deleted and hidden; lock and pin.

    Posts commit in sequence order (the thread row is locked while a number is taken), but their
    events can arrive out of order: several writers, several processes. An event after a gap waits
    up to REORDER_SECONDS for the ones before it; only if they do not come is the gap a loss,
    caught up from the database. Concurrent posts therefore cost no query per socket.
    """

    sent_seq: int | None = None
    gap: asyncio.TimerHandle | None = None  # the wait for the events before a gap (a timer: cheap per socket)
    gap_catch_up: asyncio.Task | None = None

    async def connect(self) -> None:
        self.early: dict[int, dict[str, Any]] = {}  # events that arrived ahead of a gap, by seq
        self.order = asyncio.Lock()  # sends of the relay, the resume and the gap timer never interleave
        await super().connect()

    async def disconnect(self, code: int) -> None:
        for pending in (self.gap, self.gap_catch_up):
            if pending is not None:
                pending.cancel()
        await super().disconnect(code)

    def authorise(self, membership: Membership, kwargs: dict[str, Any]) -> bool:
        self.thread_id = int(kwargs["thread_id"])
        return Thread.objects.visible_to(membership).filter(pk=self.thread_id).exists()

    def live_groups(self) -> list[str]:
        return [events.thread_group(self.thread_id)]

    async def resume(self, message: dict[str, Any]) -> None:
        """The page says what it holds, once, when its socket opens: a socket answers one resume."""
        seq = _int(message.get("seq"))
        if seq is None or self.sent_seq is not None:
            return
        async with self.order:
            if not await self.catch_up(seq):
                return
        thread = await database_sync_to_async(fragments.load_thread)(self.thread_id)
        if thread is not None:
            await self.base_send(await fragments.astatus_event(thread.pk, events.version(thread), self.language))

    async def catch_up(self, after: int, *, gap: bool = False) -> bool:
        """Send what the page lacks after `after` from the database; False if it lacks too much (the
        socket is then closed, and the page asked to reload). Caller holds self.order."""
        if gap:  # one query, shared by the process's sockets (at most MAX_CATCH_UP_ROWS + 1 rows)
            last_seq, rows = await shared_changes_after(self.thread_id, after)
            too_far = len(rows) > MAX_CATCH_UP_ROWS
        elif not (too_far := await database_sync_to_async(_too_far_behind)(self.thread_id, after)):
            last_seq, rows = await database_sync_to_async(_changes_after)(self.thread_id, after)
        if too_far:
            await self.close(code=CLOSE_TOO_FAR_BEHIND, reason="Many posts changed: reload the page.")
            return False
        sent = [min(after, last_seq)]
        pages = [rows]
        while pages:
            page = pages.pop()
            # Parents before replies: by id, so every reply finds its container on the page.
            for post_id, seq, token in page:
                await self.base_send(await fragments.apost_event(post_id, seq, token.hex, self.language))
                sent.append(seq)
            if not gap and len(page) == CATCH_UP_PAGE and len(sent) <= MAX_CATCH_UP_ROWS:  # the next page
                last_seq, page = await database_sync_to_async(_changes_after)(
                    self.thread_id, after, from_id=page[-1][0]
                )
                pages.append(page)
        self.sent_seq = max(sent)
        await self.release_early()
        return True

    async def relay(self, event: dict[str, Any]) -> None:
        async with self.order:
            if self.sent_seq is None:  # the page has not said what it holds yet: its resume will bring this
                return
            seq = event["seq"]
            if seq <= self.sent_seq:
                return
            if seq == self.sent_seq + 1 and not self.early:  # in order, nothing held (so no gap timed): send
                await self.base_send(await fragments.apost_event(event["post"], seq, event["key"], self.language))
                self.sent_seq = seq
                return
            self.early[seq] = event
            await self.release_early()

    # The thread group's post events: straight to relay, one coroutine less per socket per event.
    post_created = relay
    post_updated = relay

    async def release_early(self) -> None:
        """Send held events that now follow on; time the wait for a gap that remains. Caller holds self.order."""
        assert self.sent_seq is not None
        while (event := self.early.pop(self.sent_seq + 1, None)) is not None:
            await self.base_send(await fragments.apost_event(event["post"], event["seq"], event["key"], self.language))
            self.sent_seq = event["seq"]
        for seq in [seq for seq in self.early if seq <= self.sent_seq]:
            del self.early[seq]
        if not self.early and self.gap is not None:
            self.gap.cancel()
            self.gap = None
        elif self.early and self.gap is None:
            self.gap = asyncio.get_running_loop().call_later(REORDER_SECONDS, self.gap_stayed)

    def gap_stayed(self) -> None:
        self.gap = None
        self.gap_catch_up = asyncio.ensure_future(self.close_gap())

    async def close_gap(self) -> None:
        async with self.order:
            if self.early and self.sent_seq is not None:
                await self.catch_up(self.sent_seq, gap=True)

    async def thread_status(self, event: dict[str, Any]) -> None:
        await self.base_send(await fragments.astatus_event(event["thread"], event["version"], self.language))


class ThemeConsumer(LiveConsumer):
    """A theme page: new threads, and rows that change (reply counts, last activity, pin, lock)."""

    def authorise(self, membership: Membership, kwargs: dict[str, Any]) -> bool:
        self.theme_id = int(kwargs["theme_id"])
        return Theme.objects.filter(pk=self.theme_id, cohort_id=membership.cohort_id).exists()

    def live_groups(self) -> list[str]:
        return events.theme_page_groups(self.theme_id, self.membership)

    resumed = False

    async def resume(self, message: dict[str, Any]) -> None:
        """The page says when it was rendered, once, when its socket opens: a socket answers one resume."""
        since = _int(message.get("since"), maximum=LATEST_SINCE)
        if since is None or self.resumed:
            return
        self.resumed = True
        for thread_id, version in await database_sync_to_async(self._changed_since)(since):
            await self.base_send(await fragments.arow_event(thread_id, version, self.language))

    def _changed_since(self, since: int) -> list[tuple[int, str]]:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=since)  # exact, no float
        threads = (
            Thread.objects.visible_to(self.membership)
            .filter(theme_id=self.theme_id, changed_at__gt=moment)
            .order_by("changed_at")[:MAX_CATCH_UP_ROWS]
        )
        return [(t.pk, events.version(t)) for t in threads]

    async def thread_row(self, event: dict[str, Any]) -> None:
        await self.base_send(await fragments.arow_event(event["thread"], event["version"], self.language))
