"""Access-matrix rows for the self-assessment, evidence, award, action plan, progress, practice library
and data register (issue 8). Objects are built for Irwell, whose assessor is Alex."""

from __future__ import annotations

from django.core.files.base import ContentFile

from cohort.access import get_membership
from cohort.assessment.services import add_practice, current_self_assessment, response_for
from cohort.models import ActionItem, AppTarget, Criterion, DataDefinition, Evidence
from cohort.services import add_action_item
from tests.factories import CONFIRMED
from tests.matrix import ANY_SIGNED_IN, EVERYONE_IN_COHORT, INSTITUTION_PRIVATE, Case

WORKING_GROUP_AND_FACILITATOR = frozenset({"member", "lead", "facilitator"})
CONTRIBUTORS = EVERYONE_IN_COHORT - {"observer"}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _irwell(w):
    return {"cohort": w.cohort.slug, "institution": w.irwell.slug}


def _criterion(w):
    first = Criterion.objects.filter(area__framework=w.cohort.framework).order_by("area__position", "position")[0]
    return {**_irwell(w), "criterion_id": first.pk}


def _evidence(w):
    sa = current_self_assessment(w.cohort, w.irwell)
    first = Criterion.objects.filter(area__framework=w.cohort.framework).order_by("area__position", "position")[0]
    evidence = Evidence(response=response_for(sa, first), title="Policy", dated="2025-01-01", original_name="p.pdf")
    evidence.file.save("p.pdf", ContentFile(PDF), save=False)
    evidence.content_type = "application/pdf"
    evidence.save()
    return {**_irwell(w), "evidence_id": evidence.pk}


def _action(w):
    item = add_action_item(cohort=w.cohort, institution=w.irwell, title="Audit", source=ActionItem.Source.MANUAL)
    return {**_irwell(w), "item_id": item.pk}


def _action_id(w) -> int:
    """The item `_action` has just made (the case's data is built after its address)."""
    return ActionItem.objects.filter(cohort=w.cohort, institution=w.irwell).latest("pk").pk


def _target(w):
    definition, _ = DataDefinition.objects.get_or_create(cohort=w.cohort, institution=w.irwell)
    target = AppTarget.objects.create(
        definition=definition, group="care_experienced", measure="Access", baseline="1", target="2", year="2028"
    )
    return {**_irwell(w), "target_id": target.pk}


def _practice(w):
    area = w.cohort.framework.areas.first()
    practice = add_practice(get_membership(w.lena, w.cohort.slug), area=area, title="Mentors", description="x")
    return {"cohort": w.cohort.slug, "practice_id": practice.pk}


def _area(w):
    return {"area": w.cohort.framework.areas.first().pk}


CASES = [
    Case("cohort:workspace", kwargs=_irwell, allowed=INSTITUTION_PRIVATE),
    Case("cohort:criterion", kwargs=_criterion, allowed=INSTITUTION_PRIVATE),
    Case(
        "cohort:save_narrative", kwargs=_criterion, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {"narrative": "We do this well."},
    ),
    Case(
        "cohort:add_evidence", kwargs=_criterion, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {"title": "Strategy", "dated": "2025-01-01", "link": "https://irwell.example/s"},
    ),
    Case(
        "cohort:add_comment", kwargs=_criterion, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {"body": "A question about the evidence."},
    ),
    Case(
        "cohort:review_criterion", kwargs=_criterion, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {"decision": "comment", "comment": "Looks good."},
    ),
    Case("cohort:evidence_file", kwargs=_evidence, allowed=INSTITUTION_PRIVATE),
    Case("cohort:delete_evidence", kwargs=_evidence, method="post", allowed=INSTITUTION_PRIVATE),
    Case("cohort:submit_self_assessment", kwargs=_irwell, allowed=INSTITUTION_PRIVATE),
    Case(
        "cohort:submit_self_assessment", kwargs=_irwell, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: CONFIRMED,
    ),
    Case("cohort:recommend_award", kwargs=_irwell, method="post", allowed=INSTITUTION_PRIVATE),
    Case(
        "cohort:record_award", kwargs=_irwell, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {"awarded_on": "2026-01-01", **CONFIRMED},
    ),
    Case("cohort:record_award", kwargs=_irwell, allowed=INSTITUTION_PRIVATE, id="cohort:record_award:get"),
    Case(
        "cohort:correct_award", kwargs=_irwell, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {"correct-awarded_on": "2026-01-01"},
    ),
    Case("cohort:new_cycle", kwargs=_irwell, method="post", allowed=INSTITUTION_PRIVATE),
    Case("cohort:export_pdf", kwargs=_irwell, allowed=INSTITUTION_PRIVATE),
    Case("cohort:export_csv", kwargs=_irwell, allowed=INSTITUTION_PRIVATE),
    Case("cohort:action_plan", kwargs=_irwell, allowed=INSTITUTION_PRIVATE),
    Case(
        "cohort:add_action", kwargs=_irwell, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {"title": "Train admissions staff", "owner_name": "Admissions", "due_on": "2099-01-01"},
    ),
    Case(
        "cohort:correct_action", kwargs=_action, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {f"correct-{_action_id(w)}-owner_name": "Dr Rees", f"correct-{_action_id(w)}-due_on": "2030-01-01"},
    ),
    Case(
        "cohort:update_action", kwargs=_action, method="post", allowed=INSTITUTION_PRIVATE,
        data=lambda w: {"status": "in_progress", "note": "Started."},
    ),
    Case("cohort:data_definition", kwargs=_irwell, allowed=WORKING_GROUP_AND_FACILITATOR),
    Case(
        "cohort:add_target", kwargs=_irwell, method="post", allowed=WORKING_GROUP_AND_FACILITATOR,
        data=lambda w: {"group": "estranged", "measure": "Access", "baseline": "1", "target": "2", "year": "2028"},
    ),
    Case("cohort:delete_target", kwargs=_target, method="post", allowed=WORKING_GROUP_AND_FACILITATOR),
    Case("cohort:progress"),
    Case("cohort:practice_library"),
    Case(
        "cohort:add_practice", method="post", allowed=CONTRIBUTORS,
        data=lambda w: {**_area(w), "title": "Mentors", "description": "Peer mentors.", "source": "other"},
    ),
    Case(
        "cohort:practice_sharing", kwargs=_practice, method="post", allowed=frozenset({"lead", "facilitator"}),
        data=lambda w: {"shared_with_sector": "on"},
    ),
    Case("cohort:data_register"),
    Case("cohort:sector_practice", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN),
]  # fmt: skip
