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
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from cohort import i18n
from cohort.mail import send_later
from cohort.models import Delivery, Notification, User
from cohort.periodic import periodic

log = logging.getLogger(__name__)

# The subjects of e-mails carrying several notifications (msgids: translated for each recipient).
NEW_NOTIFICATIONS = gettext_lazy("QM Cohort: new notifications")
DAILY_DIGEST = gettext_lazy("QM Cohort: your daily digest")


def _send_batch(user: User, delivery: str, subject: str | Promise) -> int:
    """E-mail the user's unsent notifications of one delivery kind, each exactly once, in their language."""
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
        with i18n.in_language_of(user):
            title = str(subject) if len(pending) > 1 else pending[0].text
            body = render_to_string("cohort/email/notifications.txt", context)
        # Queued in the same transaction that marks them e-mailed: both happen, or neither.
        send_later(EmailMessage(title, body, to=[user.email]))
    return len(pending)


@task()
def send_notification_emails(user_ids: list[int]) -> int:
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        sent += _send_batch(user, Delivery.IMMEDIATE, NEW_NOTIFICATIONS)
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
        sent += _send_batch(user, Delivery.DIGEST, DAILY_DIGEST)
    return sent
