"""The HTML that live updates carry, rendered once per change and shared by every subscriber.

A fragment is keyed by what it shows at one moment — (post, seq), (thread row, changed_at) — so it
can be cached: the first renderer (normally the service, on commit) stores it in the cache, every
consumer of every process reads it from there (and from a small per-process memo), and a miss falls
back to one render from the database. No per-subscriber queries.

The memo holds each fragment as the websocket.send message that carries it: one object per
fragment per process, which every socket of the process sends as it is (nothing is built per
socket). ASGI servers only read the messages they are sent; nobody may change one.

Fragments are in the reader's language: each is rendered (and cached, and remembered) once per
language, and every socket sends the one in its reader's language (the socket's language is settled
when it connects: see consumers.socket_language). A post's words are the same in every language; the
interface around them (Reply, Edit, dates) is not.

Fragments are pure ASCII, every other character written as a character reference (&#8230; for …),
which the page parses to the same text: the server encodes each message to UTF-8 once per socket,
and for an ASCII string that is a copy, about fifteen times cheaper than for a string with a
single character beyond ASCII (3 kB: 0.2 against 3.5 µs).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from cohort.i18n import CODES, normalise
from discussions.models import Post, Thread

log = logging.getLogger(__name__)

# The language of a fragment rendered on commit, before any socket asked for one (others render on demand).
DEFAULT_LANGUAGE = normalise(settings.LANGUAGE_CODE)
LANGUAGES = sorted(CODES)
TTL = 300
_MEMO_SIZE = 512
type Message = dict[str, str]  # a websocket.send message
_memo: OrderedDict[str, Message] = OrderedDict()
_inflight: dict[str, list[asyncio.Future[Message | None]]] = {}


# The shared cache (Redis in production) only saves work: when it is down, render again.
def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        log.warning("fragment cache unavailable")
        return None


def _cache_set(key: str, html: str, ttl: int) -> None:
    try:
        cache.set(key, html, ttl)
    except Exception:
        log.warning("fragment cache unavailable")


async def _cache_aget(key: str) -> Any:
    try:
        return await cache.aget(key)
    except Exception:
        log.warning("fragment cache unavailable")
        return None


def _remember(key: str, html: str) -> Message:
    message = _memo[key] = {"type": "websocket.send", "text": html}
    _memo.move_to_end(key)
    while len(_memo) > _MEMO_SIZE:
        _memo.popitem(last=False)
    return message


def _ascii(html: str) -> str:
    # Fragments hold no script or style element, the only places where a reference is not decoded.
    return html.encode("ascii", "xmlcharrefreplace").decode("ascii")


def post_key(post_id: int, seq: int, token: str, language: str = DEFAULT_LANGUAGE) -> str:
    # The token (the post's idempotency key) keeps a key from naming another post when ids are reused
    # (a restored or flushed database with a long-lived cache).
    return f"discussions:post:{post_id}:{seq}:{token}:{language}"


def row_key(thread_id: int, version: str, language: str = DEFAULT_LANGUAGE) -> str:
    return f"discussions:row:{thread_id}:{version}:{language}"


def status_key(thread_id: int, version: str, language: str = DEFAULT_LANGUAGE) -> str:
    return f"discussions:status:{thread_id}:{version}:{language}"


def render_post_event(post: Post, seq: int) -> str:
    """Upsert of one post: replace its article where the page has it, else append its node."""
    post.children = []  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "post": post,
        "seq": seq,
        "thread": post.thread,
        "cohort_slug": post.thread.theme.cohort.slug,
    }
    return _ascii(render_to_string("discussions/thread.html#post_event", context))


def render_row_event(thread: Thread, version: str) -> str:
    context = {"thread": thread, "cohort_slug": thread.theme.cohort.slug, "live": True, "version": version}
    return _ascii(render_to_string("discussions/theme.html#row_event", context))


def render_status_event(thread: Thread) -> str:
    return _ascii(render_to_string("discussions/thread.html#thread_status", {"thread": thread, "oob": True}))


def _load_post(post_id: int) -> Post | None:
    return Post.objects.select_related("thread__theme__cohort", "parent", "institution").filter(pk=post_id).first()


def load_thread(thread_id: int) -> Thread | None:
    return Thread.objects.select_related("theme__cohort", "last_author", "institution").filter(pk=thread_id).first()


def _fragment(key: str, render: Callable[[], str | None], *, fresh: bool = False) -> str:
    """Memo, then the shared cache, then one render (stored for the other processes).

    fresh: the caller has just committed the change the key names, so nobody can have rendered it
    yet: render and store without looking it up first (one cache round trip less on the post path).
    """
    if key in _memo:
        return _memo[key]["text"]
    html = None if fresh else _cache_get(key)
    if html is None:
        html = render()
        if html is None:
            return ""
        _cache_set(key, html, TTL)
    return _remember(key, html)["text"]


def post_event_html(
    post_id: int, seq: int, token: str, post: Post | None = None, language: str = DEFAULT_LANGUAGE
) -> str:
    """The fragment for a post as of seq (or its current state, which is newer and equally right), in
    `language`.

    With post (the instance just saved, its thread, cohort, parent and institution loaded), the
    fragment is rendered from it: the service's on-commit path, which reads nothing back.
    """

    def render() -> str | None:
        found = post or _load_post(post_id)
        if found is None:
            return None
        with translation.override(language):
            return render_post_event(found, seq)

    return _fragment(post_key(post_id, seq, token, language), render, fresh=post is not None)


def row_event_html(thread_id: int, version: str, thread: Thread | None = None, language: str = DEFAULT_LANGUAGE) -> str:
    def render() -> str | None:
        found = thread or load_thread(thread_id)
        if found is None:
            return None
        with translation.override(language):
            return render_row_event(found, version)

    return _fragment(row_key(thread_id, version, language), render, fresh=thread is not None)


def status_event_html(
    thread_id: int, version: str, thread: Thread | None = None, language: str = DEFAULT_LANGUAGE
) -> str:
    def render() -> str | None:
        found = thread or load_thread(thread_id)
        if found is None:
            return None
        with translation.override(language):
            return render_status_event(found)

    return _fragment(status_key(thread_id, version, language), render, fresh=thread is not None)


async def _shared(key: str, render: Callable[[], str]) -> Message:
    """Memo, then cache, then one render; the process's other consumers wait for that one lookup.

    A broadcast reaches every consumer of a process at once, so all but the first wait here. Each
    waits on a future of its own (cancelling one, when its socket closes, touches no other), and
    the first sets them all: cheaper per socket than one shielded future shared by all.
    """
    while True:
        if key in _memo:
            return _memo[key]
        waiters = _inflight.get(key)
        if waiters is None:
            break
        mine: asyncio.Future[Message | None] = asyncio.get_running_loop().create_future()
        waiters.append(mine)
        message = await mine
        if message is not None:
            return message
        # The first one's socket closed before its lookup ended: look it up again.
    waiters = _inflight[key] = []
    message = None
    try:
        html = await _cache_aget(key)
        if html is None:
            html = await database_sync_to_async(render)()
            # render() remembered what it rendered; "" (nothing left to show) is not remembered.
            message = _memo.get(key) or {"type": "websocket.send", "text": html}
        else:
            message = _remember(key, html)
        return message
    except Exception as error:
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(error)
        raise
    finally:
        del _inflight[key]
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(message)


# The messages consumers send, in the socket's language. A memo hit, the case of every socket but the
# first of each language, costs one lookup.
async def apost_event(post_id: int, seq: int, token: str, language: str = DEFAULT_LANGUAGE) -> Message:
    key = post_key(post_id, seq, token, language)
    return _memo.get(key) or await _shared(key, lambda: post_event_html(post_id, seq, token, language=language))


async def arow_event(thread_id: int, version: str, language: str = DEFAULT_LANGUAGE) -> Message:
    key = row_key(thread_id, version, language)
    return _memo.get(key) or await _shared(key, lambda: row_event_html(thread_id, version, language=language))


async def astatus_event(thread_id: int, version: str, language: str = DEFAULT_LANGUAGE) -> Message:
    key = status_key(thread_id, version, language)
    return _memo.get(key) or await _shared(key, lambda: status_event_html(thread_id, version, language=language))


def forget_post(post_id: int, upto_seq: int, token: str) -> None:
    """Drop every fragment of a post up to seq from the shared cache and this process's memo: after an
    erasure no cached copy may still carry the words. (Other processes' memos are keyed by the old
    token, which no event names again once the post has a new one.)"""
    keys = [post_key(post_id, seq, token, language) for seq in range(1, upto_seq + 1) for language in LANGUAGES]
    for start in range(0, len(keys), 500):
        try:
            cache.delete_many(keys[start : start + 500])
        except Exception:
            log.warning("fragment cache unavailable")
    for key in keys:
        _memo.pop(key, None)


def forget_thread(thread_id: int, version: str) -> None:
    """Drop a thread's row and status fragments as of version (its title or last author changed)."""
    keys = [key(thread_id, version, language) for key in (row_key, status_key) for language in LANGUAGES]
    try:
        cache.delete_many(keys)
    except Exception:
        log.warning("fragment cache unavailable")
    for key in keys:
        _memo.pop(key, None)
