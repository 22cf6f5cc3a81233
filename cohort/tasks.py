"""Background work of the cohort app: notification e-mails and the daily digest."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from cohort.mail import send_later
from cohort.models import Delivery, Notification, User
from cohort.periodic import periodic

log = logging.getLogger(__name__)


def _send_batch(user: User, delivery: str, subject: str) -> int:
    """E-mail the user's unsent notifications of one delivery kind, each exactly once."""
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update()
            .filter(user=user, delivery=delivery, emailed_at__isnull=True)
            .order_by("created_at")
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
        context = {"user": user, "notifications": pending, "site_url": settings.SITE_URL}
        # Queued in the same transaction that marks them e-mailed: both happen, or neither.
        send_later(
            EmailMessage(
                subject if len(pending) > 1 else pending[0].title,
                render_to_string("cohort/email/notifications.txt", context),
                to=[user.email],
            )
        )
    return len(pending)


@task()
def send_notification_emails(user_ids: list[int]) -> int:
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        sent += _send_batch(user, Delivery.IMMEDIATE, "QM Cohort: new notifications")
    log.info("sent %d notification e-mails", sent)
    return sent


DIGEST_HOUR_UTC = 7


def next_digest_time(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    today = datetime.combine(now.date(), time(DIGEST_HOUR_UTC), tzinfo=UTC)
    return today if today > now else today + timedelta(days=1)


@periodic(next_digest_time)
def send_daily_digests() -> int:
    user_ids = (
        Notification.objects.filter(delivery=Delivery.DIGEST, emailed_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    for user in User.objects.filter(pk__in=list(user_ids), is_active=True):
        sent += _send_batch(user, Delivery.DIGEST, "QM Cohort: your daily digest")
    return sent
