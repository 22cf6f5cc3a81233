"""The permission-checked getters of group meetings: everything through the member's cohort, so
another cohort's meeting, series or agenda item is a 404 (see cohort/access.py for the member)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from cohort.models import Membership
from meetings.models import AgendaItem, Meeting, MeetingSeries


def get_meeting(membership: Membership, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("area", "series__cohort", "cohort"),
        pk=meeting_id,
        cohort_id=membership.cohort_id,
    )


def get_agenda_item(membership: Membership, meeting_id: int, item_id: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting", "meeting__cohort"),
        pk=item_id,
        meeting_id=meeting_id,
        meeting__cohort_id=membership.cohort_id,
    )


def get_series(membership: Membership, series_id: int) -> MeetingSeries:
    return get_object_or_404(MeetingSeries, pk=series_id, cohort_id=membership.cohort_id)
