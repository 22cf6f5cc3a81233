"""What every websocket passes, whichever consumer it reaches (config/asgi.py puts SocketGuard in
front of the project's websocket routes):

- the Origin must be this site exactly: scheme, host and port (SITE_URL, CSRF_TRUSTED_ORIGINS, or the
  address the browser connected to if ALLOWED_HOSTS lists its host);
- the session must sign its person in through the chokepoint (cohort.authn): for staff roles that is
  with the second factor done in this session, and not idle past STAFF_IDLE_TIMEOUT_SECONDS (a staff
  socket closes when its session goes idle, unless a page request moved the deadline);
- one session holds at most WEBSOCKET_SOCKETS_PER_SESSION sockets at once (counted in the cache,
  shared by every process: each socket holds one numbered slot, renewed while it stays open);
- a socket may send at most WEBSOCKET_MESSAGES_PER_MINUTE messages (a page sends one): past that it is
  closed with CLOSE_TOO_MANY_MESSAGES and a reason.

Refusals happen before the handshake completes (the browser sees the connection fail); the page's
script reconnects with its own back-off, and a refused connection reaches no consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.http.request import split_domain_port, validate_host

from cohort import authn, live

log = logging.getLogger(__name__)

CLOSE_REFUSED = live.CLOSE_REFUSED
CLOSE_TOO_MANY_MESSAGES = 4429
CLOSE_TOO_MANY_SOCKETS = 4430
SLOT_SECONDS = 300  # a slot lasts this long unless renewed: a process that dies frees its slots by then
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_tuple(origin: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _secure(scope: dict[str, Any]) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header, value = proxy
        name = header.removeprefix("HTTP_").replace("_", "-").lower().encode()
        return _header(scope, name).split(",")[0].strip() == value
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Whether the socket's Origin is this site: same scheme, host and port, never just the host."""
    origin = _origin_tuple(_header(scope, b"origin"))
    if origin is None:
        return False
    allowed = [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]
    if any(_origin_tuple(item) == origin for item in allowed if "*" not in item):
        return True
    for item in allowed:  # Django's form for subdomains: https://*.example.org
        if "*." in item and (wild := _origin_tuple(item.replace("*.", "wildcard.", 1))) is not None:
            scheme, host, port = wild
            suffix = host.removeprefix("wildcard")
            if origin[0] == scheme and origin[2] == port and origin[1].endswith(suffix):
                return True
    # The address the browser connected to, when it is one of ALLOWED_HOSTS (a same-origin page).
    host = _header(scope, b"host")
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    return _origin_tuple(f"{'https' if _secure(scope) else 'http'}://{host}") == origin


class SessionSlots:
    """At most WEBSOCKET_SOCKETS_PER_SESSION sockets per session, across processes: slot i of a
    session is a cache entry that one socket holds (added atomically), renewed while it is open."""

    def __init__(self, session_key: str) -> None:
        # A digest, not the key itself: cache key names must not hand out sessions to whoever reads the cache.
        self.prefix = f"ws-slot:{hashlib.sha256(session_key.encode()).hexdigest()[:32]}:"
        self.token = uuid.uuid4().hex
        self.slot: str | None = None

    def take(self) -> bool:
        for index in range(int(settings.WEBSOCKET_SOCKETS_PER_SESSION)):
            key = f"{self.prefix}{index}"
            if cache.add(key, self.token, timeout=SLOT_SECONDS):
                self.slot = key
                return True
        return False

    def renew(self) -> None:
        if self.slot is not None and cache.get(self.slot) in (self.token, None):
            cache.set(self.slot, self.token, timeout=SLOT_SECONDS)

    def release(self) -> None:
        if self.slot is not None and cache.get(self.slot) == self.token:
            cache.delete(self.slot)
        self.slot = None


def admit(scope: dict[str, Any]) -> tuple[int | None, SessionSlots | None, float | None]:
    """(close code if refused, the socket's slot, when its session goes idle if it can). Sync."""
    state = authn.socket_state(scope)
    if state.verdict is not authn.Verdict.SIGNED_IN:
        log.info("refused socket %s: %s", scope.get("path"), state.verdict.value)
        return CLOSE_REFUSED, None, None
    slots = SessionSlots(scope["session"].session_key)
    try:
        if not slots.take():
            log.warning(
                "refused socket %s: too many sockets for one session (user %s)", scope.get("path"), state.user.pk
            )
            return CLOSE_TOO_MANY_SOCKETS, None, None
    except Exception:  # the cache (Redis) is down: serve rather than refuse everyone
        log.warning("socket slots not counted: the cache is unavailable")
        slots.slot = None
    return None, slots, state.idle_deadline


