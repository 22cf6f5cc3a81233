"""Consultation bookings as calendar events, for the user's calendar feed (the feed itself is built
by the group-meetings side, which calls this)."""

from __future__ import annotations

from django.db.models import Q

from cohort.models import Membership, Role, User
from meetings.calendar import CalendarEvent
from meetings.consultations.models import Consultation


def calendar_events_for(user: User) -> list[CalendarEvent]:
    """Every active consultation booking the user hosts or whose institution they belong to."""
    from meetings.consultations.services import calendar_event

    institution_scopes = Q(pk__in=[])
    for cohort_id, institution_id in Membership.objects.filter(
        user=user, role__in=[Role.LEAD, Role.MEMBER]
    ).values_list("cohort_id", "institution_id"):
        institution_scopes |= Q(cohort_id=cohort_id, institution_id=institution_id)
    consultations = (
        Consultation.objects.active()
        .filter(Q(host=user) | institution_scopes)
        .select_related("cohort", "host", "institution", "booked_by")
        .prefetch_related("areas")
        .order_by("starts_at")
    )
    return [calendar_event(c) for c in consultations]
