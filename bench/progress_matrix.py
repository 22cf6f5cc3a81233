"""Cohort progress page: queries and render time as the cohort grows.

Run: DEBUG=1 .venv/bin/python bench/progress_matrix.py
Builds throwaway cohorts in a temporary SQLite database (never the real one) and prints, for each size,
the number of queries of the progress page and the median time of 5 renders.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
# As in Django's test client: keep one connection across requests so its queries can be counted.
request_started.disconnect(close_old_connections)
request_finished.disconnect(close_old_connections)
call_command("migrate", verbosity=0)

from cohort.assessment.services import current_self_assessment  # noqa: E402
from cohort.models import Area, Criterion, CriterionResponse, Institution, Participation, Role  # noqa: E402
from tests import factories  # noqa: E402


def build(n_institutions: int, n_criteria: int, slug: str) -> Client:
    cohort = factories.make_cohort(slug=slug)
    areas = list(Area.objects.filter(framework=cohort.framework))
    have = Criterion.objects.filter(area__framework=cohort.framework).count()
    for i in range(max(0, n_criteria - have)):
        Criterion.objects.create(area=areas[i % 7], position=200 + i + 1000 * n_criteria, statement=f"Extra {i}")
    criteria = list(Criterion.objects.filter(area__framework=cohort.framework))
    for i in range(n_institutions):
        inst = Institution.objects.create(name=f"{slug} inst {i}", short_name=f"I{i}", slug=f"{slug}-{i}")
        Participation.objects.create(cohort=cohort, institution=inst)
        sa = current_self_assessment(cohort, inst)
        CriterionResponse.objects.bulk_create(
            [CriterionResponse(self_assessment=sa, criterion=c, status="ready", narrative="x") for c in criteria]
        )
    fran = factories.make_user(f"Fran {slug}", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    client = Client()
    factories.sign_in(client, fran)  # with the second factor done, as the log-in page leaves it
    return client


print(f"{'institutions':>12} {'criteria':>8} {'queries':>8} {'median ms':>10}")
for n_inst, n_crit in ((8, 40), (16, 40), (32, 60)):
    slug = f"b{n_inst}x{n_crit}"
    client = build(n_inst, n_crit, slug)
    url = reverse("cohort:progress", kwargs={"cohort": slug})
    client.get(url)  # warm up
    executed: list[str] = []

    def count(execute, sql, params, many, context, executed=executed):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"{n_inst:>12} {n_crit:>8} {len(executed):>8} {statistics.median(times):>10.1f}  (HTTP {response.status_code})"
    )
