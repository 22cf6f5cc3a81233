"""A member writes a narrative and attaches evidence, the lead submits, the assessor flags exceptional
practice and recommends the award, the facilitator records it: every step with the keyboard alone."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from cohort.models import CriterionResponse, Role, SelfAssessment
from tests import factories
from tests.browser.support import (
    PHONE,
    activate,
    choose,
    choose_file,
    log_in,
    screenshot,
    skip_to_main,
    tab_to,
    type_date,
)
from tests.cohort.assessment.factories import PDF_BYTES, criterion, make_all_ready, self_assessment

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
    skip_to_main(member)
    activate(member, "1.1 ", kind="a")
    skip_to_main(member)
    tab_to(member, "Narrative", kind="textarea")
    member.keyboard.type("Our **governing body** adopted a care-leaver strategy in 2025.")
    tab_to(member, "Ready for review", kind="checkbox")
    member.keyboard.press("Space")
    activate(member, "Save narrative")
    assert member.get_by_text("Criterion 1.1 saved: ready for review.").is_visible()
    policy = tmp_path / "strategy.pdf"
    policy.write_bytes(PDF_BYTES)
    skip_to_main(member)
    tab_to(member, "Title", kind="text")
    member.keyboard.type("Care-leaver strategy")
    tab_to(member, "Date of the evidence")
    type_date(member, date(2025, 6, 30))
    tab_to(member, "File", kind="file")
    choose_file(member, policy)
    activate(member, "Add evidence")
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
    skip_to_main(lead)
    activate(lead, "Submit for review", kind="a")
    assert lead.get_by_text("Your assessor (Alex), the facilitators and your working group are notified.").is_visible()
    skip_to_main(lead)
    activate(lead, "Submit for review", kind="button")
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
    skip_to_main(assessor)
    tab_to(assessor, "", kind="radio")
    choose(assessor, "Accept")
    tab_to(assessor, "Practice", kind="select")
    assessor.keyboard.type("Exceptional")
    tab_to(assessor, "Comment to the institution")
    assessor.keyboard.type("An exemplary strategy.")
    activate(assessor, "Save review")
    assert assessor.get_by_text("Review complete: the self-assessment is reviewed.").is_visible()
    assert assessor.get_by_text("Exceptional practice").first.is_visible()
    skip_to_main(assessor)
    tab_to(assessor, "Recommendation note")
    assessor.keyboard.type("Recommend the Quality Mark.")
    activate(assessor, "Recommend the award")
    assert assessor.get_by_text("You recommended the award.").is_visible()

    # Fran records the award.
    today = timezone.localdate()
    facilitator = new_page()
    log_in(facilitator, fran.email, factories.PASSWORD, totp_user=fran)
    facilitator.goto(base)
    skip_to_main(facilitator)
    tab_to(facilitator, "Award date")
    type_date(facilitator, today)
    activate(facilitator, "Record the award…")
    assert facilitator.get_by_text("The institution's working group and its assessor are notified.").is_visible()
    skip_to_main(facilitator)
    activate(facilitator, "Record the award", exact=True)
    assert facilitator.get_by_text("The award is recorded.").is_visible()
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.AWARDED and sa.awarded_on == today
    assert facilitator.get_by_text("Mid-point review").first.is_visible()
    screenshot(facilitator, "assessment-workspace-awarded")
    facilitator.goto("/c/gm/progress/")
    screenshot(facilitator, "assessment-progress")
