"""The websocket every page of a signed-in person holds: their unread-notification count.

The header shows how many notifications are unread. When one arrives (a reply in a followed thread,
a mention, a meeting) or they are read in another tab, cohort.live.notifications_changed() tells
the person's open pages after commit; each socket counts afresh (one query, for that person only)
and swaps the header's link, and a new notification's title is read out by the polite status region
beside it. The socket closes at once when the person logs out of this session or their account
stops being usable (the same pushed re-check as the discussion pages).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from cohort import live
from cohort.models import Notification


class NotificationsConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=live.CLOSE_REFUSED)
            return
        self.user_id = user.pk
        for group in (live.notifications_group(user.pk), live.user_group(user.pk)):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        await self.send_count("")  # the page may be stale (back button, a reconnect)

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Nothing is taken from the page over this socket."""

    async def notifications_changed(self, event: dict[str, Any]) -> None:
        await self.send_count(str(event.get("title", ""))[:200])

    async def send_count(self, title: str) -> None:
        count = await database_sync_to_async(self.unread_count)()
        if count is None:
            await self.close(code=live.CLOSE_REFUSED)
            return
        html = render_to_string("cohort/_notifications_live.html", {"unread_notifications": count, "title": title})
        await self.send(text_data=html)

    def unread_count(self) -> int | None:
        """The person's unread count, or None if this session no longer signs them in."""
        if not self.still_signed_in():
            return None
        return Notification.objects.filter(user_id=self.user_id, read_at__isnull=True).count()

    def still_signed_in(self) -> bool:
        user = live.session_user(self.scope)
        return user is not None and user.is_active and user.pk == self.user_id

    async def access_changed(self, event: dict[str, Any]) -> None:
        """Pushed where access changes (cohort.live): a logout of this session, a deactivation."""
        if event.get("cohort") is not None:
            return  # a change within one cohort: the count is the person's, whatever their roles
        if not await database_sync_to_async(self.still_signed_in)():
            await self.close(code=live.CLOSE_REFUSED)

    async def access_revoked(self, event: dict[str, Any]) -> None:
        await self.close(code=live.CLOSE_REFUSED)
