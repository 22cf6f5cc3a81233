"""Never two bookings for one slot: many leads clicking the same time at the same moment."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cohort.models import Institution, Participation, Role
from meetings.consultations.models import Consultation
from meetings.consultations.slots import free_slots
from tests import factories
from tests.factories import client_for
from tests.meetings.consultations.factories import every_day, make_consultation
from tests.services import require_postgres


def _race(world, leads: list, rounds: int) -> None:
    cs = every_day(world.cohort, world.alex, horizon_weeks=1)  # a short page to render 19 times a round
    url = reverse("meetings:consultation_book", kwargs={"cohort": world.cohort.slug})
    clients = [client_for(lead) for lead in leads]
    for round_no in range(rounds):
        slot = free_slots(cs, now=timezone.now())[round_no * 3]
        barrier = threading.Barrier(len(clients))
        results: list[tuple[int, str]] = []
        lock = threading.Lock()

        def attempt(client, slot=slot, barrier=barrier, results=results, lock=lock) -> None:
            try:
                barrier.wait()
                response = client.post(url, {"starts_at": slot.starts_at.isoformat(), "topic": "Race"})
                with lock:
                    results.append((response.status_code, response.content.decode()))
            finally:
                connection.close()  # each thread had its own connection

        threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(status for status, _ in results)
        assert statuses == [302] + [409] * (len(clients) - 1), statuses
        assert all("That time was just taken" in html for status, html in results if status == 409)
        assert Consultation.objects.active().filter(starts_at=slot.starts_at).count() == 1


def _leads(world, n: int) -> list:
    """A lead at each of n institutions, all assessed by Alex (so they all see his slots)."""
    leads = [world.lena]
    Participation.objects.filter(cohort=world.cohort).update(consultation_quota=10)
    for i in range(n - 1):
        institution = Institution.objects.create(name=f"College {i}", short_name=f"C{i}", slug=f"college-{i}")
        factories.join(world.cohort, institution, assessor=world.alex, quota=10)
        lead = factories.make_user(f"Lead {i}")
        factories.member(lead, world.cohort, Role.LEAD, institution)
        leads.append(lead)
    return leads


@pytest.mark.postgres
def test_twenty_leads_clicking_one_slot_at_once_on_postgresql_give_exactly_one_booking(
    transactional_db: None, world
) -> None:
    require_postgres()
    _race(world, _leads(world, 20), rounds=3)


def test_leads_clicking_one_slot_at_once_give_exactly_one_booking_on_any_database(
    transactional_db: None, world
) -> None:
    # On SQLite the IMMEDIATE transaction serialises the writers; on PostgreSQL the row locks do.
    _race(world, _leads(world, 6), rounds=2)


@pytest.mark.postgres
def test_postgresql_itself_refuses_an_overlapping_booking_for_a_host(db: None, world) -> None:
    require_postgres()
    first = make_consultation(world.cohort, world.alex, world.irwell, buffer=15)
    with pytest.raises(IntegrityError, match="consultation_no_overlap_per_host"), transaction.atomic():
        # Starts after the first ends but inside its 15-minute buffer.
        make_consultation(world.cohort, world.alex, world.medlock, starts_at=first.ends_at + timedelta(minutes=5))
    cancelled = make_consultation(
        world.cohort, world.alex, world.medlock, starts_at=first.starts_at, status=Consultation.Status.CANCELLED
    )
    assert cancelled.pk  # a cancelled booking does not hold the time
    make_consultation(world.cohort, world.fran, world.medlock, starts_at=first.starts_at)  # another host may
