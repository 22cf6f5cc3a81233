"""The demo cohort's self-assessments in various states, evidence links, action plans, the practice
library and the data register: what `make run` shows for issue 8. Rows are found by natural keys, so
a second run adds nothing. `manage.py seed_demo` calls `seed(world)` right after the cohort's own
seed, before the other apps' (their action items join the current self-assessment cycle)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cohort.audit import services as audit
from cohort.audit.models import AuditAction, AuditEvent
from cohort.demo import DemoWorld
from cohort.models import (
    ActionItem,
    AppTarget,
    Area,
    Criterion,
    CriterionResponse,
    DataDefinition,
    EffectivePractice,
    Evidence,
    ResponseComment,
    SelfAssessment,
)

ASSESSMENT_STATES = {
    "irwell": "returned",
    "medlock": "awarded",
    "tamebridge": "recommended",
    "croal": "submitted",
    "rochvalley": "reviewed",
    "bealmoor": "draft_ready",
    "etherow": "draft_partial",
    "merseybank": "draft_empty",
}

PRACTICES = [
    ("medlock", 5, "Year-round accommodation with no summer gap", "365-day tenancies for care-experienced and "
     "estranged students, with the rent guaranteed by the university.", False, True),
    ("tamebridge", 1, "A named governor who champions care leavers", "The board receives a report each term from "
     "the student-support lead and the governor meets students twice a year.", False, False),
    ("irwell", 4, "Contextual offers two grades below the standard offer", "Applicants who tick the care-experienced "
     "box on UCAS receive a contextual offer and a call from a named adviser.", True, True),
    ("croal", 6, "Peer mentors from second year", "Trained second-year students who were in care mentor new "
     "entrants through their first term.", False, False),
    ("etherow", 3, "Taster days for 16 and 17 year olds in care", "Run with the virtual school, with transport "
     "paid and a carer invited.", False, False),
]  # fmt: skip

DEFINITIONS = {
    "irwell": ("Anyone who has spent time in local-authority care in the UK, at any age, for any length of time.",
               "Students aged under 25 with no communicative relationship with either living parent for 12 months.",
               "UCAS flag at application; self-declaration at enrolment; checked by the student-support team.",
               [("care_experienced", "Continuation rate", "84%", "91%", "2028-29"),
                ("estranged", "Access: entrants per year", "22", "35", "2028-29")]),
    "medlock": ("Students who were looked after for at least 13 weeks after their 14th birthday.",
                "Students estranged from both parents, confirmed by Student Finance England.",
                "Student Finance England evidence; enrolment form.",
                [("care_experienced", "Completion rate", "71%", "80%", "2029-30")]),
    "rochvalley": ("Any learner who is or has been looked after, including kinship care.",
                   "Learners living independently without family support.",
                   "Local-authority virtual school data sharing; ILR.",
                   [("care_experienced", "Progression to higher education", "18%", "25%", "2027-28")]),
    "croal": ("Care-experienced as defined by the Children (Scotland) Act, any age.", "", "Enrolment self-declaration.",
              []),
}  # fmt: skip


@transaction.atomic
def seed(world: DemoWorld) -> None:
    RS = CriterionResponse.Status
    today = timezone.localdate()
    cohort = world.cohort
    criteria = list(Criterion.objects.filter(area__framework=cohort.framework).select_related("area"))
    areas = {a.position: a for a in Area.objects.filter(framework=cohort.framework)}
    by_slug = {i.slug: i for i in world.institutions}
    for slug, state in ASSESSMENT_STATES.items():
        institution = by_slug[slug]
        sa, created = SelfAssessment.objects.get_or_create(cohort=cohort, institution=institution, cycle=1)
        if not created:
            continue
        lead = world.leads[slug]
        member = world.members[slug][0]
        share = {"draft_empty": 0, "draft_partial": 0.4}.get(state, 1.0)
        for index, criterion in enumerate(criteria):
            if index >= len(criteria) * share:
                break
            ready = state not in ("draft_partial",) or index % 3 == 0
            if state in ("awarded", "recommended", "reviewed"):
                status = RS.REVIEWED
            elif state == "returned" and criterion.code in ("2.1", "5.3"):
                status = RS.MORE_EVIDENCE
            elif state == "returned" and index < 12:
                status = RS.REVIEWED
            else:
                status = RS.READY if ready else RS.IN_PROGRESS
            practice = ""
            if status == RS.REVIEWED and index % 9 == 4:
                practice = CriterionResponse.Practice.EXCEPTIONAL if index % 2 else CriterionResponse.Practice.ENHANCED
            response = CriterionResponse.objects.create(
                self_assessment=sa,
                criterion=criterion,
                status=status,
                practice=practice,
                updated_by=member,
                reviewed_by=world.assessor if status in (RS.REVIEWED, RS.MORE_EVIDENCE) else None,
                narrative=(
                    f"At {institution.short_name}, {criterion.statement[0].lower()}{criterion.statement[1:]}\n\n"
                    f"- The working group reviewed this in {criterion.area.title.lower()} meetings.\n"
                    f"- **Evidence:** see the documents listed below."
                ),
            )
            if index % 2 == 0:
                Evidence.objects.create(
                    response=response,
                    title=f"{criterion.area.title}: policy extract",
                    dated=date(2025, 1 + index % 12, 1 + index % 27),
                    link=f"https://{slug}.example/quality-mark/{criterion.code}",
                    added_by=member,
                )
            if status == RS.MORE_EVIDENCE:
                ResponseComment.objects.create(
                    response=response,
                    author=world.assessor,
                    kind=ResponseComment.Kind.MORE_EVIDENCE,
                    body="Please add the monitoring figures for the last two years.",
                )
        if state in ("submitted", "returned", "reviewed", "recommended", "awarded"):
            sa.submissions = 1
            sa.submitted_by = lead
            sa.submitted_at = timezone.now() - timedelta(days=20)
            sa.status = {
                "submitted": SelfAssessment.Status.SUBMITTED,
                "returned": SelfAssessment.Status.RETURNED,
                "reviewed": SelfAssessment.Status.REVIEWED,
                "recommended": SelfAssessment.Status.RECOMMENDED,
                "awarded": SelfAssessment.Status.AWARDED,
            }[state]
        if state in ("recommended", "awarded"):
            sa.recommended_by = world.assessor
            sa.recommended_at = timezone.now() - timedelta(days=10)
            sa.recommendation = "A thorough self-assessment with exceptional accommodation practice."
        if state == "awarded":
            sa.awarded_by = world.facilitator
            sa.set_award_dates(min(date(2026, 11, 6), today))
        sa.save()
        if (
            state == "awarded"
            and not AuditEvent.objects.filter(
                action=AuditAction.AWARD_RECORDED, target_type="self_assessment", target_id=str(sa.pk)
            ).exists()
        ):
            # As cohort.assessment.services.record_award would have left it.
            audit.record(
                AuditAction.AWARD_RECORDED,
                actor=world.facilitator,
                cohort=cohort,
                target_type="self_assessment",
                target_id=sa.pk,
            )
        # The action plan: one overdue, one in progress, one for later.
        for title, area_pos, due, action_status in (
            ("Publish a care-leaver page on the website", 3, today - timedelta(days=14), ActionItem.Status.OPEN),
            ("Train personal tutors on estrangement", 5, today + timedelta(days=45), ActionItem.Status.IN_PROGRESS),
            ("Report care-experienced outcomes to the board", 1, today + timedelta(days=120), ActionItem.Status.OPEN),
        ):
            ActionItem.objects.get_or_create(
                cohort=cohort,
                institution=institution,
                title=title,
                defaults={
                    "area": areas[area_pos],
                    "owner": lead if area_pos != 5 else member,
                    "due_on": due,
                    "status": action_status,
                    "source": ActionItem.Source.SELF_ASSESSMENT,
                    "self_assessment": sa,
                },
            )
    for slug, position, title, description, anonymous, shared in PRACTICES:
        EffectivePractice.objects.get_or_create(
            cohort=cohort,
            title=title,
            defaults={
                "institution": by_slug[slug],
                "area": areas[position],
                "description": description,
                "source": EffectivePractice.Source.EVIDENCE,
                "anonymous": anonymous,
                "shared_with_sector": shared,
                "created_by": world.leads[slug],
                "author": world.leads[slug],
            },
        )
    for slug, (care, estranged, sources, targets) in DEFINITIONS.items():
        definition, created = DataDefinition.objects.get_or_create(
            cohort=cohort,
            institution=by_slug[slug],
            defaults={"care_experienced": care, "estranged": estranged, "data_sources": sources},
        )
        if created:
            for group, measure, baseline, target, year in targets:
                AppTarget.objects.create(
                    definition=definition, group=group, measure=measure, baseline=baseline, target=target, year=year
                )
