"""The user's private calendar feed: their group meetings and their consultation bookings in one
document.

Composed here rather than by the group-meetings side, because only the sub-domain may import both:
meetings' core gives the meetings (meetings.services.feed_events: a series as one recurring event, as
in its invitation), this module adds the bookings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from cohort.models import INSTITUTION_ROLES, Membership, User
from meetings.calendar import CalendarEvent, build_calendar
from meetings.consultations.models import Consultation
from meetings.consultations.services import calendar_event
from meetings.services import feed_events


@dataclass
class FeedDocument:
    ics: bytes
    count: int


def calendar_events_for(user: User) -> list[CalendarEvent]:
    """Every active consultation booking the user hosts or whose institution they belong to."""
    institution_scopes = Q(pk__in=[])
    for cohort_id, institution_id in Membership.objects.filter(user=user, role__in=INSTITUTION_ROLES).values_list(
        "cohort_id", "institution_id"
    ):
        institution_scopes |= Q(cohort_id=cohort_id, institution_id=institution_id)
    consultations = (
        Consultation.objects.active()
        .filter(Q(host=user) | institution_scopes)
        .with_people()
        .prefetch_related("areas")
        .order_by("starts_at")
    )
    return [calendar_event(c) for c in consultations]


def feed_calendar(user: User) -> FeedDocument:
    """The user's feed, in the active language (the view renders it in the user's)."""
    events = feed_events(user)
    events += calendar_events_for(user)
    return FeedDocument(build_calendar(events, method="PUBLISH", name=_("QM Cohort meetings")), len(events))
