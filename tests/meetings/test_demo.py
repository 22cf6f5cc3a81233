from __future__ import annotations

from cohort import demo
from meetings import demo as meetings_demo
from meetings.models import AgendaItem, Attendance, Meeting, Outcome


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Meeting, AgendaItem, Outcome, Attendance))


def test_the_demo_has_past_and_upcoming_meetings_and_seeding_twice_changes_nothing(db) -> None:
    world = demo.seed()
    meetings_demo.seed(world)
    first = counts()
    meetings_demo.seed(demo.seed())
    assert counts() == first
    meetings = list(Meeting.objects.filter(cohort=world.cohort))
    assert any(m.is_past and m.is_published and m.minutes for m in meetings)
    assert any(not m.is_past for m in meetings)
    assert Outcome.objects.filter(kind="action", action_item__isnull=False).exists()
    assert any(m.is_cancelled and not m.is_past for m in meetings)  # one to restore
