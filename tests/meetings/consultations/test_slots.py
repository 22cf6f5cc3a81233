"""Free consultation slots: weekly windows in the host's zone, across clock changes and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetings.consultations.slots import Rules, compute_free_slots, free_slots
from meetings.consultations.views import group_slots
from meetings.models import Meeting
from tests import factories
from tests.meetings.consultations.factories import make_consultation, make_settings

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def rules(tz=LONDON, windows=None, blocked=(), minutes=60, before=0, after=0, notice_hours=0, weeks=2) -> Rules:
    return Rules(
        tz=tz,
        windows=windows if windows is not None else [(d, time(9), time(12)) for d in range(5)],
        blocked=list(blocked),
        duration=timedelta(minutes=minutes),
        buffer_before=timedelta(minutes=before),
        buffer_after=timedelta(minutes=after),
        notice=timedelta(hours=notice_hours),
        horizon=timedelta(weeks=weeks),
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc, arg-type]


def local_starts(slots, tz=LONDON) -> dict[date, list[str]]:
    out: dict[date, list[str]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(tz)
        out.setdefault(local.date(), []).append(local.strftime("%H:%M"))
    return out


def test_autumn_clock_change_keeps_windows_at_the_same_local_time() -> None:
    # Clocks go back on Sunday 25 October 2026 (BST → GMT).
    slots = compute_free_slots(rules(), now=utc(2026, 10, 22, 0), bookings=[], meetings=[])
    by_day = local_starts(slots)
    assert by_day[date(2026, 10, 23)] == ["09:00", "10:00", "11:00"]  # Friday, BST
    assert by_day[date(2026, 10, 26)] == ["09:00", "10:00", "11:00"]  # Monday, GMT
    friday_first = next(s for s in slots if s.starts_at.date() == date(2026, 10, 23))
    monday_first = next(s for s in slots if s.starts_at.date() == date(2026, 10, 26))
    assert friday_first.starts_at == utc(2026, 10, 23, 8)
    assert monday_first.starts_at == utc(2026, 10, 26, 9)
    assert date(2026, 10, 24) not in by_day and date(2026, 10, 25) not in by_day  # weekend


def test_spring_clock_change_keeps_windows_at_the_same_local_time() -> None:
    # Clocks go forward on Sunday 28 March 2027 (GMT → BST).
    slots = compute_free_slots(rules(), now=utc(2027, 3, 25, 0), bookings=[], meetings=[])
    firsts = {s.starts_at.astimezone(LONDON).date(): s.starts_at for s in reversed(slots)}
    assert firsts[date(2027, 3, 26)] == utc(2027, 3, 26, 9)
    assert firsts[date(2027, 3, 29)] == utc(2027, 3, 29, 8)
    assert all(v == ["09:00", "10:00", "11:00"] for v in local_starts(slots).values())


def test_a_window_on_the_night_the_clocks_go_forward_loses_the_missing_hour() -> None:
    sunday = [(6, time(0), time(4))]
    slots = compute_free_slots(rules(windows=sunday), now=utc(2027, 3, 27, 0), bookings=[], meetings=[])
    on_the_day = [s for s in slots if s.starts_at.astimezone(LONDON).date() == date(2027, 3, 28)]
    # 00:00–04:00 local is only three real hours that night: 00:00 GMT, then 02:00 and 03:00 BST.
    assert [s.starts_at.astimezone(LONDON).strftime("%H:%M") for s in on_the_day] == ["00:00", "02:00", "03:00"]


def test_a_new_york_host_is_seen_by_a_london_lead_at_the_right_time_across_both_clock_changes() -> None:
    # London changes on 25 October, New York on 1 November: for one week they are four hours apart.
    slots = compute_free_slots(rules(tz=NEW_YORK, weeks=3), now=utc(2026, 10, 19, 0), bookings=[], meetings=[])
    by_london_day = {d.day: d for d in group_slots(slots, LONDON, NEW_YORK)}
    assert [c.local.strftime("%H:%M") for c in by_london_day[date(2026, 10, 20)].slots] == ["14:00", "15:00", "16:00"]
    assert [c.local.strftime("%H:%M") for c in by_london_day[date(2026, 10, 27)].slots] == ["13:00", "14:00", "15:00"]
    assert [c.local.strftime("%H:%M") for c in by_london_day[date(2026, 11, 3)].slots] == ["14:00", "15:00", "16:00"]
    assert all(
        c.host_local.strftime("%H:%M") in {"09:00", "10:00", "11:00"} for d in by_london_day.values() for c in d.slots
    )


def test_several_windows_a_day_and_blocked_dates() -> None:
    windows = [(0, time(9), time(11)), (0, time(14), time(16))]
    blocked = [(date(2026, 10, 26), date(2026, 10, 26))]
    slots = compute_free_slots(
        rules(windows=windows, blocked=blocked, weeks=3), now=utc(2026, 10, 18, 0), bookings=[], meetings=[]
    )
    by_day = local_starts(slots)
    assert by_day[date(2026, 10, 19)] == ["09:00", "10:00", "14:00", "15:00"]
    assert date(2026, 10, 26) not in by_day
    assert by_day[date(2026, 11, 2)] == ["09:00", "10:00", "14:00", "15:00"]


def test_bookings_with_buffers_and_meetings_take_slots_away() -> None:
    # A booking 10:00–11:00 GMT with 15-minute buffers blocks 09:45–11:15: with our own 15-minute
    # buffers the 09:00 and 11:00 slots touch it, so only 12:00… remain that morning.
    windows = [(0, time(9), time(14))]
    booking = (utc(2026, 11, 2, 9, 45), utc(2026, 11, 2, 11, 15))
    meeting = (utc(2026, 11, 2, 13, 0), utc(2026, 11, 2, 13, 30))
    slots = compute_free_slots(
        rules(windows=windows, before=15, after=15),
        now=utc(2026, 10, 30, 0),
        bookings=[booking],
        meetings=[meeting],
    )
    # 09:00, 10:00, 11:00 touch the booking's range; 12:00 plus its buffer touches the meeting at 13:00.
    assert date(2026, 11, 2) not in local_starts(slots)


def test_without_buffers_the_neighbouring_slots_stay_free() -> None:
    windows = [(0, time(9), time(14))]
    booking = (utc(2026, 11, 2, 10), utc(2026, 11, 2, 11))
    meeting = (utc(2026, 11, 2, 13, 0), utc(2026, 11, 2, 13, 30))
    slots = compute_free_slots(rules(windows=windows), now=utc(2026, 10, 30, 0), bookings=[booking], meetings=[meeting])
    assert local_starts(slots)[date(2026, 11, 2)] == ["09:00", "11:00", "12:00"]


def test_the_notice_and_the_horizon_bound_the_slots() -> None:
    now = utc(2026, 10, 19, 9, 30)  # Monday 10:30 BST
    slots = compute_free_slots(rules(notice_hours=48, weeks=1), now=now, bookings=[], meetings=[])
    assert slots[0].starts_at == utc(2026, 10, 21, 10)  # Wednesday 11:00 BST: the first start 48 h away
    assert slots[-1].starts_at <= now + timedelta(weeks=1)
    assert slots[-1].starts_at == utc(2026, 10, 26, 9, 0)  # Monday 09:00 GMT


@pytest.mark.django_db
def test_free_slots_leave_out_the_hosts_group_meetings_and_bookings_but_not_other_cohorts_meetings(world) -> None:
    cs = make_settings(world.cohort, world.alex, windows=[(0, time(9), time(12))])
    Meeting.objects.create(
        cohort=world.cohort, title="Area 3", starts_at=utc(2026, 11, 2, 9, 0), ends_at=utc(2026, 11, 2, 10, 30)
    )
    Meeting.objects.create(  # alex is not in the other cohort
        cohort=world.other_cohort, title="Elsewhere", starts_at=utc(2026, 11, 2, 11), ends_at=utc(2026, 11, 2, 12)
    )
    make_consultation(world.cohort, world.alex, world.irwell, starts_at=utc(2026, 11, 9, 10))
    cancelled = make_consultation(world.cohort, world.alex, world.irwell, starts_at=utc(2026, 11, 9, 11))
    cancelled.status = cancelled.Status.CANCELLED
    cancelled.save()
    slots = free_slots(cs, now=utc(2026, 10, 26, 0))
    by_day = local_starts(slots)
    assert by_day[date(2026, 11, 2)] == ["11:00"]
    assert by_day[date(2026, 11, 9)] == ["09:00", "11:00"]


@pytest.mark.django_db
def test_a_new_york_hosts_stored_windows_follow_new_york_time(world) -> None:
    host = factories.make_user("Nadia", time_zone="America/New_York")
    cs = make_settings(world.cohort, host, time_zone="America/New_York", windows=[(1, time(9), time(10))])
    slots = free_slots(cs, now=utc(2026, 10, 26, 0))  # 48 hours' notice: Tuesday 27 October is too soon
    assert slots[0].starts_at == utc(2026, 11, 3, 14)  # Tuesday 09:00 EST, after New York's change
    assert slots[1].starts_at == utc(2026, 11, 10, 14)
