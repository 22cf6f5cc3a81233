"""Consultation bookings as calendar events, for the user's calendar feed (filled in by the
consultations issue)."""

from __future__ import annotations

from cohort.models import User
from meetings.calendar import CalendarEvent


def calendar_events_for(user: User) -> list[CalendarEvent]:
    """Every active consultation booking the user hosts or whose institution they belong to."""
    return []
