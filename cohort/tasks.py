"""Background work of the cohort app: notification e-mails and the daily digest."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

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
    send_mail(
        subject if len(pending) > 1 else pending[0].title,
        render_to_string("cohort/email/notifications.txt", context),
        None,
        [user.email],
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


# Award reminders: the mid-point review (eighteen months in) and the expiry (three years).

MIDPOINT_NOTICE = timedelta(days=60)
EXPIRY_NOTICE = timedelta(days=90)
REMINDER_HOUR_UTC = 8


def next_reminder_time(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    today = datetime.combine(now.date(), time(REMINDER_HOUR_UTC), tzinfo=UTC)
    return today if today > now else today + timedelta(days=1)


def _remind(sa: object, *, field: str, title: str) -> bool:
    """Send one reminder for one award, exactly once (the row is locked and marked in one transaction)."""
    from cohort.assessment.services import facilitators, working_group, workspace_url
    from cohort.models import NotificationKind, SelfAssessment
    from cohort.notifications import notify

    with transaction.atomic():
        locked = (
            SelfAssessment.objects.select_for_update()
            .select_related("cohort", "institution")
            .filter(pk=sa.pk, **{f"{field}__isnull": True})  # type: ignore[attr-defined]
            .first()
        )
        if locked is None:
            return False
        setattr(locked, field, timezone.now())
        locked.save(update_fields=[field])
        notify(
            working_group(locked.cohort, locked.institution_id) + facilitators(locked.cohort),
            kind=NotificationKind.AWARD,
            title=title.format(sa=locked),
            url=workspace_url(locked),
            cohort=locked.cohort,
        )
    return True


@periodic(next_reminder_time)
def send_award_reminders() -> int:
    from cohort.models import SelfAssessment

    today = timezone.localdate()
    awarded = SelfAssessment.objects.filter(status=SelfAssessment.Status.AWARDED)
    sent = 0
    for sa in awarded.filter(midpoint_reminder_sent_at__isnull=True, midpoint_review_on__lte=today + MIDPOINT_NOTICE):
        sent += _remind(
            sa,
            field="midpoint_reminder_sent_at",
            title="{sa.institution.short_name}: the Quality Mark mid-point review is due by {sa.midpoint_review_on:%-d %B %Y}",
        )
    for sa in awarded.filter(expiry_reminder_sent_at__isnull=True, expires_on__lte=today + EXPIRY_NOTICE):
        sent += _remind(
            sa,
            field="expiry_reminder_sent_at",
            title="{sa.institution.short_name}: the Quality Mark expires on {sa.expires_on:%-d %B %Y}; start the re-submission",
        )
    log.info("sent %d award reminders", sent)
    return sent
