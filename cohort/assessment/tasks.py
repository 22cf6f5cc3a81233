"""Background work of the self-assessment: award reminders before the mid-point review (eighteen
months in) and before the expiry (three years)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohort.assessment.services import long_date, notify_in_their_language, workspace_url
from cohort.models import NotificationKind, SelfAssessment, User
from cohort.periodic import periodic

log = logging.getLogger(__name__)

MIDPOINT_NOTICE = timedelta(days=60)
EXPIRY_NOTICE = timedelta(days=90)
REMINDER_HOUR_UTC = 8


def next_reminder_time(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    today = datetime.combine(now.date(), time(REMINDER_HOUR_UTC), tzinfo=UTC)
    return today if today > now else today + timedelta(days=1)


def _remind(sa: SelfAssessment, *, field: str, title: Callable[[SelfAssessment], str]) -> bool:
    """Send one reminder for one award, exactly once (the row is locked and marked in one transaction).
    `title` writes it for the locked row, in each recipient's language."""
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
        notify_in_their_language(
            [
                *User.objects.working_group(locked.cohort, locked.institution_id),
                *User.objects.facilitators_of(locked.cohort),
            ],
            kind=NotificationKind.AWARD,
            title=lambda: title(locked),
            url=workspace_url(locked),
            cohort=locked.cohort,
        )
    return True


def _midpoint_title(sa: SelfAssessment) -> str:
    return _("%(institution)s: the Quality Mark mid-point review is due by %(date)s") % {
        "institution": sa.institution.short_name,
        "date": long_date(sa.midpoint_review_on),
    }


def _expiry_title(sa: SelfAssessment) -> str:
    return _("%(institution)s: the Quality Mark expires on %(date)s; start the re-submission") % {
        "institution": sa.institution.short_name,
        "date": long_date(sa.expires_on),
    }


@periodic(next_reminder_time)
def send_award_reminders() -> int:
    today = timezone.localdate()
    awarded = SelfAssessment.objects.filter(status=SelfAssessment.Status.AWARDED)
    sent = 0
    for sa in awarded.filter(midpoint_reminder_sent_at__isnull=True, midpoint_review_on__lte=today + MIDPOINT_NOTICE):
        sent += _remind(
            sa,
            field="midpoint_reminder_sent_at",
            title=_midpoint_title,
        )
    for sa in awarded.filter(expiry_reminder_sent_at__isnull=True, expires_on__lte=today + EXPIRY_NOTICE):
        sent += _remind(
            sa,
            field="expiry_reminder_sent_at",
            title=_expiry_title,
        )
    log.info("sent %d award reminders", sent)
    return sent
