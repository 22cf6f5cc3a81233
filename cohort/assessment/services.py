"""Self-assessment, evidence, the review, the award and the action plan: reads and writes.

Each write takes the acting Membership first and checks its part in it (the views have already
scoped the institution through cohort.assessment.access): a refusal raises cohort.errors.NotAllowed,
bad input or a wrong moment ValidationError, each with a sentence for the user; nothing is saved then.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from cohort import editing
from cohort.assessment.evidence_files import check_evidence_file
from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.errors import NotAllowed
from cohort.i18n import language_of
from cohort.models import (
    INSTITUTION_ROLES,
    ActionItem,
    ActionProgress,
    AppTarget,
    Area,
    Cohort,
    Criterion,
    CriterionResponse,
    DataDefinition,
    EffectivePractice,
    Evidence,
    Institution,
    Membership,
    NarrativeRevision,
    NotificationKind,
    Participation,
    ResponseComment,
    Role,
    SelfAssessment,
    User,
)
from cohort.notifications import notify
from cohort.services import add_action_item

log = logging.getLogger(__name__)
RS = CriterionResponse.Status
SA = SelfAssessment.Status


def long_date(day: date | None) -> str:
    """A date as the product writes it ("6 December 2026"), in the active language."""
    return date_format(day, "j F Y") if day else ""


def month(day: date | None) -> str:
    """A month and year ("June 2028"), in the active language."""
    return date_format(day, "F Y") if day else ""


def notify_in_their_language(users: Iterable[User], *, title: Callable[[], str], **kwargs: Any) -> None:
    """notify() with the title written in each person's own language (cohort.i18n.language_of):
    `title` is called once per language, inside it."""
    by_language: dict[str, list[User]] = defaultdict(list)
    for user in users:
        by_language[language_of(user)].append(user)
    for language, people in sorted(by_language.items()):
        with translation.override(language):
            notify(people, title=title(), **kwargs)


# Who is who for one institution.


def is_working_group(membership: Membership, institution_id: int) -> bool:
    return membership.role in INSTITUTION_ROLES and membership.institution_id == institution_id


def is_assigned_assessor(membership: Membership, self_assessment: SelfAssessment) -> bool:
    return (
        membership.is_assessor
        and Participation.objects.filter(
            cohort_id=self_assessment.cohort_id,
            institution_id=self_assessment.institution_id,
            assessor_id=membership.user_id,
        ).exists()
    )


def assessor_of(self_assessment: SelfAssessment) -> list[User]:
    participation = (
        Participation.objects.filter(cohort_id=self_assessment.cohort_id, institution_id=self_assessment.institution_id)
        .select_related("assessor")
        .first()
    )
    return [participation.assessor] if participation and participation.assessor else []


def workspace_url(self_assessment: SelfAssessment) -> str:
    return reverse(
        "cohort:workspace",
        kwargs={"cohort": self_assessment.cohort.slug, "institution": self_assessment.institution.slug},
    )


# The current cycle and its responses.


def current_self_assessment(cohort: Cohort, institution: Institution) -> SelfAssessment:
    """The institution's latest self-assessment in the cohort; the first one is started on demand."""
    latest = SelfAssessment.objects.current(cohort, institution)
    if latest is None:
        latest, _created = SelfAssessment.objects.get_or_create(cohort=cohort, institution=institution, cycle=1)
    latest.cohort = cohort
    latest.institution = institution
    return latest


def response_for(self_assessment: SelfAssessment, criterion: Criterion) -> CriterionResponse:
    response, _created = CriterionResponse.objects.get_or_create(self_assessment=self_assessment, criterion=criterion)
    return response


def criteria_with_responses(self_assessment: SelfAssessment) -> list[tuple[Area, list[tuple[Criterion, object]]]]:
    """Every criterion of the framework by area, each with its response (or None if not started)."""
    areas = list(Area.objects.filter(framework_id=self_assessment.cohort.framework_id).prefetch_related("criteria"))
    responses = {
        r.criterion_id: r
        for r in CriterionResponse.objects.filter(self_assessment=self_assessment).annotate(
            evidence_count=Count("evidence", distinct=True),
            comment_count=Count("comments", filter=~Q(comments__body=""), distinct=True),
        )
    }
    return [(area, [(c, responses.get(c.pk)) for c in area.criteria.all()]) for area in areas]


