"""Cohort progress: institutions × areas; each institution sees its own row and the aggregate."""

from __future__ import annotations

from django.urls import reverse

from cohort.models import Area, Criterion, CriterionResponse, Role, SelfAssessment
from tests import factories
from tests.cohort.assessment.factories import make_all_ready, self_assessment
from tests.factories import World, client_for


def _forty_criteria(world: World) -> None:
    areas = list(Area.objects.filter(framework=world.cohort.framework))
    n = Criterion.objects.filter(area__framework=world.cohort.framework).count()
    for i in range(40 - n):
        area = areas[i % 7]
        Criterion.objects.create(area=area, position=100 + i, statement=f"Extra criterion {i}")


def test_the_matrix_of_eight_institutions_seven_areas_and_forty_criteria_has_a_pinned_query_count(
    world: World, django_assert_max_num_queries
) -> None:
    _forty_criteria(world)
    institutions = [world.irwell, world.medlock]
    for i in range(6):
        inst = factories.make_institution(f"College {i}", f"College {i}")
        factories.join(world.cohort, inst, assessor=world.alex)
        institutions.append(inst)
    for i, inst in enumerate(institutions):
        sa = self_assessment(world.cohort, inst)
        make_all_ready(sa)
        # Vary the states: some reviewed, some not started.
        responses = CriterionResponse.objects.filter(self_assessment=sa).order_by("id")
        CriterionResponse.objects.filter(pk__in=[r.pk for r in responses[: i * 4]]).update(status="reviewed")
        CriterionResponse.objects.filter(pk__in=[r.pk for r in responses[40 - i * 3 :]]).delete()

    client = client_for(world.fran)
    url = reverse("cohort:progress", kwargs={"cohort": "gm"})
    with django_assert_max_num_queries(10):
        page = client.get(url).content.decode()

    assert Criterion.objects.filter(area__framework=world.cohort.framework).count() == 40
    for inst in institutions:
        assert inst.short_name in page
    # Irwell (i = 0): everything ready, nothing reviewed; area 1 has 5 + 5 extra criteria.
    assert page.count('<td class="heat heat-') == 8 * 7 + 7
    assert '<td class="heat heat-4" data-label="Area 1"><span class="heat-n">' in page  # Irwell: all ready


def test_an_institution_member_sees_its_own_row_and_the_anonymised_aggregate(world: World) -> None:
    sa = self_assessment(world.cohort, world.medlock)
    make_all_ready(sa)
    page = client_for(world.alice).get(reverse("cohort:progress", kwargs={"cohort": "gm"})).content.decode()
    assert "Irwell" in page
    assert "Medlock" not in page
    assert "Whole cohort" in page
    assert "50%" in page  # Medlock all ready, Irwell nothing: half of the cohort's criteria


def test_the_assessor_sees_every_institution(world: World) -> None:
    page = client_for(world.alex).get(reverse("cohort:progress", kwargs={"cohort": "gm"})).content.decode()
    assert "Irwell" in page and "Medlock" in page


def test_the_dashboard_shows_the_self_assessment_panel_and_the_new_navigation(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa, skip=("1.1",))
    page = client_for(world.alice).get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode()
    assert "29 of 30 criteria ready or reviewed" in page
    for label in ("Self-assessment", "Action plan", "Progress", "Practice library", "Data register"):
        assert f">{label}</a>" in page
    SelfAssessment.objects.filter(pk=sa.pk).update(status="submitted")
    staff = client_for(world.alex).get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode()
    assert "Waiting for your review" in staff and "University of Irwell Valley" in staff


def test_an_observer_sees_only_the_aggregate(world: World) -> None:
    page = client_for(world.oscar).get(reverse("cohort:progress", kwargs={"cohort": "gm"})).content.decode()
    assert "Whole cohort" in page and "Irwell" not in page
    assert world.oscar.memberships.get().role == Role.OBSERVER


def test_the_institution_page_links_to_its_self_assessment_for_those_who_may_see_it(world: World) -> None:
    url = reverse("cohort:institution", kwargs={"cohort": "gm", "institution": "irwell"})
    workspace = reverse("cohort:workspace", kwargs={"cohort": "gm", "institution": "irwell"})
    assert workspace in client_for(world.alex).get(url).content.decode()
    assert workspace not in client_for(world.bob).get(url).content.decode()
