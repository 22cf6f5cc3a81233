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
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from cohort import i18n, live
from cohort.models import Notification, render_sentence


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
        await self.send_count(str(event.get("title", ""))[:200], str(event.get("sentence", "")))

    async def send_count(self, title: str, sentence: str = "") -> None:
        html = await database_sync_to_async(self.render_count)(title, sentence)
        if html is None:
            await self.close(code=live.CLOSE_REFUSED)
            return
        await self.send(text_data=html)

    def render_count(self, title: str, sentence: str) -> str | None:
        """The header's link with the person's unread count (and a new notification's title), in the
        page's language; None if this session no longer signs them in."""
        user = self.signed_in_user()
        if user is None:
            return None
        count = Notification.objects.filter(user_id=self.user_id, read_at__isnull=True).count()
        with translation.override(self.page_language(user)):
            title = (render_sentence(sentence) or title)[:200]
            return render_to_string("cohort/_notifications_live.html", {"unread_notifications": count, "title": title})

    def page_language(self, user: Any) -> str:
        """The language the person's pages are in: their choice, else the toggle's cookie, else English."""
        cookie = (self.scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        return i18n.language_of(getattr(user, "language", "") or cookie or None)

    def signed_in_user(self) -> Any:
        user = live.session_user(self.scope)
        return user if user is not None and user.is_active and user.pk == self.user_id else None

    def still_signed_in(self) -> bool:
        return self.signed_in_user() is not None

    async def access_changed(self, event: dict[str, Any]) -> None:
        """Pushed where access changes (cohort.live): a logout of this session, a deactivation."""
        if event.get("cohort") is not None:
            return  # a change within one cohort: the count is the person's, whatever their roles
        if not await database_sync_to_async(self.still_signed_in)():
            await self.close(code=live.CLOSE_REFUSED)

    async def access_revoked(self, event: dict[str, Any]) -> None:
        await self.close(code=live.CLOSE_REFUSED)
