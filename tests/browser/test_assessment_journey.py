"""A member writes a narrative and attaches evidence, the lead submits, the assessor flags exceptional
practice and recommends the award, the facilitator records it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cohort.models import CriterionResponse, Role, SelfAssessment
from tests import factories
from tests.browser.conftest import PHONE, log_in, screenshot
from tests.cohort.assessment_helpers import PDF_BYTES, criterion, make_all_ready, self_assessment

pytestmark = pytest.mark.browser


def _axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_self_assessment_journey_from_narrative_to_award(new_page, tmp_path) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    alex = factories.make_user("Alex", totp=True)
    fran = factories.make_user("Fran", totp=True)
    alice = factories.make_user("Alice")
    lena = factories.make_user("Lena")
    factories.join(cohort, irwell, assessor=alex)
    factories.member(alex, cohort, Role.ASSESSOR)
    factories.member(fran, cohort, Role.FACILITATOR)
    factories.member(alice, cohort, Role.MEMBER, irwell)
    factories.member(lena, cohort, Role.LEAD, irwell)
    sa = self_assessment(cohort, irwell)
    make_all_ready(sa, skip=("1.1",))
    c11 = criterion(cohort, "1.1")
    base = "/c/gm/institutions/irwell/self-assessment/"

    # Alice writes the narrative for 1.1 and attaches a PDF.
    member = new_page(PHONE)
    log_in(member, alice.email, factories.PASSWORD)
    member.goto(base)
    member.get_by_role("link", name="Self-assessment", exact=True).first.is_visible()
    member.get_by_role("link", name="1.1").click()
    member.get_by_role("textbox", name="Narrative").fill(
        "Our **governing body** adopted a care-leaver strategy in 2025."
    )
    member.get_by_label("Ready for review").check()
    member.get_by_role("button", name="Save narrative").click()
    assert member.get_by_text("Criterion 1.1 saved: ready for review.").is_visible()
    policy = tmp_path / "strategy.pdf"
    policy.write_bytes(PDF_BYTES)
    member.get_by_role("textbox", name="Title").fill("Care-leaver strategy")
    member.get_by_label("Date of the evidence").fill("2025-06-30")
    member.get_by_label("File").set_input_files(str(policy))
    member.get_by_role("button", name="Add evidence").click()
    assert member.get_by_text("Evidence “Care-leaver strategy” added to 1.1.").is_visible()
    assert member.get_by_role("link", name="Care-leaver strategy", exact=True).is_visible()
    assert member.locator(".sa-narrative strong").inner_text() == "governing body"
    assert _axe_violations(member) == []
    screenshot(member, "assessment-criterion-member")

    # Lena submits.
    lead = new_page()
    log_in(lead, lena.email, factories.PASSWORD)
    lead.goto(base)
    assert lead.get_by_text("30 of 30 criteria ready or reviewed").is_visible()
    lead.get_by_role("button", name="Submit for review").click()
    assert lead.get_by_text("The self-assessment was submitted for review").is_visible()
    assert _axe_violations(lead) == []
    screenshot(lead, "assessment-workspace-submitted")

    # Alex has accepted the other criteria; on 1.1 they flag exceptional practice, then recommend.
    CriterionResponse.objects.filter(self_assessment=sa).exclude(criterion=c11).update(
        status="reviewed", reviewed_by=alex, reviewed_at=timezone.now()
    )
    assessor = new_page()
    log_in(assessor, alex.email, factories.PASSWORD, totp_user=alex)
    assessor.goto(f"{base}criteria/{c11.pk}/")
    assessor.get_by_label("Accept").check()
    assessor.get_by_label("Practice").select_option("exceptional")
    assessor.get_by_label("Comment to the institution").fill("An exemplary strategy.")
    assessor.get_by_role("button", name="Save review").click()
    assert assessor.get_by_text("Review complete: the self-assessment is reviewed.").is_visible()
    assert assessor.get_by_text("Exceptional practice").first.is_visible()
    assessor.get_by_label("Recommendation note").fill("Recommend the Quality Mark.")
    assessor.get_by_role("button", name="Recommend the award").click()
    assert assessor.get_by_text("You recommended the award.").is_visible()

    # Fran records the award.
    facilitator = new_page()
    log_in(facilitator, fran.email, factories.PASSWORD, totp_user=fran)
    facilitator.goto(base)
    today = timezone.localdate()
    facilitator.get_by_label("Award date").fill(today.isoformat())
    facilitator.get_by_role("button", name="Record the award").click()
    assert facilitator.get_by_text("The award is recorded.").is_visible()
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.AWARDED and sa.awarded_on == today
    assert facilitator.get_by_text("Mid-point review").first.is_visible()
    screenshot(facilitator, "assessment-workspace-awarded")
    facilitator.goto("/c/gm/progress/")
    screenshot(facilitator, "assessment-progress")
