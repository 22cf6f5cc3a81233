"""A meeting series: local wall time across the clock changes, the framework area by area, one
meeting changed without the others, and bad input refused with nothing saved."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import Meeting, MeetingSeries
from tests.factories import CONFIRMED, client_for

LONDON = zoneinfo.ZoneInfo("Europe/London")


def series(fran_m, **kwargs) -> MeetingSeries:
    values: dict[str, Any] = {
        "title": "Group meeting",
        "starts_on": date(2026, 10, 12),
        "time_of_day": time(10),
        "count": 3,
    }
    values.update(kwargs)
    return services.create_series(fran_m, **values)


def test_a_series_keeps_ten_oclock_london_across_the_end_of_summer_time(fran_m) -> None:
    # British Summer Time ends on Sunday 25 October 2026.
    s = series(fran_m, starts_on=date(2026, 10, 12), count=3)
    meetings = list(s.meetings.order_by("starts_at"))
    assert [m.starts_at for m in meetings] == [
        datetime(2026, 10, 12, 9, 0, tzinfo=UTC),  # 10:00 BST
        datetime(2026, 11, 2, 10, 0, tzinfo=UTC),  # 10:00 GMT
        datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    ]
    assert {m.starts_at.astimezone(LONDON).time() for m in meetings} == {time(10)}
    assert all((m.ends_at - m.starts_at).total_seconds() == 90 * 60 for m in meetings)


def test_a_series_keeps_ten_oclock_london_across_the_start_of_summer_time(fran_m) -> None:
    # British Summer Time starts on Sunday 28 March 2027.
    s = series(fran_m, starts_on=date(2027, 3, 15), count=2)
    assert list(s.meetings.order_by("starts_at").values_list("starts_at", flat=True)) == [
        datetime(2027, 3, 15, 10, 0, tzinfo=UTC),
        datetime(2027, 4, 5, 9, 0, tzinfo=UTC),
    ]


def test_a_series_in_another_time_zone_keeps_its_own_wall_time(fran_m) -> None:
    s = series(fran_m, starts_on=date(2027, 3, 1), count=2, time_zone="America/New_York", time_of_day=time(9))
    # New York moves to summer time on 14 March 2027: 14:00 UTC, then 13:00 UTC.
    assert list(s.meetings.order_by("starts_at").values_list("starts_at", flat=True)) == [
        datetime(2027, 3, 1, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 22, 13, 0, tzinfo=UTC),
    ]


def test_each_meeting_takes_the_next_area_and_the_eighth_starts_again(fran_m) -> None:
    s = series(fran_m, count=9)
    positions = list(s.meetings.order_by("starts_at").values_list("area__position", flat=True))
    assert positions == [1, 2, 3, 4, 5, 6, 7, 1, 2]
    first = s.meetings.select_related("area").order_by("starts_at")[0]
    assert first.area is not None and first.title == f"Group meeting: {first.area.title}"


def test_a_series_can_start_from_a_chosen_area(fran_m, world) -> None:
    area = world.cohort.framework.areas.get(position=6)
    s = series(fran_m, count=3, first_area=area)
    assert list(s.meetings.order_by("starts_at").values_list("area__position", flat=True)) == [6, 7, 1]


def test_an_end_date_gives_every_meeting_up_to_it(fran_m) -> None:
    s = series(fran_m, starts_on=date(2026, 10, 12), count=None, ends_on=date(2026, 11, 23))
    assert s.meetings.count() == 3


def test_the_facilitator_creates_a_series_through_the_form(world) -> None:
    response = client_for(world.fran).post(
        reverse("meetings:create_series", kwargs={"cohort": world.cohort.slug}),
        {
            "title": "Group meeting",
            "starts_on": "2026-10-12",
            "time_of_day": "10:00",
            "time_zone": "Europe/London",
            "duration_minutes": "90",
            "cadence_weeks": "3",
            "count": "7",
            "video_url": "https://meet.example.org/gm",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "7 meetings scheduled" in response.content.decode()
    assert Meeting.objects.filter(cohort=world.cohort, video_url="https://meet.example.org/gm").count() == 7


BAD_SERIES = [
    pytest.param(
        {"ends_on": "2026-10-01", "count": ""}, "must end on or after the day it starts", id="end-before-start"
    ),
    pytest.param({"cadence_weeks": "0"}, "at least one week apart", id="cadence-zero"),
    pytest.param({"count": "53"}, "at most 52 meetings", id="too-many"),
    pytest.param({"count": "", "ends_on": "2029-12-31"}, "a series can have at most 52", id="end-too-far"),
    pytest.param({"count": "3", "ends_on": "2026-12-01"}, "not both", id="count-and-end"),
    pytest.param({"count": ""}, "number of meetings or the date", id="neither"),
    pytest.param({"duration_minutes": "0"}, "between 15 minutes", id="no-length"),
]


@pytest.mark.parametrize(("change", "message"), BAD_SERIES)
def test_bad_series_input_gets_a_clear_message_and_saves_nothing(world, change, message) -> None:
    data = {
        "title": "Group meeting",
        "starts_on": "2026-10-12",
        "time_of_day": "10:00",
        "time_zone": "Europe/London",
        "duration_minutes": "90",
        "cadence_weeks": "3",
        "count": "7",
    }
    data.update(change)
    response = client_for(world.fran).post(
        reverse("meetings:create_series", kwargs={"cohort": world.cohort.slug}), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_a_series_that_would_overlap_a_meeting_is_refused_whole(fran_m, world) -> None:
    series(fran_m, starts_on=date(2026, 11, 2), count=1)
    with pytest.raises(ValidationError, match="overlap"):
        series(fran_m, starts_on=date(2026, 10, 12), count=3)  # its second meeting is 2 November 10:00
    assert Meeting.objects.count() == 1 and MeetingSeries.objects.count() == 1


def test_another_cohort_may_meet_at_the_same_time(fran_m, world, make_meeting) -> None:
    s = series(fran_m, count=1)
    first = s.meetings.get()
    Meeting.objects.create(cohort=world.other_cohort, title="Yorks", starts_at=first.starts_at, ends_at=first.ends_at)
    services.update_meeting(
        fran_m,
        first,
        title="Still on",
        area=first.area,
        day=date(2026, 10, 12),
        time_of_day=time(10),
        duration_minutes=90,
        video_url="",
    )
    assert Meeting.objects.get(pk=first.pk).title == "Still on"


def _edit(world, meeting, **change):
    data = {
        "title": meeting.title,
        "area": meeting.area_id or "",
        "day": meeting.local_starts_at.date().isoformat(),
        "time_of_day": meeting.local_starts_at.strftime("%H:%M"),
        "duration_minutes": str(meeting.duration_minutes),
        "video_url": meeting.video_url,
    }
    data.update(change)
    url = reverse("meetings:edit_meeting", kwargs={"cohort": world.cohort.slug, "meeting_id": meeting.pk})
    return client_for(world.fran).post(url, data)


def test_moving_retitling_and_refocusing_one_meeting_leaves_the_others_alone(fran_m, world) -> None:
    s = series(fran_m, count=3)
    first, second, third = s.meetings.order_by("starts_at")
    before = {m.pk: (m.starts_at, m.title, m.area_id, m.sequence) for m in (first, third)}
    area7 = world.cohort.framework.areas.get(position=7)
    response = _edit(
        world, second, title="Partnerships, brought forward", area=area7.pk, day="2026-11-04", time_of_day="14:30"
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.starts_at == datetime(2026, 11, 4, 14, 30, tzinfo=UTC)
    assert second.title == "Partnerships, brought forward" and second.area_id == area7.pk
    assert second.sequence == 1
    assert {
        m.pk: (m.starts_at, m.title, m.area_id, m.sequence) for m in Meeting.objects.exclude(pk=second.pk)
    } == before


def test_moving_a_meeting_onto_another_is_refused_and_changes_nothing(fran_m, world) -> None:
    s = series(fran_m, count=2)
    _first, second = s.meetings.order_by("starts_at")
    response = _edit(world, second, day="2026-10-12", time_of_day="11:00")
    assert response.status_code == 400
    assert "overlap" in response.content.decode()
    second_again = Meeting.objects.get(pk=second.pk)
    assert (second_again.starts_at, second_again.sequence) == (second.starts_at, 0)


def test_a_saved_form_with_no_change_sends_no_update(fran_m, world) -> None:
    first = series(fran_m, count=1).meetings.get()
    assert _edit(world, first).status_code == 302
    assert Meeting.objects.get(pk=first.pk).sequence == 0


def test_cancelling_one_meeting_leaves_the_others_scheduled(fran_m, world) -> None:
    s = series(fran_m, starts_on=date(2030, 1, 7), count=3)
    second = s.meetings.order_by("starts_at")[1]
    url = reverse("meetings:cancel_meeting", kwargs={"cohort": world.cohort.slug, "meeting_id": second.pk})
    page = client_for(world.fran).get(url).content.decode()
    assert "e-mailed an update of the series saying that you cancelled this meeting" in page
    client_for(world.fran).post(url, CONFIRMED)
    statuses = list(s.meetings.order_by("starts_at").values_list("status", "sequence"))
    assert statuses == [("scheduled", 0), ("cancelled", 1), ("scheduled", 0)]
    assert MeetingSeries.objects.get(pk=s.pk).sequence == 1  # the series' invitation is sent again, newer


def test_extending_a_series_continues_the_dates_and_the_areas(fran_m) -> None:
    s = series(fran_m, starts_on=date(2030, 1, 7), count=3)
    assert services.change_series_length(fran_m, s, count=5) == (2, 0)
    rows = list(s.meetings.order_by("starts_at").values_list("position", "area__position", "starts_at"))
    assert [(p, a) for p, a, _ in rows] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
    assert rows[4][2] == datetime(2030, 4, 1, 9, 0, tzinfo=UTC)  # 7 January + 12 weeks: 10:00 BST


def test_extending_after_a_refocus_continues_from_the_last_meetings_area(fran_m, world) -> None:
    s = series(fran_m, starts_on=date(2030, 1, 7), count=2)
    last = s.meetings.order_by("starts_at")[1]
    last.area = world.cohort.framework.areas.get(position=7)
    last.save()
    services.change_series_length(fran_m, s, count=3)
    assert list(s.meetings.order_by("starts_at").values_list("area__position", flat=True)) == [1, 7, 1]


def test_shortening_a_series_cancels_its_last_upcoming_meetings(fran_m) -> None:
    s = series(fran_m, starts_on=date(2030, 1, 7), count=4)
    assert services.change_series_length(fran_m, s, count=2) == (0, 2)
    assert list(s.meetings.order_by("starts_at").values_list("status", flat=True)) == [
        "scheduled",
        "scheduled",
        "cancelled",
        "cancelled",
    ]
    s.refresh_from_db()
    assert s.count == 2


def test_a_series_cannot_be_shortened_past_a_meeting_already_held(fran_m, world) -> None:
    s = series(fran_m, starts_on=date(2025, 9, 8), count=3)
    response = client_for(world.fran).post(
        reverse("meetings:series_length", kwargs={"cohort": world.cohort.slug, "series_id": s.pk}), {"count": "1"}
    )
    assert response.status_code == 400
    assert "already held" in response.content.decode()
    assert not s.meetings.filter(status="cancelled").exists()


def test_a_series_cannot_grow_past_the_maximum(fran_m, world) -> None:
    s = series(fran_m, starts_on=date(2030, 1, 7), count=3)
    with pytest.raises(ValidationError, match="at most 52"):
        services.change_series_length(fran_m, s, count=60)
    assert s.meetings.count() == 3
