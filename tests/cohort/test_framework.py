from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from cohort.models import Area, Cohort, Membership, User
from tests.factories import client_for


def test_the_framework_has_seven_areas_in_the_quality_marks_order(cohort) -> None:
    titles = list(Area.objects.filter(framework=cohort.framework).values_list("title", flat=True))
    assert titles == [
        "Culture and leadership", "Continuous improvement", "Pre-entry activity", "Admissions",
        "Student wellbeing", "Student success", "Collaborative and partnership working",
    ]  # fmt: skip
    assert all(area.criteria.count() >= 4 for area in Area.objects.filter(framework=cohort.framework))


def test_the_framework_page_shows_criteria_and_nation_notes(world) -> None:
    page = client_for(world.alice).get(reverse("cohort:framework", kwargs={"cohort": "gm"})).content.decode()
    assert "1.1" in page
    assert "Scotland:" in page


def test_the_demo_seed_is_idempotent(db) -> None:
    call_command("seed_demo", stdout=StringIO())
    counts = (User.objects.count(), Membership.objects.count(), Cohort.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (User.objects.count(), Membership.objects.count(), Cohort.objects.count()) == counts
    assert Membership.objects.filter(cohort__slug="greater-manchester", role="lead").count() == 8
