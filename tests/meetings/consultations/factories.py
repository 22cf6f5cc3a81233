"""Builders for consultation tests: a host's settings and availability, and bookings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from cohort.models import Cohort, Institution, User
from meetings.consultations.models import AvailabilityWindow, BlockedPeriod, Consultation, ConsultationSettings

WEEKDAYS_9_TO_5 = [(d, time(9), time(17)) for d in range(5)]


def make_settings(
    cohort: Cohort,
    host: User,
    *,
    windows: list[tuple[int, time, time]] | None = None,
    blocked: list[tuple[date, date]] | None = None,
    time_zone: str = "Europe/London",
    **values: object,
) -> ConsultationSettings:
    existing = ConsultationSettings.objects.filter(cohort=cohort, host=host).first()
    if existing is not None:  # one host's settings per cohort: building them twice returns the first
        return existing
    cs = ConsultationSettings.objects.create(
        cohort=cohort, host=host, time_zone=time_zone, video_url="https://video.example/alex-room", **values
    )
    AvailabilityWindow.objects.bulk_create(
        [
            AvailabilityWindow(settings=cs, weekday=d, starts_at=s, ends_at=e)
            for d, s, e in (WEEKDAYS_9_TO_5 if windows is None else windows)
        ]
    )
    BlockedPeriod.objects.bulk_create([BlockedPeriod(settings=cs, starts_on=s, ends_on=e) for s, e in blocked or []])
    return cs


def every_day(cohort: Cohort, host: User, **values: Any) -> ConsultationSettings:
    """Open all day every day: some slot is always free beyond the notice."""
    return make_settings(cohort, host, windows=[(d, time(0), time(23, 59)) for d in range(7)], **values)


def make_consultation(
    cohort: Cohort,
    host: User,
    institution: Institution,
    *,
    starts_at: datetime | None = None,
    booked_by: User | None = None,
    minutes: int = 60,
    buffer: int = 0,
    topic: str = "Our draft narrative for area 5",
    **values: object,
) -> Consultation:
    starts_at = starts_at or (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    ends_at = starts_at + timedelta(minutes=minutes)
    return Consultation.objects.create(
        cohort=cohort,
        host=host,
        institution=institution,
        booked_by=booked_by,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_from=starts_at - timedelta(minutes=buffer),
        blocked_until=ends_at + timedelta(minutes=buffer),
        topic=topic,
        video_url="https://video.example/alex-room",
        **values,
    )