def status_counts(self_assessment: SelfAssessment) -> dict[str, int]:
    total = Criterion.objects.filter(area__framework_id=self_assessment.cohort.framework_id).count()
    rows = (
        dict(
            CriterionResponse.objects.filter(self_assessment_id=self_assessment.pk)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        if self_assessment.pk
        else {}
    )
    started = sum(rows.values())
    counts = {status: rows.get(status, 0) for status in RS.values}
    counts[RS.NOT_STARTED] += total - started
    counts["total"] = total
    return counts


def _editable_response(
    membership: Membership, self_assessment: SelfAssessment, criterion: Criterion
) -> CriterionResponse:
    if not is_working_group(membership, self_assessment.institution_id):
        raise NotAllowed(_("Only the institution's working group writes its self-assessment."))
    if not self_assessment.is_editable:
        raise ValidationError(
            _("The self-assessment is %(status)s: it cannot be changed now.")
            % {"status": self_assessment.get_status_display().lower()}
        )
    response = response_for(self_assessment, criterion)
    if response.status == RS.REVIEWED:
        raise ValidationError(_("The assessor has already accepted this criterion."))
    return response


def _last_narrative_change(response: CriterionResponse) -> dict[str, Any]:
    """Who wrote the stored narrative and when: its last revision (`updated_at` also moves when
    evidence is added), else the row's own record."""
    last = response.revisions.select_related("author").order_by("-created_at", "-id").first()
    if last is not None and last.narrative == response.narrative:
        return {"by": last.author, "at": last.created_at}
    return {"by": response.updated_by, "at": response.updated_at}


def save_narrative(
    membership: Membership,
    self_assessment: SelfAssessment,
    criterion: Criterion,
    *,
    narrative: str,
    ready: bool,
    based_on: str | None = None,
) -> CriterionResponse:
    """Save the narrative; refused (editing.EditConflict) when someone saved another one since the
    version `based_on` that the writer's form showed."""
    narrative = narrative.strip()
    if ready and not narrative:
        raise ValidationError(_("Write a narrative before marking the criterion ready for review."))
    with transaction.atomic():
        response = editing.lock(
            CriterionResponse.objects.select_related("updated_by"),
            _editable_response(membership, self_assessment, criterion).pk,
        )
        editing.refuse_stale(response, based_on, ["narrative"], **_last_narrative_change(response))
        previous = response.narrative
        if previous and not response.revisions.exists():  # written before revisions were kept (or carried over)
            NarrativeRevision.objects.create(response=response, author=response.updated_by, narrative=previous)
        response.narrative = narrative
        if ready:
            response.status = RS.READY
        elif narrative or response.status != RS.MORE_EVIDENCE:
            response.status = RS.IN_PROGRESS if narrative or response.evidence.exists() else RS.NOT_STARTED
        changed = narrative != previous
        response.updated_by = membership.user
        response.save(update_fields=["narrative", "status", "updated_by", "updated_at"])
        if changed:
            NarrativeRevision.objects.create(response=response, author=membership.user, narrative=narrative)
    return response


def add_evidence(
    membership: Membership,
    self_assessment: SelfAssessment,
    criterion: Criterion,
    *,
    title: str,
    dated: date,
    upload: UploadedFile | None = None,
    link: str = "",
) -> Evidence:
    if (upload is None) == (not link):
        raise ValidationError(_("Attach a file or give a link (one of the two)."))
    if dated > timezone.localdate():
        raise ValidationError(_("The date of the evidence cannot be in the future."))
    checked = check_evidence_file(upload) if upload is not None else None
    with transaction.atomic():
        response = _editable_response(membership, self_assessment, criterion)
        evidence = Evidence(response=response, title=title.strip(), dated=dated, link=link, added_by=membership.user)
        if upload is not None and checked is not None:
            evidence.original_name = (upload.name or "evidence")[-200:]
            evidence.content_type = checked.content_type
            evidence.size = upload.size or 0
            evidence.file.save(upload.name or "evidence", upload, save=False)
            # If the row is not saved after all, the stored file must not stay behind.
            stored = evidence.file.name or ""
            try:
                evidence.save()
            except Exception:
                evidence.file.storage.delete(stored)
                raise
        else:
            evidence.save()
        if response.status == RS.NOT_STARTED:
            response.status = RS.IN_PROGRESS
            response.save(update_fields=["status", "updated_at"])
    log.info("evidence %s added to self-assessment %s", evidence.pk, self_assessment.pk)
    return evidence


def delete_evidence(membership: Membership, self_assessment: SelfAssessment, evidence: Evidence) -> None:
    _editable_response(membership, self_assessment, evidence.response.criterion)
    stored = evidence.file.name or ""
    storage = evidence.file.storage
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def add_comment(
    membership: Membership, self_assessment: SelfAssessment, criterion: Criterion, *, body: str
) -> ResponseComment:
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a comment first."))
    if not (
        is_working_group(membership, self_assessment.institution_id)
        or membership.is_facilitator
        or is_assigned_assessor(membership, self_assessment)
    ):
        raise NotAllowed(_("You cannot comment on this self-assessment."))
    response = response_for(self_assessment, criterion)
    comment = ResponseComment.objects.create(response=response, author=membership.user, body=body)
    others = [
        *User.objects.working_group(self_assessment.cohort, self_assessment.institution_id),
        *assessor_of(self_assessment),
    ]
    notify_in_their_language(
        others,
        kind=NotificationKind.SELF_ASSESSMENT,
        title=lambda: (
            _("%(person)s commented on criterion %(code)s (%(institution)s)")
            % {"person": membership.user, "code": criterion.code, "institution": self_assessment.institution.short_name}
        ),
        url=reverse(
            "cohort:criterion",
            kwargs={
                "cohort": self_assessment.cohort.slug,
                "institution": self_assessment.institution.slug,
                "criterion_id": criterion.pk,
            },
        ),
        cohort=self_assessment.cohort,
        exclude=membership.user,
    )
    return comment


# Submission and review.


def not_ready(self_assessment: SelfAssessment) -> str:
    """The codes of the criteria not yet ready for review ("" when all are), for a message."""
    criteria = Criterion.objects.filter(area__framework_id=self_assessment.cohort.framework_id).select_related("area")
    done = set(
        CriterionResponse.objects.filter(
            self_assessment=self_assessment, status__in=[RS.READY, RS.REVIEWED]
        ).values_list("criterion_id", flat=True)
    )
    missing = [c.code for c in criteria if c.pk not in done]
    if len(missing) <= 12:
        return ", ".join(missing)
    more = len(missing) - 12
    return ngettext("%(codes)s and %(n)s more", "%(codes)s and %(n)s more", more) % {
        "codes": ", ".join(missing[:12]),
        "n": more,
    }


def submit(membership: Membership, self_assessment: SelfAssessment) -> SelfAssessment:
    if not (membership.is_lead and membership.institution_id == self_assessment.institution_id):
        raise NotAllowed(_("Only the institution lead submits the self-assessment."))
    with transaction.atomic():
        locked = SelfAssessment.objects.select_for_update().get(pk=self_assessment.pk)
        if not locked.is_editable:
            raise ValidationError(
                _("The self-assessment is already %(status)s.") % {"status": locked.get_status_display().lower()}
            )
        missing = not_ready(locked)
        if missing:
            raise ValidationError(
                _("Every criterion must be ready for review before you submit. Not ready yet: %(missing)s.")
                % {"missing": missing}
            )
        locked.status = SA.SUBMITTED
        locked.submissions += 1
        locked.submitted_at = timezone.now()
        locked.submitted_by = membership.user
        locked.save(update_fields=["status", "submissions", "submitted_at", "submitted_by"])
        institution = self_assessment.institution.short_name
        again = locked.submissions > 1
        notify_in_their_language(
            [
                *assessor_of(locked),
                *User.objects.facilitators_of(locked.cohort),
                *User.objects.working_group(locked.cohort, locked.institution_id),
            ],
            kind=NotificationKind.SELF_ASSESSMENT,
            title=lambda: (
                (
                    _("%(institution)s submitted its self-assessment again for review")
                    if again
                    else _("%(institution)s submitted its self-assessment for review")
                )
                % {"institution": institution}
            ),
            url=workspace_url(self_assessment),
            cohort=self_assessment.cohort,
            exclude=membership.user,
        )
    log.info("self-assessment %s submitted (%d)", locked.pk, locked.submissions)
    return locked


class Decision:
    COMMENT = "comment"
    ACCEPT = "accept"
    MORE_EVIDENCE = "more_evidence"
    CHOICES = [
        (ACCEPT, gettext_lazy("Accept")),
        (MORE_EVIDENCE, gettext_lazy("More evidence needed")),
        (COMMENT, gettext_lazy("Comment only")),
    ]


def review_criterion(
    membership: Membership,
    self_assessment: SelfAssessment,
    criterion: Criterion,
    *,
    decision: str,
    practice: str = "",
    comment: str = "",
) -> CriterionResponse:
    if not is_assigned_assessor(membership, self_assessment):
        raise NotAllowed(_("Only the institution's assigned assessor reviews its self-assessment."))
    comment = comment.strip()
    if decision not in (Decision.ACCEPT, Decision.MORE_EVIDENCE, Decision.COMMENT):
        raise ValidationError(_("Choose accept, more evidence needed, or comment only."))
    if practice not in CriterionResponse.Practice.values:
        raise ValidationError(_("Choose enhanced, exceptional or no flag."))
    if decision == Decision.MORE_EVIDENCE and not comment:
        raise ValidationError(_("Say what more evidence is needed."))
    if decision == Decision.COMMENT and not comment:
        raise ValidationError(_("Write a comment first."))
    if practice and decision != Decision.ACCEPT:
        raise ValidationError(_("Flag enhanced or exceptional practice when you accept the criterion."))
    with transaction.atomic():
        locked = SelfAssessment.objects.select_for_update().get(pk=self_assessment.pk)
        if locked.status != SA.SUBMITTED:
            raise ValidationError(_("The self-assessment is not waiting for review."))
        response = response_for(locked, criterion)
        if decision != Decision.COMMENT and response.status not in (RS.READY, RS.REVIEWED):
            raise ValidationError(_("This criterion is not ready for review."))
        if decision == Decision.ACCEPT:
            response.status, response.practice = RS.REVIEWED, practice
        elif decision == Decision.MORE_EVIDENCE:
            response.status, response.practice = RS.MORE_EVIDENCE, ""
        response.reviewed_by, response.reviewed_at = membership.user, timezone.now()
        response.save(update_fields=["status", "practice", "reviewed_by", "reviewed_at", "updated_at"])
        kind = {
            Decision.ACCEPT: ResponseComment.Kind.ACCEPTED,
            Decision.MORE_EVIDENCE: ResponseComment.Kind.MORE_EVIDENCE,
            Decision.COMMENT: ResponseComment.Kind.COMMENT,
        }[decision]
        # The decision itself is on the response (status, reviewed_by, reviewed_at); the thread gets
        # an entry only when the assessor wrote something.
        if comment:
            ResponseComment.objects.create(response=response, author=membership.user, kind=kind, body=comment)
        locked.cohort = self_assessment.cohort
        locked.institution = self_assessment.institution
        _finish_review_if_complete(locked)
    self_assessment.status = locked.status
    return response


def _finish_review_if_complete(self_assessment: SelfAssessment) -> None:
    """When no criterion waits for a decision, the self-assessment is reviewed or goes back."""
    waiting = CriterionResponse.objects.filter(self_assessment=self_assessment, status=RS.READY).exists()
    if waiting:
        return
    returned = CriterionResponse.objects.filter(self_assessment=self_assessment, status=RS.MORE_EVIDENCE).count()
    self_assessment.status = SA.RETURNED if returned else SA.REVIEWED
    self_assessment.reviewed_at = timezone.now()
    self_assessment.save(update_fields=["status", "reviewed_at"])
    institution = self_assessment.institution.short_name

    def title() -> str:
        if returned:
            return ngettext(
                "The assessor asked for more evidence on %(n)s criterion of %(institution)s",
                "The assessor asked for more evidence on %(n)s criteria of %(institution)s",
                returned,
            ) % {"n": returned, "institution": institution}
        return _("The review of %(institution)s's self-assessment is complete") % {"institution": institution}

    notify_in_their_language(
        [
            *User.objects.working_group(self_assessment.cohort, self_assessment.institution_id),
            *User.objects.facilitators_of(self_assessment.cohort),
        ],
        kind=NotificationKind.SELF_ASSESSMENT,
        title=title,
        url=workspace_url(self_assessment),
        cohort=self_assessment.cohort,
    )


def recommend_award(membership: Membership, self_assessment: SelfAssessment, *, note: str = "") -> SelfAssessment:
    if not is_assigned_assessor(membership, self_assessment):
        raise NotAllowed(_("Only the institution's assigned assessor recommends the award."))
    with transaction.atomic():
        locked = SelfAssessment.objects.select_for_update().get(pk=self_assessment.pk)
        if locked.status != SA.REVIEWED:
            raise ValidationError(_("Finish the review of every criterion before recommending the award."))
        locked.status = SA.RECOMMENDED
        locked.recommended_at = timezone.now()
        locked.recommended_by = membership.user
        locked.recommendation = note.strip()
        locked.save(update_fields=["status", "recommended_at", "recommended_by", "recommendation"])
        notify_in_their_language(
            [
                *User.objects.facilitators_of(self_assessment.cohort),
                *User.objects.working_group(self_assessment.cohort, self_assessment.institution_id),
            ],
            kind=NotificationKind.SELF_ASSESSMENT,
            title=lambda: (
                _("The assessor recommends %(institution)s for the Quality Mark")
                % {"institution": self_assessment.institution.short_name}
            ),
            url=workspace_url(self_assessment),
            cohort=self_assessment.cohort,
        )
    return locked


def record_award(membership: Membership, self_assessment: SelfAssessment, *, awarded_on: date) -> SelfAssessment:
    if not membership.is_facilitator:
        raise NotAllowed(_("Only a facilitator records the award."))
    with transaction.atomic():
        locked = SelfAssessment.objects.select_for_update().get(pk=self_assessment.pk)
        if locked.status != SA.RECOMMENDED:
            raise ValidationError(_("The assessor has not recommended the award yet."))
        locked.check_award_date(awarded_on)
        locked.status = SA.AWARDED
        locked.awarded_by = membership.user
        locked.set_award_dates(awarded_on)
        locked.save(update_fields=["status", "awarded_by", "awarded_on", "midpoint_review_on", "expires_on"])
        notify_in_their_language(
            [*User.objects.working_group(self_assessment.cohort, self_assessment.institution_id), *assessor_of(locked)],
            kind=NotificationKind.AWARD,
            title=lambda: (
                _(
                    "%(institution)s holds the Quality Mark from %(awarded)s: mid-point review %(midpoint)s, "
                    "renewal by %(expires)s"
                )
                % {
                    "institution": self_assessment.institution.short_name,
                    "awarded": long_date(awarded_on),
                    "midpoint": month(locked.midpoint_review_on),
                    "expires": long_date(locked.expires_on),
                }
            ),
            url=workspace_url(self_assessment),
            cohort=self_assessment.cohort,
            exclude=membership.user,
        )
    audit.record(
        AuditAction.AWARD_RECORDED,
        actor=membership.user,
        cohort=self_assessment.cohort,
        target_type="self_assessment",
        target_id=locked.pk,
    )
    log.info("self-assessment %s awarded", locked.pk)
    return locked


def correct_award(membership: Membership, self_assessment: SelfAssessment, *, awarded_on: date) -> SelfAssessment:
    """A facilitator puts right an award date recorded wrongly: the mid-point review and expiry move
    with it, the working group and assessor are told, and the audit log keeps the correction."""
    if not membership.is_facilitator or membership.cohort_id != self_assessment.cohort_id:
        raise NotAllowed(_("Only a facilitator corrects the award."))
    with transaction.atomic():
        locked = SelfAssessment.objects.select_for_update().get(pk=self_assessment.pk)
        if locked.status != SA.AWARDED:
            raise ValidationError(_("Only a recorded award can be corrected."))
        locked.check_award_date(awarded_on)
        if awarded_on == locked.awarded_on:
            raise ValidationError({"awarded_on": _("That is already the award date; nothing was changed.")})
        locked.set_award_dates(awarded_on)
        locked.save(update_fields=["awarded_on", "midpoint_review_on", "expires_on"])
        audit.record(
            AuditAction.AWARD_CORRECTED,
            actor=membership.user,
            cohort=locked.cohort,
            target_type="self_assessment",
            target_id=locked.pk,
        )
        notify_in_their_language(
            [*User.objects.working_group(locked.cohort, locked.institution_id), *assessor_of(locked)],
            kind=NotificationKind.AWARD,
            title=lambda: (
                _(
                    "%(institution)s's award date was corrected to %(awarded)s: mid-point review %(midpoint)s, "
                    "renewal by %(expires)s"
                )
                % {
                    "institution": locked.institution.short_name,
                    "awarded": long_date(awarded_on),
                    "midpoint": month(locked.midpoint_review_on),
                    "expires": long_date(locked.expires_on),
                }
            ),
            url=workspace_url(locked),
            cohort=locked.cohort,
            exclude=membership.user,
        )
    log.info("self-assessment %s award corrected", locked.pk)
    return locked


def start_new_cycle(membership: Membership, self_assessment: SelfAssessment) -> SelfAssessment:
    """Begin the re-submission: a new cycle that starts from the last narratives and carries the open
    actions of the plan forward."""
    if not membership.can_manage_institution(self_assessment.institution_id):
        raise NotAllowed(_("Only the institution lead or a facilitator starts a re-submission."))
    with transaction.atomic():
        latest = SelfAssessment.objects.select_for_update().current(
            self_assessment.cohort_id, self_assessment.institution_id
        )
        if latest is None or latest.pk != self_assessment.pk or latest.status != SA.AWARDED:
            raise ValidationError(_("A re-submission starts from the current, awarded self-assessment."))
        new = SelfAssessment.objects.create(
            cohort_id=latest.cohort_id, institution_id=latest.institution_id, cycle=latest.cycle + 1, previous=latest
        )
        CriterionResponse.objects.bulk_create(
            [
                CriterionResponse(
                    self_assessment=new, criterion_id=r.criterion_id, narrative=r.narrative, status=RS.IN_PROGRESS
                )
                for r in latest.responses.exclude(narrative="")
            ]
        )
        ActionItem.objects.open().filter(cohort_id=latest.cohort_id, institution_id=latest.institution_id).update(
            self_assessment=new
        )
    return new


# The action plan.


def plan_items(cohort: Cohort, institution_id: int) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(cohort=cohort, institution_id=institution_id)
        .select_related("area", "owner")
        .prefetch_related("progress_notes__author")
        .order_by("status", "due_on", "id")
    )


