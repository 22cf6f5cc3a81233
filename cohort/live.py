"""Open live pages (websockets) hear at once when a person's access changes, wherever it changes.

Every live consumer joins user_group(user_id). access_changed() tells that person's sockets, after
commit, to re-check their access now: a socket no longer allowed closes (4403), one whose role
changed reconnects (and so joins the groups of its new role). The message is small and reaches only
that person's sockets; the consumers' periodic re-check stays as the safety net for the rest
(a session that expires, an account deactivated in the admin).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)
# A request never waits long for the layer: the periodic re-check is the fallback for a lost message.
SEND_TIMEOUT = 2.0


def session_user(scope: dict[str, Any]) -> Any:
    """Whom a socket's session signs in now, or None: the scope's session is a snapshot, so ask the
    store whether it still exists (logout deletes it), then whose it is (the user may be gone,
    deactivated, or have changed their password). Without a session, the scope's user. Sync."""
    session = scope.get("session")
    if session is None:
        user = scope.get("user")
    else:
        key = session.session_key
        if not key or not session.exists(key):
            return None
        from django.contrib import auth
        from django.http import HttpRequest

        request = HttpRequest()
        request.session = session
        user = auth.get_user(request)
    return user if user is not None and user.is_authenticated else None


def user_group(user_id: int) -> str:
    return f"live.user.{user_id}"


def notifications_group(user_id: int) -> str:
    """The person's open pages, whichever they are: their header shows the unread count."""
    return f"live.notifications.{user_id}"


def notifications_changed(user_ids: list[int], *, title: str = "") -> None:
    """After commit, the open pages of these people show their new unread count (and, for a new
    notification, announce its title to screen readers)."""
    if not user_ids:
        return
    message = {"type": "notifications.changed", "title": title}
    groups = [notifications_group(uid) for uid in user_ids]
    transaction.on_commit(lambda: send_to_groups(groups, message))


def access_changed(user_id: int, *, cohort_id: int | None = None, session_key: str | None = None) -> None:
    """After commit, the user's open sockets (only those of one cohort, or of one session) re-check access."""
    message = {"type": "access.changed", "cohort": cohort_id, "session": session_key}
    transaction.on_commit(lambda: send_to_user(user_id, message))


def send_to_user(user_id: int, message: dict[str, Any]) -> None:
    send_to_groups([user_group(user_id)], message)


def send_to_groups(groups: list[str], message: dict[str, Any]) -> None:
    """Signal the groups' sockets from synchronous code (a view, a service, a task); never raises.

    On Redis pub/sub a message is one PUBLISH, which a plain Redis client sends from this thread:
    no trip into an event loop (under Daphne, the loop that is busy delivering the last post to its
    sockets; under a WSGI server, a new loop and a new connection for every message). Any other
    layer (the in-memory one of `make run`) gets one trip into the event loop for all the groups.
    """
    layer = get_channel_layer()
    if layer is None or not groups:
        return
    try:
        publish = _publisher(layer)
        if publish is not None:
            for group in groups:
                publish(group, message)
            return

        async def send_all() -> None:
            sends = (layer.group_send(group, message) for group in groups)
            await asyncio.wait_for(asyncio.gather(*sends), SEND_TIMEOUT)

        async_to_sync(send_all)()
    except Exception:  # the layer only signals: what a socket misses, the database still holds
        log.exception("could not signal %d live group(s)", len(groups))


def _publisher(layer: Any) -> Any:
    """For a RedisPubSubChannelLayer: a function publishing as its group_send does (same channel
    names, shards and serialisation), with one thread-safe client per shard; else None."""
    from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
    from channels_redis.utils import _consistent_hash

    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    made = vars(layer).get("_qm_publish")  # not getattr: the layer hands unknown names to its per-loop layer
    if made is not None:
        return made
    import redis

    names = RedisPubSubLoopLayer(*layer._args, channel_layer=layer, **layer._kwargs)  # names only: no connection
    clients = []
    for shard in names._shards:
        host = dict(shard.host)
        if "address" not in host:
            return None  # sentinels and the like: the layer's own path
        address = host.pop("address")
        clients.append(
            redis.Redis.from_url(address, socket_timeout=SEND_TIMEOUT, socket_connect_timeout=SEND_TIMEOUT, **host)
        )

    def publish(group: str, message: dict[str, Any]) -> None:
        channel = names._get_group_channel_name(group)
        clients[_consistent_hash(channel, len(clients))].publish(channel, layer.serialize(message))

    layer._qm_publish = publish
    return publish
