"""Benchmark: a user's private calendar feed and a year's meeting schedule.

Run: DEBUG=1 .venv/bin/python bench/meetings_feed.py  (SQLite), or with DATABASE_URL=postgres://… .
It builds a throw-away test database: a user in three cohorts, each with a series of 52 weekly
meetings (5 agenda items each), and prints the median and p95 of
- creating a 52-meeting series (local wall time → UTC, areas, overlap checks, one bulk insert),
- building the feed (.ics of every meeting of the year, VTIMEZONE, agenda summaries),
- rendering the cohort's schedule page (52 meetings) through the test client.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


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

    from django.db import transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from cohort.access import get_membership
    from cohort.models import Role
    from meetings import services
    from meetings.consultations.feed import feed_calendar
    from meetings.models import Meeting, MeetingSeries
    from tests import factories

    user = factories.make_user("Reader")
    fac = factories.make_user("Facilitator", totp=True)
    cohorts = []
    start = timezone.localdate() - timedelta(weeks=20)
    for n in range(3):
        cohort = factories.make_cohort(f"Cohort {n}", slug=f"bench-{n}")
        factories.member(user, cohort, Role.OBSERVER)
        factories.member(fac, cohort, Role.FACILITATOR)
        membership = get_membership(fac, cohort.slug)
        series = services.create_series(
            membership,
            title="Weekly",
            starts_on=start,
            time_of_day=clock(10 + n),
            cadence_weeks=1,
            count=52,
            send_invitations=False,
        )
        for meeting in series.meetings.all():
            for i in range(5):
                services.add_agenda_item(membership, meeting, title=f"Item {i}")
        cohorts.append((cohort, membership))

    cohort, membership = cohorts[0]

    def create_and_discard() -> None:
        with transaction.atomic():
            services.create_series(
                membership,
                title="Extra",
                starts_on=date(2031, 1, 6),
                time_of_day=clock(15),
                cadence_weeks=1,
                count=52,
                send_invitations=False,
            )
            transaction.set_rollback(True)

    create_median, create_p95 = timed(create_and_discard, 30)
    document = feed_calendar(user)
    feed_median, feed_p95 = timed(lambda: feed_calendar(user), 20)
    client = Client()
    client.force_login(user)
    url = reverse("meetings:schedule", kwargs={"cohort": cohort.slug})
    assert client.get(url).status_code == 200
    page_median, page_p95 = timed(lambda: client.get(url), 30)
    assert MeetingSeries.objects.count() == 3 and Meeting.objects.count() == 156

    print(f"database: {connection.vendor}; 3 cohorts × 52 weekly meetings × 5 agenda items")
    print(f"create a 52-meeting series:       median {create_median:7.1f} ms   p95 {create_p95:7.1f} ms")
    print(
        f"calendar feed ({document.count} events, {len(document.ics) // 1024} KiB): median {feed_median:7.1f} ms   p95 {feed_p95:7.1f} ms"
    )
    print(f"schedule page (52 meetings):      median {page_median:7.1f} ms   p95 {page_p95:7.1f} ms")


if __name__ == "__main__":
    main()
