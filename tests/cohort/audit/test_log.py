"""The audit log names people and things, not "user 24"."""

from __future__ import annotations

from django.urls import reverse

from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.models import Membership
from tests.cohort.assessment.factories import self_assessment
from tests.factories import World, client_for


def test_the_log_names_the_person_the_membership_and_the_award(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    alice = Membership.objects.get(user=world.alice, cohort=world.cohort)
    audit.record(
        AuditAction.EXPORTED, actor=world.fran, cohort=world.cohort, target_type="user", target_id=world.bob.pk
    )
    audit.record(
        AuditAction.ROLE_CHANGED, actor=world.fran, cohort=world.cohort, target_type="membership", target_id=alice.pk
    )
    audit.record(
        AuditAction.AWARD_RECORDED,
        actor=world.fran,
        cohort=world.cohort,
        target_type="self_assessment",
        target_id=sa.pk,
    )
    audit.record(AuditAction.MEMBER_REMOVED, actor=world.fran, cohort=world.cohort, target_type="user", target_id=99999)

    page = client_for(world.fran).get(reverse("audit:log", kwargs={"cohort": "gm"})).content.decode()
    assert f"<td>{world.bob}</td>" in page
    assert f"<td>{world.alice} ({alice.get_role_display()})</td>" in page
    assert "<td>Award recorded</td><td>Irwell&#x27;s self-assessment, cycle 1</td>" in page
    assert "A person no longer in the cohort (no. 99999)" in page
    assert f"<td>{world.fran}</td>" in page and "user " not in page