def idle_deadline(scope: dict[str, Any]) -> float | None:
    return authn.socket_state(scope).idle_deadline


class SocketGuard:
    """ASGI middleware for websockets, inside AuthMiddlewareStack (it reads the session)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        if not origin_allowed(scope):
            log.info("refused socket %s: origin not this site", scope.get("path"))
            await refuse(receive, send, CLOSE_REFUSED)
            return
        code, slots, deadline = await database_sync_to_async(admit)(scope)
        if code is not None:
            await refuse(receive, send, code)
            return
        guarded = GuardedSocket(scope, receive, send, slots, deadline)
        try:
            await guarded.run(self.app)
        finally:
            if slots is not None:
                with contextlib.suppress(Exception):
                    await sync_to_async(slots.release)()


async def refuse(receive: Any, send: Any, code: int) -> None:
    """Refuse the handshake (the socket never opens) with a close code that tests and logs can read."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": code})


class GuardedSocket:
    """One admitted socket: counts what the client sends, renews its slot, ends it when its session does."""

    def __init__(
        self, scope: dict[str, Any], receive: Any, send: Any, slots: SessionSlots | None, deadline: float | None
    ) -> None:
        self.scope, self.outer_receive, self.send = scope, receive, send
        self.slots, self.deadline = slots, deadline
        self.ended: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.reading: asyncio.Future[dict[str, Any]] | None = None
        self.window_start = 0.0
        self.window_count = 0

    async def run(self, app: Any) -> None:
        watch = asyncio.create_task(self.watch())
        try:
            await app(self.scope, self.receive, self.send)
        finally:
            watch.cancel()
            if self.reading is not None:
                self.reading.cancel()
        if self.ended.done():
            code, reason = self.ended.result()["code"], self.ended.result().get("reason", "")
            with contextlib.suppress(Exception):
                await self.send({"type": "websocket.close", "code": code, "reason": reason})

    def end(self, code: int, reason: str) -> None:
        """End the socket: the consumer hears a disconnect (and tidies up), then the client the close."""
        if not self.ended.done():
            self.ended.set_result({"type": "websocket.disconnect", "code": code, "reason": reason})

    async def receive(self) -> dict[str, Any]:
        if self.ended.done():
            return self.ended.result()
        if self.reading is None:
            self.reading = asyncio.ensure_future(self.outer_receive())
        await asyncio.wait({self.reading, self.ended}, return_when=asyncio.FIRST_COMPLETED)
        if not self.reading.done():
            return self.ended.result()
        message = self.reading.result()
        self.reading = None
        if message["type"] == "websocket.receive" and not self.within_budget():
            log.warning("closed socket %s: over its message budget", self.scope.get("path"))
            self.end(CLOSE_TOO_MANY_MESSAGES, "Too many messages: reload the page to reconnect.")
            return self.ended.result()
        return message

    def within_budget(self) -> bool:
        now = time.monotonic()
        if now - self.window_start >= 60:
            self.window_start, self.window_count = now, 0
        self.window_count += 1
        return self.window_count <= int(settings.WEBSOCKET_MESSAGES_PER_MINUTE)

    async def watch(self) -> None:
        """Renew the slot while the socket is open; end it when its staff session goes idle."""
        renew_at = time.time() + SLOT_SECONDS / 3
        while True:
            wake = min(renew_at, self.deadline + 1) if self.deadline is not None else renew_at
            await asyncio.sleep(max(0.0, wake - time.time()))
            if self.deadline is not None and time.time() > self.deadline:
                self.deadline = await database_sync_to_async(idle_deadline)(self.scope)
                if self.deadline is None or time.time() > self.deadline:
                    log.info("closed socket %s: its session ended", self.scope.get("path"))
                    self.end(CLOSE_REFUSED, "Signed out: log in again.")
                    return
            if time.time() >= renew_at and self.slots is not None:
                with contextlib.suppress(Exception):
                    await sync_to_async(self.slots.renew)()
                renew_at = time.time() + SLOT_SECONDS / 3
