"""The facilitator's dashboard: to-dos that link to where they are done, each institution's stage,
its next meeting or consultation and its flags, from a bounded number of queries."""

from __future__ import annotations

import html
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohort.access import get_membership
from cohort.models import ActionItem, CriterionResponse, Participation, SelfAssessment, User
from config.dashboard import Stage, facilitator_overview
from media_feedback.models import Clip, FeedbackCall
from meetings.models import Meeting
from tests import factories
from tests.cohort.assessment.factories import make_all_ready, self_assessment
from tests.factories import World, client_for
from tests.meetings.consultations.factories import make_consultation


def _meeting(world: World, days: float, title: str) -> Meeting:
    starts = timezone.now() + timedelta(days=days)
    return Meeting.objects.create(
        cohort=world.cohort, title=title, starts_at=starts, ends_at=starts + timedelta(minutes=90)
    )


def _ready_clip(world: World, n: int) -> Clip:
    now = timezone.now()
    call, _ = FeedbackCall.objects.get_or_create(
        cohort=world.cohort,
        title="First year",
        defaults={"questions": "What helped?", "opens_at": now - timedelta(days=2), "closes_at": now},
    )
    return Clip.objects.create(
        call=call, institution=world.irwell, status=Clip.Status.READY, receipt_token_hash=f"h{n}"
    )


def test_each_stage_is_named_from_the_current_cycle(world: World) -> None:
    fran = get_membership(world.fran, "gm")
    parts = list(Participation.objects.filter(cohort=world.cohort).select_related("institution"))

    def stages() -> dict[str, str]:
        return {r.participation.institution.short_name: r.stage for r in facilitator_overview(fran, parts).rows}

    assert stages() == {"Irwell": Stage.NOT_STARTED, "Medlock": Stage.NOT_STARTED}
    sa = self_assessment(world.cohort, world.irwell)
    assert stages()["Irwell"] == Stage.NOT_STARTED  # a draft with nothing begun
    make_all_ready(sa, skip=("1.1",))
    assert stages()["Irwell"] == Stage.DRAFTING
    for status, stage in [
        ("submitted", Stage.SUBMITTED),
        ("returned", Stage.MORE_EVIDENCE),
        ("reviewed", Stage.REVIEWED),
        ("recommended", Stage.REVIEWED),
        ("awarded", Stage.AWARDED),
    ]:
        SelfAssessment.objects.filter(pk=sa.pk).update(status=status)
        assert stages()["Irwell"] == stage
    # A new cycle after the award: the latest cycle decides.
    SelfAssessment.objects.create(cohort=world.cohort, institution=world.irwell, cycle=2, previous=sa)
    assert stages()["Irwell"] == Stage.NOT_STARTED
    assert CriterionResponse.objects.filter(self_assessment=sa).exists()


def test_every_to_do_and_flag_is_a_link_to_where_it_is_done(world: World, django_assert_max_num_queries) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    SelfAssessment.objects.filter(pk=sa.pk).update(status="recommended")
    awarded = self_assessment(world.cohort, world.medlock)
    awarded.set_award_dates(date.today() - timedelta(days=18 * 30 + 20) + timedelta(days=30))
    awarded.status = "awarded"
    awarded.save()
    past = _meeting(world, -3, "Admissions")
    _meeting(world, -10, "Minuted").__class__.objects.filter(title="Minuted").update(minutes="Done.")
    outreach = _meeting(world, 5, "Outreach")
    make_consultation(
        world.cohort, world.alex, world.medlock, topic="Area 5 draft", starts_at=timezone.now() + timedelta(days=2)
    )
    make_consultation(world.cohort, world.alex, world.irwell, starts_at=timezone.now() + timedelta(days=20))
    ActionItem.objects.create(
        cohort=world.cohort, institution=world.irwell, title="Survey", due_on=date.today() - timedelta(days=1)
    )
    for n in range(3):
        _ready_clip(world, n)

    with django_assert_max_num_queries(48):
        page = client_for(world.fran).get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode()

    workspace = reverse("cohort:workspace", kwargs={"cohort": "gm", "institution": "irwell"})
    meeting = reverse("meetings:meeting", kwargs={"cohort": "gm", "meeting_id": past.pk})
    clips = reverse("media_feedback:clips", kwargs={"cohort": "gm"})
    plan = reverse("cohort:action_plan", kwargs={"cohort": "gm", "institution": "irwell"})
    assert f'<a href="{workspace}">Record the award for University of Irwell Valley</a>' in page
    assert f'<a href="{meeting}#minutes">Write the minutes of Admissions (' in page
    assert "Minuted" not in page
    assert f'<a href="{clips}?status=ready">3 clips ready for review</a>' in page
    assert f'1 overdue action: <a href="{plan}">Irwell (1)</a>' in page
    assert "2 consultations booked</a> across the cohort" in page
    # The institutions table: stage, next meeting or consultation, flags.
    assert '>Reviewed</a><span class="meta">, award recommended' in page
    assert ">Awarded</a>" in page
    assert "Consultation: Area 5 draft" in page  # Medlock's consultation comes before the next meeting
    outreach_url = reverse("meetings:meeting", kwargs={"cohort": "gm", "meeting_id": outreach.pk})
    assert f'<td data-label="Next"><a href="{outreach_url}">Outreach</a>' in page  # Irwell's consultation is after it
    assert f'<a href="{clips}?institution=irwell&amp;status=ready">3 clips waiting for review</a>' in page
    assert "Mid-point review" in page