def add_plan_action(
    membership: Membership,
    institution: Institution,
    *,
    title: str,
    area: Area | None,
    owner: User | None,
    owner_name: str,
    due_on: date,
    detail: str = "",
) -> ActionItem:
    if not (is_working_group(membership, institution.pk) or membership.is_facilitator):
        raise NotAllowed(_("Only the institution's working group or a facilitator adds to its action plan."))
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("A new action cannot be due in the past.")})
    if (
        owner is not None
        and not Membership.objects.working_group(membership.cohort, institution).filter(user=owner).exists()
    ):
        raise ValidationError({"owner": _("The owner must be in the institution's working group.")})
    return add_action_item(
        cohort=membership.cohort,
        institution=institution,
        title=title.strip(),
        source=ActionItem.Source.SELF_ASSESSMENT,
        owner=owner,
        owner_name=owner_name.strip(),
        due_on=due_on,
        area=area,
        detail=detail,
    )


def update_action(membership: Membership, item: ActionItem, *, status: str, note: str) -> ActionItem:
    if item.institution_id is None or not (
        is_working_group(membership, item.institution_id) or membership.is_facilitator
    ):
        raise NotAllowed(_("Only the institution's working group or a facilitator updates its action plan."))
    if status not in ActionItem.Status.values:
        raise ValidationError(_("Choose a status from the list."))
    note = note.strip()
    if status == item.status and not note:
        raise ValidationError(_("Change the status or write a progress note."))
    with transaction.atomic():
        changed = status != item.status
        item.status = status
        item.save(update_fields=["status", "updated_at"])
        ActionProgress.objects.create(action=item, author=membership.user, note=note, status=status if changed else "")
    return item


