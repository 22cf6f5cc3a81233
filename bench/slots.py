"""Benchmark: a host's free consultation slots over the 8-week horizon, 200 bookings, 30 meetings.

Run: DEBUG=1 .venv/bin/python bench/slots.py  (SQLite), or with DATABASE_URL=postgres://… for PostgreSQL.
It builds a throw-away test database, fills it, and prints the median of many runs of
- the pure computation (meetings.consultations.slots.compute_free_slots) on data already in memory, and
- the whole path a page takes (meetings.consultations.slots.free_slots: the queries and the computation).
Target: median < 50 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = 200


def median_ms(fn, runs: int = RUNS) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from datetime import time as clock

    from cohort.models import Role
    from meetings.consultations.models import AvailabilityWindow, Consultation, ConsultationSettings
    from meetings.consultations.slots import busy_for_host, compute_free_slots, free_slots, rules_for
    from meetings.models import Meeting
    from tests import factories

    now = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    cohort = factories.make_cohort("Bench cohort", slug="bench")
    host = factories.make_user("Host")
    factories.member(host, cohort, Role.ASSESSOR)
    institution = factories.make_institution("Bench University", "Bench")
    factories.join(cohort, institution, assessor=host, quota=1000)
    cs = ConsultationSettings.objects.create(
        cohort=cohort, host=host, buffer_before_minutes=10, buffer_after_minutes=10
    )
    # Two windows on each weekday, 09:00–12:30 and 13:30–18:00: about 7 slots a day.
    AvailabilityWindow.objects.bulk_create(
        [AvailabilityWindow(settings=cs, weekday=d, starts_at=clock(9), ends_at=clock(12, 30)) for d in range(5)]
        + [AvailabilityWindow(settings=cs, weekday=d, starts_at=clock(13, 30), ends_at=clock(18)) for d in range(5)]
    )
    # 200 bookings at 80-minute spacing from 07:00 every day of the horizon (they never overlap).
    bookings = []
    start = now.replace(hour=7)
    for i in range(200):
        day, k = divmod(i, 4)
        s = start + timedelta(days=day % 56, minutes=80 * k + (day // 56) * 320)
        bookings.append(
            Consultation(
                cohort=cohort, host=host, institution=institution, starts_at=s, ends_at=s + timedelta(minutes=60),
                blocked_from=s - timedelta(minutes=10), blocked_until=s + timedelta(minutes=70), topic=f"Bench {i}",
            )
        )  # fmt: skip
    Consultation.objects.bulk_create(bookings)
    Meeting.objects.bulk_create(
        [
            Meeting(
                cohort=cohort,
                title=f"Meeting {i}",
                starts_at=now + timedelta(hours=44 * i + 5),
                ends_at=now + timedelta(hours=44 * i + 6, minutes=30),
            )
            for i in range(30)
        ]
    )
    cs = ConsultationSettings.objects.get(pk=cs.pk)
    rules = rules_for(cs)
    busy_bookings, busy_meetings = busy_for_host(host.pk, now, now + rules.horizon)
    assert len(busy_bookings) == 200 and len(busy_meetings) == 30, (len(busy_bookings), len(busy_meetings))

    slots = compute_free_slots(rules, now=now, bookings=busy_bookings, meetings=busy_meetings)
    pure_median, pure_p95 = median_ms(
        lambda: compute_free_slots(rules, now=now, bookings=busy_bookings, meetings=busy_meetings)
    )
    db_median, db_p95 = median_ms(lambda: free_slots(ConsultationSettings.objects.get(pk=cs.pk), now=now), runs=100)
    print(f"database: {connection.vendor}; horizon {cs.horizon_weeks} weeks; 200 bookings, 30 group meetings")
    print(f"free slots found: {len(slots)}")
    print(f"compute_free_slots (in memory):        median {pure_median:6.2f} ms   p95 {pure_p95:6.2f} ms")
    print(f"free_slots (queries + computation):    median {db_median:6.2f} ms   p95 {db_p95:6.2f} ms")
    print("target: median < 50 ms —", "met" if db_median < 50 else "NOT met")


if __name__ == "__main__":
    main()
