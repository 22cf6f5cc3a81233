"""Background work of the self-assessment: award reminders before the mid-point review (eighteen
months in) and before the expiry (three years)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cohort.assessment.services import workspace_url
from cohort.models import NotificationKind, SelfAssessment, User
from cohort.notifications import notify
from cohort.periodic import periodic

log = logging.getLogger(__name__)

MIDPOINT_NOTICE = timedelta(days=60)
EXPIRY_NOTICE = timedelta(days=90)
REMINDER_HOUR_UTC = 8


def next_reminder_time(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    today = datetime.combine(now.date(), time(REMINDER_HOUR_UTC), tzinfo=UTC)
    return today if today > now else today + timedelta(days=1)


def _remind(sa: SelfAssessment, *, field: str, title: str) -> bool:
    """Send one reminder for one award, exactly once (the row is locked and marked in one transaction)."""
    with transaction.atomic():
        locked = (
            SelfAssessment.objects.select_for_update()
            .select_related("cohort", "institution")
            .filter(pk=sa.pk, **{f"{field}__isnull": True})
            .first()
        )
        if locked is None:
            return False
        setattr(locked, field, timezone.now())
        locked.save(update_fields=[field])
        notify(
            [
                *User.objects.working_group(locked.cohort, locked.institution_id),
                *User.objects.facilitators_of(locked.cohort),
            ],
            kind=NotificationKind.AWARD,
            title=title.format(sa=locked),
            url=workspace_url(locked),
            cohort=locked.cohort,
        )
    return True


@periodic(next_reminder_time)
def send_award_reminders() -> int:
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
