"""This app's rows of the access matrix (see tests/matrix.py): group meetings and calendar feeds."""

from datetime import date, time, timedelta

from django.utils import timezone

from meetings.models import AgendaItem, Meeting, MeetingSeries
from meetings.services import feed_for
from tests.factories import CONFIRMED
from tests.matrix import ANY_SIGNED_IN, EVERYONE_IN_COHORT, FACILITATOR_ONLY, Case, WsCase


def _meeting(w) -> Meeting:
    starts = timezone.now().replace(microsecond=0) + timedelta(days=10)
    return Meeting.objects.create(
        cohort=w.cohort, title="Admissions", starts_at=starts, ends_at=starts + timedelta(minutes=90)
    )


def _meeting_kwargs(w) -> dict:
    return {"cohort": w.cohort.slug, "meeting_id": _meeting(w).pk}


def _cancelled_meeting_kwargs(w) -> dict:
    meeting = _meeting(w)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    return {"cohort": w.cohort.slug, "meeting_id": meeting.pk}


def _item_kwargs(w) -> dict:
    meeting = _meeting(w)
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="Welcome")
    return {"cohort": w.cohort.slug, "meeting_id": meeting.pk, "item_id": item.pk}


def _carry_kwargs(w) -> dict:
    meeting = _meeting(w)
    AgendaItem.objects.create(meeting=meeting, position=1, title="Unfinished business")
    later = meeting.starts_at + timedelta(weeks=3)
    Meeting.objects.create(cohort=w.cohort, title="Later", starts_at=later, ends_at=later + timedelta(minutes=90))
    return {"cohort": w.cohort.slug, "meeting_id": meeting.pk}


def _series_kwargs(w) -> dict:
    series = MeetingSeries.objects.create(
        cohort=w.cohort, title="Group meeting", starts_on=date(2030, 1, 7), time_of_day=time(10), count=1
    )
    return {"cohort": w.cohort.slug, "series_id": series.pk}


def _feed_kwargs(w) -> dict:
    return {"token": feed_for(w.alice).token()}


SERIES_DATA = {
    "title": "Group meeting",
    "starts_on": "2030-01-07",
    "time_of_day": "10:00",
    "time_zone": "Europe/London",
    "duration_minutes": "90",
    "cadence_weeks": "3",
    "count": "3",
}

CASES: list[Case] = [
    Case("meetings:schedule", allowed=EVERYONE_IN_COHORT),
    Case("meetings:create_series", allowed=FACILITATOR_ONLY),
    Case(
        "meetings:create_series",
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: SERIES_DATA,
    ),
    Case("meetings:series", kwargs=_series_kwargs, allowed=FACILITATOR_ONLY),
    Case(
        "meetings:series_length",
        kwargs=_series_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"count": "2"},
    ),
    Case("meetings:meeting", kwargs=_meeting_kwargs, allowed=EVERYONE_IN_COHORT),
    Case("meetings:meeting_ics", kwargs=_meeting_kwargs, allowed=EVERYONE_IN_COHORT),
    Case("meetings:edit_meeting", kwargs=_meeting_kwargs, allowed=FACILITATOR_ONLY),
    Case(
        "meetings:edit_meeting",
        kwargs=_meeting_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"title": "Moved", "day": "2030-02-04", "time_of_day": "14:00", "duration_minutes": "60"},
    ),
    Case("meetings:cancel_meeting", kwargs=_meeting_kwargs, allowed=FACILITATOR_ONLY),
    Case(
        "meetings:cancel_meeting",
        kwargs=_meeting_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: CONFIRMED,
    ),
    Case("meetings:restore_meeting", kwargs=_cancelled_meeting_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case(
        "meetings:add_agenda_item",
        kwargs=_meeting_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"title": "Pre-entry work", "institution": w.irwell.pk, "minutes_allotted": "15"},
    ),
    Case(
        "meetings:agenda_item_done",
        kwargs=_item_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"done": "1"},
    ),
    Case("meetings:remove_agenda_item", kwargs=_item_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case("meetings:carry_forward", kwargs=_carry_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case(
        "meetings:save_minutes",
        kwargs=_meeting_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"minutes": "We met."},
    ),
    Case(
        "meetings:add_outcome",
        kwargs=_meeting_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {
            "outcome-kind": "action",
            "outcome-text": "Share the admissions data",
            "outcome-institution": w.irwell.pk,
            "outcome-owner": w.lena.pk,
            "outcome-due_on": "2030-03-01",
        },
    ),
    Case(
        "meetings:record_attendance",
        kwargs=_meeting_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"attended": [w.alice.pk]},
    ),
    Case(
        "meetings:respond",
        kwargs=_meeting_kwargs,
        allowed=EVERYONE_IN_COHORT,
        method="post",
        data=lambda w: {"response": "going"},
    ),
    Case("meetings:publish_summary", kwargs=_meeting_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case("meetings:calendar_feed", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN),
    Case("meetings:regenerate_feed", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN, method="post"),
    # The feed carries its own secret: anyone holding the address gets it (calendar apps have no session).
    Case("meetings:feed", kwargs=_feed_kwargs, allowed=ANY_SIGNED_IN, public=True),
]
WS_CASES: list[WsCase] = []
