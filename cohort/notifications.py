"""Notifications: the one way every app tells people something.

A notification is a row (the in-site list and the unread count in the header). E-mail follows each
user's preference for the kind: at once (batched: one e-mail carries everything that arrived in the
last minute), in the daily digest, or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cohort import live
from cohort.models import Cohort, Delivery, Notification, NotificationKind, NotificationPreference, User

log = logging.getLogger(__name__)

EMAIL_BATCH_DELAY = timedelta(seconds=60)


def delivery_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    prefs = dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), kind=kind).values_list("user_id", "delivery")
    )
    return prefs


def notify(
    users: Iterable[User],
    *,
    kind: NotificationKind | str,
    title: str,
    url: str = "",
    cohort: Cohort | None = None,
    body: str = "",
    exclude: User | None = None,
) -> list[Notification]:
    """Create a notification for each user and queue their e-mail after the transaction commits."""
    recipients = {u.pk: u for u in users if u.is_active and (exclude is None or u.pk != exclude.pk)}
    if not recipients:
        return []
    prefs = delivery_for(recipients, str(kind))
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user_id=uid,
                cohort=cohort,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                created_at=now,
                delivery=prefs.get(uid, Delivery.IMMEDIATE),
            )
            for uid in recipients
        ]
    )
    live.notifications_changed(sorted(recipients), title=title[:200])
    immediate = sorted({n.user_id for n in rows if n.delivery == Delivery.IMMEDIATE})
    if immediate:
        transaction.on_commit(lambda: _queue_emails(immediate))
    log.info("notified %d users (kind=%s)", len(rows), kind)
    return rows


def _queue_emails(user_ids: list[int]) -> None:
    from cohort.tasks import send_notification_emails

    backend = send_notification_emails.get_backend()
    if backend.supports_defer:
        send_notification_emails.using(run_after=timezone.now() + EMAIL_BATCH_DELAY).enqueue(user_ids)
    else:
        send_notification_emails.enqueue(user_ids)


def mark_read(user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    changed = qs.update(read_at=timezone.now())
    if changed:
        live.notifications_changed([user.pk])  # the count in their other tabs
    return changed