def correct_action(
    membership: Membership, item: ActionItem, *, owner: User | None, owner_name: str, due_on: date
) -> ActionItem:
    """The institution's lead (or a facilitator) puts right who owns an action and when it is due. The
    change is written into the item's progress notes, so the plan keeps its history."""
    if item.institution_id is None or not membership.can_manage_institution(item.institution_id):
        raise NotAllowed(_("Only the institution lead or a facilitator changes an action's owner or due date."))
    if owner is not None and not (
        Membership.objects.working_group(item.cohort_id, item.institution_id).filter(user=owner).exists()
    ):
        raise ValidationError({"owner": _("The owner must be in the institution's working group.")})
    owner_name = "" if owner is not None else owner_name.strip()
    if owner is None and not owner_name:
        raise ValidationError({"owner": _("Choose an owner or give the owner's name.")})
    recorded_on = timezone.localdate(item.created_at)
    if due_on != item.due_on and due_on < recorded_on:  # an unchanged date is not judged again
        raise ValidationError(
            {
                "due_on": _("The due date cannot be before the action was recorded (%(date)s).")
                % {"date": long_date(recorded_on)}
            }
        )
    # The note is kept in the plan's history in the language of whoever made the correction.
    changes = []
    new_owner = str(owner) if owner is not None else owner_name
    if (owner.pk if owner else None) != item.owner_id or owner_name != item.owner_name:
        changes.append(
            _("owner now %(owner)s (was %(was)s)") % {"owner": new_owner, "was": item.owner_label or _("not named")}
        )
    if due_on != item.due_on:
        was = long_date(item.due_on) if item.due_on else _("none")
        changes.append(_("due %(date)s (was %(was)s)") % {"date": long_date(due_on), "was": was})
    if not changes:
        raise ValidationError(_("That is already the action's owner and due date; nothing was changed."))
    with transaction.atomic():
        item.owner, item.owner_name, item.due_on = owner, owner_name, due_on
        item.save(update_fields=["owner", "owner_name", "due_on", "updated_at"])
        ActionProgress.objects.create(
            action=item, author=membership.user, note=_("Corrected: %(changes)s") % {"changes": "; ".join(changes)}
        )
    return item


