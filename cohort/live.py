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

from cohort import authn

log = logging.getLogger(__name__)
# A request never waits long for the layer: the periodic re-check is the fallback for a lost message.
SEND_TIMEOUT = 2.0
CLOSE_REFUSED = 4403  # the close code of a socket whose user may no longer see what it shows


def session_user(scope: dict[str, Any]) -> Any:
    """Whom a socket's session signs in now, or None: the scope's session is a snapshot, so the
    chokepoint (cohort.authn) asks the store whether it still exists (logout deletes it), whose it
    is (the user may be gone, deactivated, or have changed their password), and whether it is still
    signed in as the person's role requires (second factor, inactivity limit). Sync."""
    return authn.socket_user(scope)


def user_group(user_id: int) -> str:
    return f"live.user.{user_id}"


def notifications_group(user_id: int) -> str:
    """The person's open pages, whichever they are: their header shows the unread count."""
    return f"live.notifications.{user_id}"


def notifications_changed(user_ids: list[int], *, title: str = "", sentence: str = "") -> None:
    """After commit, the open pages of these people show their new unread count (and, for a new
    notification, announce its title to screen readers, in each reader's language when `sentence`
    holds it: Notification.message)."""
    if not user_ids:
        return
    message = {"type": "notifications.changed", "title": title, "sentence": sentence}
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
        publisher = _publisher(layer)
        if publisher is not None:
            publisher.publish(groups, message)
            return

        async def send_all() -> None:
            sends = (layer.group_send(group, message) for group in groups)
            await asyncio.wait_for(asyncio.gather(*sends), SEND_TIMEOUT)

        async_to_sync(send_all)()
    except Exception:  # the layer only signals: what a socket misses, the database still holds
        log.exception("could not signal %d live group(s)", len(groups))


def has_listeners(groups: list[str]) -> bool:
    """Whether any socket may be in these groups now: on Redis pub/sub, whether any process has
    subscribed to one of them (one round trip); on any other layer, or if Redis cannot say, True.

    For skipping work that only a listener would use. A socket that joins just after this answered
    no loses nothing: it asks for what changed since its page was rendered once it has joined.
    """
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        publisher = _publisher(layer)
        return True if publisher is None else publisher.has_listeners(groups)
    except Exception:
        log.warning("could not ask the layer for listeners")
        return True


class _Publisher:
    """Publishes to a RedisPubSubChannelLayer's groups as its group_send does (same channel names,
    shards and serialisation) from synchronous code, with one thread-safe client per shard and one
    round trip per shard for all the groups; and asks whether a group has a subscriber."""

    def __init__(self, layer: Any, names: Any, clients: list[Any]) -> None:
        from channels_redis.utils import _consistent_hash

        self.layer, self.names, self.clients = layer, names, clients
        self.shard_of = lambda channel: _consistent_hash(channel, len(clients))

    def by_shard(self, groups: list[str]) -> dict[int, list[str]]:
        channels: dict[int, list[str]] = {}
        for group in groups:
            channel = self.names._get_group_channel_name(group)
            channels.setdefault(self.shard_of(channel), []).append(channel)
        return channels

    def publish(self, groups: list[str], message: dict[str, Any]) -> None:
        data = self.layer.serialize(message)
        for shard, channels in self.by_shard(groups).items():
            if len(channels) == 1:
                self.clients[shard].publish(channels[0], data)
                continue
            pipe = self.clients[shard].pipeline(transaction=False)
            for channel in channels:
                pipe.publish(channel, data)
            pipe.execute()

    def has_listeners(self, groups: list[str]) -> bool:
        return any(
            count
            for shard, channels in self.by_shard(groups).items()
            for _, count in self.clients[shard].pubsub_numsub(*channels)
        )


def _publisher(layer: Any) -> _Publisher | None:
    """The layer's _Publisher if it is a RedisPubSubChannelLayer (made once per layer), else None."""
    from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer

    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    made = vars(layer).get("_qm_publisher")  # not getattr: the layer hands unknown names to its per-loop layer
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
    layer._qm_publisher = _Publisher(layer, names, clients)
    return layer._qm_publisher
