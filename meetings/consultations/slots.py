"""Free consultation slots: availability − blocked days − group meetings − bookings − notice.

Weekly windows are wall-clock times in the host's zone. Each date is turned into absolute times on
its own (datetime.combine with the zone, then UTC), so a 09:00 window stays 09:00 local on both sides
of a clock change. Everything after that works in UTC.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cohort.models import Membership
from meetings.consultations.models import Consultation, ConsultationSettings
from meetings.models import Meeting


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime  # aware, UTC
    ends_at: datetime


@dataclass(frozen=True)
class Rules:
    """Everything the computation needs from ConsultationSettings, as plain values."""

    tz: ZoneInfo
    windows: Sequence[tuple[int, time, time]]  # (weekday 0 = Monday, start, end), host-local
    blocked: Sequence[tuple[date, date]]  # inclusive, host-local dates
    duration: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    notice: timedelta
    horizon: timedelta


def rules_for(cs: ConsultationSettings) -> Rules:
    return Rules(
        tz=cs.tzinfo,
        windows=[(w.weekday, w.starts_at, w.ends_at) for w in cs.windows.all()],
        blocked=[(b.starts_on, b.ends_on) for b in cs.blocked.all()],
        duration=cs.duration,
        buffer_before=cs.buffer_before,
        buffer_after=cs.buffer_after,
        notice=cs.notice,
        horizon=cs.horizon,
    )


def _is_blocked(day: date, blocked: Sequence[tuple[date, date]]) -> bool:
    return any(start <= day <= end for start, end in blocked)


def candidate_slots(rules: Rules, first_day: date, last_day: date) -> list[Slot]:
    """Every slot the weekly windows offer between two host-local dates, blocked days left out."""
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in rules.windows:
        by_weekday.setdefault(weekday, []).append((start, end))
    slots: list[Slot] = []
    day = first_day
    while day <= last_day:
        windows = by_weekday.get(day.weekday())
        if windows and not _is_blocked(day, rules.blocked):
            for start, end in windows:
                # Round trip through UTC: a wall time that does not exist (inside a spring-forward
                # gap) lands on the real time just after it.
                cursor = datetime.combine(day, start, tzinfo=rules.tz).astimezone(UTC)
                window_end = datetime.combine(day, end, tzinfo=rules.tz).astimezone(UTC)
                while cursor + rules.duration <= window_end:
                    slots.append(Slot(cursor, cursor + rules.duration))
                    cursor += rules.duration
        day += timedelta(days=1)
    slots.sort()
    return slots


class Busy:
    """Sorted busy intervals with a fast overlap test (half-open ranges)."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        merged: list[list[datetime]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # The last interval starting before `end` is the only one that can overlap [start, end).
        i = bisect.bisect_left(self.starts, end) - 1
        return i >= 0 and self.ends[i] > start


def compute_free_slots(
    rules: Rules,
    *,
    now: datetime,
    bookings: Iterable[tuple[datetime, datetime]],
    meetings: Iterable[tuple[datetime, datetime]],
) -> list[Slot]:
    """Free slots from `now` to the horizon.

    `bookings` are the blocked ranges (slot plus buffers) of the host's active consultations; a new
    slot's own blocked range may not overlap them (the rule the database constraint enforces).
    `meetings` are group meetings the host is part of; the new slot plus its buffers may not overlap.
    """
    earliest = now + rules.notice
    latest = now + rules.horizon
    first_day = earliest.astimezone(rules.tz).date()
    last_day = latest.astimezone(rules.tz).date()
    busy = Busy([*bookings, *meetings])
    free = []
    for slot in candidate_slots(rules, first_day, last_day):
        if slot.starts_at < earliest or slot.starts_at > latest:
            continue
        if busy.overlaps(slot.starts_at - rules.buffer_before, slot.ends_at + rules.buffer_after):
            continue
        free.append(slot)
    return free


def busy_for_host(
    host_id: int, start: datetime, end: datetime, *, exclude_consultation: int | None = None
) -> tuple[list[tuple[datetime, datetime]], list[tuple[datetime, datetime]]]:
    """The host's active bookings (blocked ranges) and group meetings between two instants."""
    bookings = Consultation.objects.active().filter(host_id=host_id, blocked_until__gt=start, blocked_from__lt=end)
    if exclude_consultation is not None:
        bookings = bookings.exclude(pk=exclude_consultation)
    host_cohorts = Membership.objects.filter(user_id=host_id).values("cohort_id")
    meetings = Meeting.objects.active().filter(cohort_id__in=host_cohorts, ends_at__gt=start, starts_at__lt=end)
    return (
        list(bookings.values_list("blocked_from", "blocked_until")),
        list(meetings.values_list("starts_at", "ends_at")),
    )


def free_slots(cs: ConsultationSettings, *, now: datetime, exclude_consultation: int | None = None) -> list[Slot]:
    """The host's free slots in this cohort, from the database (a handful of queries)."""
    rules = rules_for(cs)
    bookings, meetings = busy_for_host(
        cs.host_id,
        now - timedelta(days=1),
        now + rules.horizon + timedelta(days=1),
        exclude_consultation=exclude_consultation,
    )
    cohort = cs.cohort
    return [  # only within the cohort's dates (see Cohort.check_within)
        slot
        for slot in compute_free_slots(rules, now=now, bookings=bookings, meetings=meetings)
        if cohort.starts_on <= slot.starts_at.astimezone(cs.tzinfo).date() <= cohort.ends_on
    ]
