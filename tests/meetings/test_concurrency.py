"""Two facilitators moving two meetings onto the same slot at the same moment: one wins, one is told."""

from __future__ import annotations

import threading
from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cohort.access import get_membership
from meetings import services
from meetings.models import Meeting
from tests.services import require_postgres


@pytest.mark.django_db(transaction=True)
def test_two_moves_onto_one_slot_at_once_leave_one_meeting_there(world) -> None:
    require_postgres()
    fran = get_membership(world.fran, world.cohort.slug)
    s = services.create_series(
        fran, title="Group meeting", starts_on=date(2030, 1, 7), time_of_day=time(10), count=3, send_invitations=False
    )
    ids = list(s.meetings.order_by("starts_at").values_list("pk", flat=True))[1:]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def move(meeting_id: int) -> None:
        try:
            meeting = Meeting.objects.select_related("cohort").get(pk=meeting_id)
            actor = get_membership(world.fran, world.cohort.slug)
            barrier.wait(timeout=10)
            services.update_meeting(
                actor,
                meeting,
                title=meeting.title,
                area=None,
                day=date(2030, 6, 3),
                time_of_day=time(14),
                duration_minutes=60,
                video_url="",
            )
            results.append("moved")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(pk,)) for pk in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["moved", "refused"]
    assert Meeting.objects.filter(starts_at__date=date(2030, 6, 3)).count() == 1