# Cohort progress: institutions × areas.


@dataclass
class Cell:
    total: int = 0
    ready: int = 0  # ready for review or reviewed
    reviewed: int = 0
    started: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.ready / self.total) if self.total else 0

    @property
    def level(self) -> int:
        """The heatmap's shade: 0 nothing ready, 1 to 3 some (by thirds), 4 all."""
        if not self.total or not self.ready:
            return 0
        if self.ready >= self.total:
            return 4
        return 1 + min(2, 3 * self.ready // self.total)


@dataclass
class Row:
    institution: Institution
    self_assessment: SelfAssessment | None
    cells: list[Cell] = field(default_factory=list)


def progress_matrix(cohort: Cohort) -> tuple[list[Area], list[Row], list[Cell]]:
    """Each institution's current cycle, area by area; and the cohort's aggregate per area."""
    areas: list[Area] = list(Area.objects.filter(framework_id=cohort.framework_id).annotate(n=Count("criteria")))
    participations = list(Participation.objects.filter(cohort=cohort).select_related("institution"))
    latest: dict[int, SelfAssessment] = {}
    for sa in SelfAssessment.objects.filter(cohort=cohort).order_by("cycle"):
        latest[sa.institution_id] = sa
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    rows_q = (
        CriterionResponse.objects.filter(self_assessment_id__in=[sa.pk for sa in latest.values()])
        .values("self_assessment__institution_id", "criterion__area_id", "status")
        .annotate(n=Count("id"))
    )
    for found in rows_q:
        key = (found["self_assessment__institution_id"], found["criterion__area_id"])
        counts[key][found["status"]] = found["n"]
    rows = []
    aggregate = [Cell() for _ in areas]
    for p in participations:
        row = Row(institution=p.institution, self_assessment=latest.get(p.institution_id))
        for i, area in enumerate(areas):
            c = counts.get((p.institution_id, area.pk), {})
            reviewed = c.get(RS.REVIEWED, 0)
            cell = Cell(
                total=area.n,  # type: ignore[attr-defined]
                ready=c.get(RS.READY, 0) + reviewed,
                reviewed=reviewed,
                started=sum(n for s, n in c.items() if s != RS.NOT_STARTED),
            )
            row.cells.append(cell)
            for attr in ("total", "ready", "reviewed", "started"):
                setattr(aggregate[i], attr, getattr(aggregate[i], attr) + getattr(cell, attr))
        rows.append(row)
    return areas, rows, aggregate


# The effective-practice library.


def add_practice(
    membership: Membership,
    *,
    area: Area,
    title: str,
    description: str,
    source: str = EffectivePractice.Source.OTHER,
    source_url: str = "",
    anonymous: bool = False,
    shared_with_sector: bool = False,
) -> EffectivePractice:
    """Put an example in the cohort's library, in the name of the member's institution (if any)."""
    if membership.role == Role.OBSERVER:
        raise NotAllowed(_("Observers read the library; they do not add to it."))
    cohort, institution = membership.cohort, membership.institution
    if area.framework_id != cohort.framework_id:
        raise ValidationError(_("That area belongs to another framework."))
    if institution is not None and not cohort.participations.filter(institution=institution).exists():
        raise ValidationError(_("That institution is not taking part in this cohort."))
    if source not in EffectivePractice.Source.values:
        raise ValidationError(_("Unknown source."))
    return EffectivePractice.objects.create(
        cohort=cohort,
        area=area,
        title=title.strip()[:200],
        description=description.strip(),
        created_by=membership.user,
        author=membership.user,
        institution=institution,
        source=source,
        source_url=source_url,
        anonymous=anonymous,
        shared_with_sector=shared_with_sector,
    )


def can_change_practice(membership: Membership, practice: EffectivePractice) -> bool:
    if membership.is_facilitator:
        return True
    return practice.institution_id is not None and membership.can_manage_institution(practice.institution_id)


def set_practice_sharing(
    membership: Membership, practice: EffectivePractice, *, shared: bool, anonymous: bool
) -> EffectivePractice:
    if not can_change_practice(membership, practice):
        raise NotAllowed(_("Only the institution's lead or a facilitator decides how an example is shared."))
    practice.shared_with_sector = shared
    practice.anonymous = anonymous
    practice.save(update_fields=["shared_with_sector", "anonymous"])
    return practice


def search_practice(queryset: QuerySet[EffectivePractice], *, area_id: int | None, text: str) -> QuerySet:
    if area_id:
        queryset = queryset.filter(area_id=area_id)
    for word in text.split()[:8]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return queryset


# The data and definitions register.


def save_data_definition(
    membership: Membership,
    institution: Institution,
    *,
    care_experienced: str,
    estranged: str,
    data_sources: str,
    based_on: str | None = None,
) -> DataDefinition:
    """Save the institution's definitions; refused (editing.EditConflict) when someone saved others
    since the version `based_on` that the form showed."""
    if not (is_working_group(membership, institution.pk) or membership.is_facilitator):
        raise NotAllowed(_("Only the institution's working group records its definitions."))
    with transaction.atomic():
        definition, _created = DataDefinition.objects.get_or_create(cohort=membership.cohort, institution=institution)
        definition = editing.lock(DataDefinition.objects.select_related("updated_by"), definition.pk)
        editing.refuse_stale(definition, based_on, DEFINITION_TEXT)
        definition.care_experienced = care_experienced.strip()
        definition.estranged = estranged.strip()
        definition.data_sources = data_sources.strip()
        definition.updated_by = membership.user
        definition.save(update_fields=[*DEFINITION_TEXT, "updated_by", "updated_at"])
    return definition


DEFINITION_TEXT = ("care_experienced", "estranged", "data_sources")


def add_target(
    membership: Membership, institution: Institution, *, group: str, measure: str, baseline: str, target: str, year: str
) -> AppTarget:
    if not (is_working_group(membership, institution.pk) or membership.is_facilitator):
        raise NotAllowed(_("Only the institution's working group records its targets."))
    definition, _created = DataDefinition.objects.get_or_create(cohort=membership.cohort, institution=institution)
    return AppTarget.objects.create(
        definition=definition, group=group, measure=measure.strip(), baseline=baseline.strip(), target=target.strip(),
        year=year.strip(),
    )  # fmt: skip


def delete_target(membership: Membership, target: AppTarget) -> None:
    if not (is_working_group(membership, target.definition.institution_id) or membership.is_facilitator):
        raise NotAllowed(_("Only the institution's working group records its targets."))
    target.delete()
