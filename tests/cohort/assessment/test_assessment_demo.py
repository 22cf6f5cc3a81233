from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from cohort import demo
from cohort.assessment import demo as assessment_demo
from cohort.audit.models import AuditEvent
from cohort.models import ActionItem, AppTarget, CriterionResponse, EffectivePractice, SelfAssessment


def test_the_demo_has_self_assessments_in_every_state_and_running_it_twice_adds_nothing(db) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    # The start-up output lists every institution's log-ins.
    for institution in SelfAssessment.objects.values_list("institution__slug", flat=True):
        assert f"lead@{institution}.example, member1@{institution}.example" in out.getvalue()
    counts = [m.objects.count() for m in (SelfAssessment, CriterionResponse, ActionItem, EffectivePractice, AppTarget)]
    assessment_demo.seed(demo.seed())
    assert [
        m.objects.count() for m in (SelfAssessment, CriterionResponse, ActionItem, EffectivePractice, AppTarget)
    ] == (counts)
    states = set(SelfAssessment.objects.values_list("status", flat=True))
    assert states == {"draft", "submitted", "returned", "reviewed", "recommended", "awarded"}
    awarded = SelfAssessment.objects.get(status="awarded")
    assert awarded.expires_on is not None and awarded.midpoint_review_on is not None
    assert AuditEvent.objects.filter(action="award.recorded", target_id=str(awarded.pk)).count() == 1
    assert ActionItem.objects.overdue().filter(source="self_assessment").count() == 8
    assert EffectivePractice.objects.filter(shared_with_sector=True).count() == 2