def _queries_of_the_dashboard(world: World) -> tuple[int, str]:
    client = client_for(world.fran)
    url = reverse("dashboard", kwargs={"cohort": "gm"})
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    return len(queries), page


def test_the_dashboard_query_count_does_not_grow_with_institutions(world: World) -> None:
    few, _ = _queries_of_the_dashboard(world)
    for i in range(8):
        inst = factories.make_institution(f"College {i}", f"C{i}")
        factories.join(world.cohort, inst, assessor=world.alex)
        sa = self_assessment(world.cohort, inst)
        make_all_ready(sa)
        ActionItem.objects.create(
            cohort=world.cohort, institution=inst, title="Late", due_on=date.today() - timedelta(days=2)
        )
        make_consultation(world.cohort, world.alex, inst, starts_at=timezone.now() + timedelta(days=3 + i))
    many, page = _queries_of_the_dashboard(world)
    assert many == few <= 48
    assert "8 overdue actions: " in page
    assert page.count("1 overdue action</a>") == 8  # a flag each


def test_the_assessor_and_the_lead_reach_their_to_dos_in_one_click(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    SelfAssessment.objects.filter(pk=sa.pk).update(status="submitted")
    workspace = reverse("cohort:workspace", kwargs={"cohort": "gm", "institution": "irwell"})
    page = client_for(world.alex).get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode()
    assert f'<a href="{workspace}">University of Irwell Valley</a>' in page
    assert "What needs you now" not in page
    ActionItem.objects.create(
        cohort=world.cohort, institution=world.irwell, title="Survey", due_on=date.today() - timedelta(days=1)
    )
    lead = client_for(world.alice).get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode()
    plan = reverse("cohort:action_plan", kwargs={"cohort": "gm", "institution": "irwell"})
    assert f'<a href="{plan}">1 overdue action</a>' in lead


def test_a_person_with_one_cohort_lands_on_its_dashboard_and_with_two_chooses(world: World) -> None:
    response = client_for(world.alice).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", kwargs={"cohort": "gm"})
    factories.member(world.alice, world.other_cohort, "member", world.irwell)
    page = client_for(world.alice).get(reverse("home")).content.decode()
    assert "Your cohorts" in page and world.other_cohort.name in page


def test_a_welsh_facilitator_reads_the_stages_and_to_dos_in_welsh(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    SelfAssessment.objects.filter(pk=sa.pk).update(status="recommended")
    User.objects.filter(pk=world.fran.pk).update(language="cy")
    page = html.unescape(client_for(world.fran).get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode())
    assert "Cofnodi'r dyfarniad ar gyfer University of Irwell Valley" in page
    assert "Wedi'i adolygu</a>" in page and "argymhellwyd y dyfarniad" in page
    assert "stage-reviewed" in page  # the stage's class is made from its key, whatever the language
    assert "Beth sydd angen eich sylw nawr" in page
