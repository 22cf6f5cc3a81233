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
    transaction.on_commit(lambda: _send_to_groups(groups, message))


def access_changed(user_id: int, *, cohort_id: int | None = None, session_key: str | None = None) -> None:
    """After commit, the user's open sockets (only those of one cohort, or of one session) re-check access."""
    message = {"type": "access.changed", "cohort": cohort_id, "session": session_key}
    transaction.on_commit(lambda: send_to_user(user_id, message))


def send_to_user(user_id: int, message: dict[str, Any]) -> None:
    _send_to_groups([user_group(user_id)], message)


def _send_to_groups(groups: list[str], message: dict[str, Any]) -> None:
    """One trip into the event loop for all the groups, however many (a thread's followers)."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        await asyncio.wait_for(asyncio.gather(*(layer.group_send(group, message) for group in groups)), SEND_TIMEOUT)

    try:
        async_to_sync(send_all)()
    except Exception:
        log.exception("could not signal %d live group(s)", len(groups))
