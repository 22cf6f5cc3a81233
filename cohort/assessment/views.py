"""Pages of the self-assessment workspace, the review, the award, the action plan, cohort progress,
the effective-practice library and the data register."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cohort import access
from cohort.assessment import exports, services as assessment
from cohort.assessment.access import (
    get_action_item,
    get_changeable_practice,
    get_criterion,
    get_evidence,
    get_private_scope,
    get_register_scope,
    get_target,
)
from cohort.assessment.forms import (
    ActionCorrectionForm,
    ActionForm,
    ActionUpdateForm,
    AwardForm,
    CommentForm,
    DataDefinitionForm,
    EvidenceForm,
    NarrativeForm,
    PracticeForm,
    PracticeSearchForm,
    RecommendForm,
    ReviewForm,
    SharingForm,
    TargetForm,
)
from cohort.editing import EditConflict
from cohort.errors import NotAllowed
from cohort.http import AuthedRequest
from cohort.i18n import ENGLISH, WELSH, active, localised
from cohort.models import (
    ActionItem,
    AppTarget,
    Criterion,
    CriterionResponse,
    DataDefinition,
    EffectivePractice,
    Membership,
    Participation,
    ResponseComment,
    Role,
    SelfAssessment,
    User,
)
from cohort.web import Confirmation, add_service_errors, attachment, confirm_page, is_confirmed, post_action


def _day(day: date | None) -> str:
    """A date as pages write it ("6 December 2026"), in the active language."""
    return date_format(day, "j F Y") if day else ""


def _roles(membership: Membership, sa: SelfAssessment) -> dict[str, bool]:
    return {
        "is_working_group": assessment.is_working_group(membership, sa.institution_id),
        "is_lead": membership.is_lead and membership.institution_id == sa.institution_id,
        "is_assessor": assessment.is_assigned_assessor(membership, sa),
        "is_facilitator": membership.is_facilitator,
    }


# The workspace: every criterion by area.


@login_required
def workspace(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)
    return _workspace_page(request, membership, participation, sa)


def _workspace_page(
    request: AuthedRequest,
    membership: Membership,
    participation: Participation,
    sa: SelfAssessment,
    *,
    status: int = 200,
    award_form: AwardForm | None = None,
    correct_award_form: AwardForm | None = None,
) -> HttpResponse:
    """The workspace, also shown again (400) with a refused award date as it was typed."""
    areas = assessment.criteria_with_responses(sa)
    for _area, criteria in areas:
        for crit, _response in criteria:
            _shorten_statement(crit)
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "participation": participation,
        "sa": sa,
        "areas": areas,
        "counts": assessment.status_counts(sa),
        "cycles": SelfAssessment.objects.filter(cohort=membership.cohort, institution=participation.institution),
        "recommend_form": RecommendForm(),
        "award_form": award_form or AwardForm(),
        "correct_award_form": correct_award_form or AwardForm(initial={"awarded_on": sa.awarded_on}, prefix="correct"),
        "correcting_award": correct_award_form is not None,
        "can_manage": membership.can_manage_institution(participation.institution_id),
        **_roles(membership, sa),
    }
    return render(request, "cohort/assessment/workspace.html", context, status=status)


def _shorten_statement(criterion: Criterion) -> None:
    """The first words of the criterion's statement in the reader's language, for the workspace's list
    (marked as English there when it has no Welsh yet; cohort.templatetags.bilingual does the same)."""
    text, language = localised(criterion, "statement")
    criterion.short_statement = Truncator(text).words(18, truncate=" …")  # type: ignore[attr-defined]
    criterion.statement_in_english_only = language == ENGLISH and active() == WELSH  # type: ignore[attr-defined]


def _criterion_page(
    request: AuthedRequest,
    membership: Membership,
    participation: Participation,
    criterion: Criterion,
    status: int = 200,
    **forms: BaseForm,
) -> HttpResponse:
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)
    response = assessment.response_for(sa, criterion) if sa.pk else None
    context: dict[str, Any] = {
        "membership": membership,
        "cohort": membership.cohort,
        "participation": participation,
        "sa": sa,
        "criterion": criterion,
        "response": response,
        "evidence": response.evidence.select_related("added_by") if response else [],
        "comments": ResponseComment.objects.filter(response=response).select_related("author"),
        "nation_notes": criterion.nation_notes.filter(nation=participation.institution.nation),
        "narrative_form": NarrativeForm(
            row=response,
            initial={
                "narrative": response.narrative if response else "",
                "ready": bool(response and response.status == response.Status.READY),
            },
        ),
        "evidence_form": EvidenceForm(),
        "comment_form": CommentForm(),
        "review_form": ReviewForm(initial={"practice": response.practice if response else ""}),
        **_roles(membership, sa),
        **forms,
        # Refusals (not your part, not now) shown at the top, whichever form was sent; a save refused
        # because someone saved meanwhile is told once, by the narrative's form beside the two texts.
        "refusals": [
            e for form in forms.values() if not getattr(form, "conflict", None) for e in form.non_field_errors()
        ],
    }
    # The evidence fields sit in the evidence section but belong to the narrative's form (see
    # _save_criterion_work), so either button sends both.
    for field in context["evidence_form"].fields.values():
        field.widget.attrs["form"] = "criterion-work"
    context.update(_neighbours(membership, criterion, sa if sa.pk else None))
    return render(request, "cohort/assessment/criterion.html", context, status=status)


def _neighbours(membership: Membership, criterion: Criterion, sa: SelfAssessment | None = None) -> dict[str, Any]:
    """Where the criterion sits in the framework's order, the criteria before and after it (the queue
    anyone walks with previous and next) and, during a review, the next criterion still waiting for
    the assessor's decision (after this one, else from the start)."""
    order = list(
        Criterion.objects.filter(area__framework_id=membership.cohort.framework_id)
        .select_related("area")
        .order_by("area__position", "position")
    )
    at = next(i for i, c in enumerate(order) if c.pk == criterion.pk)
    following = order[at + 1] if at + 1 < len(order) else None
    waiting: set[int] = set()
    if sa is not None and sa.status == SelfAssessment.Status.SUBMITTED:
        waiting = set(
            CriterionResponse.objects.filter(self_assessment=sa, status=CriterionResponse.Status.READY)
            .exclude(criterion=criterion)
            .values_list("criterion_id", flat=True)
        )
    after = [c for c in order[at + 1 :] + order[:at] if c.pk in waiting]
    return {
        "position": at + 1,
        "total": len(order),
        "previous_criterion": order[at - 1] if at > 0 else None,
        "next_criterion": following,
        "next_to_review": after[0] if after else following,
        "waiting_count": len(waiting),
    }


@login_required
def criterion(request: AuthedRequest, cohort: str, institution: str, criterion_id: int) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    return _criterion_page(request, membership, participation, get_criterion(membership, criterion_id))


def _criterion_url(cohort: str, institution: str, criterion_id: int) -> str:
    return reverse(
        "cohort:criterion", kwargs={"cohort": cohort, "institution": institution, "criterion_id": criterion_id}
    )


def _narrative_changed(form: NarrativeForm, response: CriterionResponse | None) -> bool:
    saved = (response.narrative if response else "").replace("\r\n", "\n").strip()
    typed = form.cleaned_data["narrative"].replace("\r\n", "\n").strip()
    was_ready = bool(response and response.status == response.Status.READY)
    return typed != saved or form.cleaned_data["ready"] != was_ready


def _save_criterion_work(
    request: AuthedRequest, cohort: str, institution: str, criterion_id: int, *, adding_evidence: bool
) -> HttpResponse:
    """The criterion page's narrative and "Add evidence" fields are one form with two buttons, so
    whichever is pressed (or Enter in any field) sends everything typed: the narrative is saved when
    it changed, evidence added when any of its fields is filled ("Add evidence" requires it). Any
    error saves nothing and shows the page again with everything as typed."""
    membership, participation = get_private_scope(request.user, cohort, institution)
    crit = get_criterion(membership, criterion_id)
    narrative_form = NarrativeForm(request.POST) if "narrative" in request.POST else None
    evidence_sent = adding_evidence or bool(
        request.FILES.get("file") or any((request.POST.get(name) or "").strip() for name in ("title", "dated", "link"))
    )
    evidence_form = EvidenceForm(request.POST, request.FILES) if evidence_sent else None
    sent = [form for form in (narrative_form, evidence_form) if form is not None]
    if not sent:
        narrative_form = NarrativeForm(request.POST)  # nothing at all was sent: say what is missing
        sent = [narrative_form]
    if all([form.is_valid() for form in sent]):
        sa = assessment.current_self_assessment(membership.cohort, participation.institution)
        response = assessment.response_for(sa, crit) if sa.pk else None
        done: list[str] = []  # the narrative's new status, when it was saved
        added = ""  # the title of the evidence added
        acting: BaseForm = sent[0]
        try:
            with transaction.atomic():
                if narrative_form is not None and (
                    evidence_form is None or _narrative_changed(narrative_form, response)
                ):
                    saved = assessment.save_narrative(
                        membership,
                        sa,
                        crit,
                        narrative=narrative_form.cleaned_data["narrative"],
                        ready=narrative_form.cleaned_data["ready"],
                        based_on=narrative_form.based_on_version(),
                    )
                    done.append(saved.get_status_display().lower())
                if evidence_form is not None:
                    acting = evidence_form
                    evidence = assessment.add_evidence(
                        membership,
                        sa,
                        crit,
                        title=evidence_form.cleaned_data["title"],
                        dated=evidence_form.cleaned_data["dated"],
                        upload=evidence_form.cleaned_data.get("file"),
                        link=evidence_form.cleaned_data.get("link") or "",
                    )
                    added = evidence.title
        except (NotAllowed, ValidationError) as error:
            add_service_errors(acting, error)
        else:
            if added and done:
                messages.success(
                    request,
                    _("Evidence “%(title)s” added to %(code)s and the narrative saved (%(status)s).")
                    % {"title": added, "code": crit.code, "status": done[0]},
                )
            elif added:
                messages.success(
                    request, _("Evidence “%(title)s” added to %(code)s.") % {"title": added, "code": crit.code}
                )
            else:
                messages.success(
                    request, _("Criterion %(code)s saved: %(status)s.") % {"code": crit.code, "status": done[0]}
                )
            anchor = "#evidence-title" if evidence_form is not None else ""
            return redirect(_criterion_url(cohort, institution, crit.pk) + anchor)
    bound: dict[str, BaseForm] = {}
    if narrative_form is not None:
        bound["narrative_form"] = narrative_form
    if evidence_form is not None:
        bound["evidence_form"] = evidence_form
    # 409 when someone saved the narrative meanwhile: an htmx request shows it as a refusal too.
    status = 409 if narrative_form is not None and narrative_form.conflict else 400
    return _criterion_page(request, membership, participation, crit, status=status, **bound)


@login_required
@require_POST
def save_narrative(request: AuthedRequest, cohort: str, institution: str, criterion_id: int) -> HttpResponse:
    return _save_criterion_work(request, cohort, institution, criterion_id, adding_evidence=False)


@login_required
@require_POST
def add_evidence(request: AuthedRequest, cohort: str, institution: str, criterion_id: int) -> HttpResponse:
    return _save_criterion_work(request, cohort, institution, criterion_id, adding_evidence=True)


@login_required
def evidence_file(
    request: AuthedRequest, cohort: str, institution: str, evidence_id: int
) -> HttpResponse | FileResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    evidence = get_evidence(membership, participation, evidence_id)
    if not evidence.file:
        raise Http404("This evidence is a link.")
    return attachment(
        evidence.file.open("rb"),
        filename=evidence.original_name or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )


@login_required
@require_POST
def delete_evidence(request: AuthedRequest, cohort: str, institution: str, evidence_id: int) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    evidence = get_evidence(membership, participation, evidence_id)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)

    def delete() -> str:
        if evidence.response.self_assessment_id != sa.pk:
            raise ValidationError(_("Evidence of an earlier cycle cannot be removed."))
        assessment.delete_evidence(membership, sa, evidence)
        return _("Evidence “%(title)s” removed.") % {"title": evidence.title}

    return post_action(request, delete, to=_criterion_url(cohort, institution, evidence.response.criterion_id))


@login_required
@require_POST
def add_comment(request: AuthedRequest, cohort: str, institution: str, criterion_id: int) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    crit = get_criterion(membership, criterion_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        sa = assessment.current_self_assessment(membership.cohort, participation.institution)
        try:
            assessment.add_comment(membership, sa, crit, body=form.cleaned_data["body"])
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Comment added."))
            return redirect(_criterion_url(cohort, institution, crit.pk) + "#comments-title")
    return _criterion_page(request, membership, participation, crit, status=400, comment_form=form)


@login_required
@require_POST
def review_criterion(request: AuthedRequest, cohort: str, institution: str, criterion_id: int) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    crit = get_criterion(membership, criterion_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        sa = assessment.current_self_assessment(membership.cohort, participation.institution)
        try:
            response = assessment.review_criterion(
                membership,
                sa,
                crit,
                decision=form.cleaned_data["decision"],
                practice=form.cleaned_data["practice"],
                comment=form.cleaned_data["comment"],
            )
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Criterion %(code)s: %(status)s.")
                % {"code": crit.code, "status": response.get_status_display().lower()},
            )
            if sa.status != SelfAssessment.Status.SUBMITTED:
                messages.info(
                    request,
                    _("Review complete: the self-assessment is %(status)s.")
                    % {"status": sa.get_status_display().lower()},
                )
                return redirect("cohort:workspace", cohort=cohort, institution=institution)
            # On to the next criterion waiting for a decision, so that a review is save, save, save.
            following = _neighbours(membership, crit, sa)["next_to_review"]
            return redirect(_criterion_url(cohort, institution, (following or crit).pk))
    return _criterion_page(request, membership, participation, crit, status=400, review_form=form)


# Submission, recommendation, award and re-submission: one button each on the workspace.


def _told(people: list[str]) -> str:
    return ", ".join(people) if people else _("nobody yet (no assessor is assigned)")


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)
    workspace_url = reverse("cohort:workspace", kwargs={"cohort": cohort, "institution": institution})
    if not is_confirmed(request) and sa.is_editable and (missing := assessment.not_ready(sa)):
        # Nothing to confirm yet: say what is missing instead of asking to confirm a submission that cannot happen.
        messages.error(
            request,
            _("Every criterion must be ready for review before you submit. Not ready yet: %(missing)s.")
            % {"missing": missing},
        )
        return redirect(workspace_url)
    if not is_confirmed(request):
        assessors = [str(user) for user in assessment.assessor_of(sa)]
        confirmation = Confirmation(
            title=_("Submit %(institution)s's self-assessment for review?")
            % {"institution": participation.institution.short_name},
            consequences=[
                _("Your assessor (%(assessors)s), the facilitators and your working group are notified.")
                % {"assessors": _told(assessors)},
                _(
                    "Nobody can change the narratives or evidence while it is under review; the assessor "
                    "may return it for more evidence, and then you can edit and re-submit."
                ),
            ],
            undo=_(
                "You cannot take a submission back yourself: ask your assessor to return it if something is missing."
            ),
            button=_("Submit for review"),
            back_url=workspace_url,
            back_label=_("Not yet, go back"),
        )
        return confirm_page(request, confirmation, {"membership": membership, "cohort": membership.cohort})

    def do_submit() -> str:
        assessment.submit(membership, sa)
        return _("The self-assessment was submitted for review. The assessor has been told.")

    return post_action(request, do_submit, to="cohort:workspace", cohort=cohort, institution=institution)


@login_required
@require_POST
def recommend(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)

    def do_recommend() -> str:
        assessment.recommend_award(membership, sa, note=request.POST.get("note", ""))
        return _("You recommended the award. The facilitator has been told.")

    return post_action(request, do_recommend, to="cohort:workspace", cohort=cohort, institution=institution)


@login_required
@require_http_methods(["GET", "POST"])
def award(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)
    form = AwardForm(request.POST or None)
    if request.method == "POST" and not is_confirmed(request):
        # The date is checked before the confirmation page: a refused date comes back as typed, beside its field.
        if form.is_valid():
            try:
                if not membership.is_facilitator:
                    raise NotAllowed(_("Only a facilitator records the award."))
                sa.check_award_date(form.cleaned_data["awarded_on"])
            except (NotAllowed, ValidationError) as error:
                add_service_errors(form, error)
        if not form.is_valid():
            return _workspace_page(request, membership, participation, sa, status=400, award_form=form)
        awarded_on = form.cleaned_data["awarded_on"]
        confirmation = Confirmation(
            title=_("Record the Quality Mark for %(institution)s from %(date)s?")
            % {"institution": participation.institution.short_name, "date": _day(awarded_on)},
            consequences=[
                _("The award runs from %(date)s: the mid-point review and the expiry date are counted from it.")
                % {"date": _day(awarded_on)},
                _("The institution's working group and its assessor are notified."),
            ],
            undo=_(
                "If the date is wrong, a facilitator can correct it afterwards on the self-assessment page "
                "(the correction is kept in the audit log)."
            ),
            button=_("Record the award"),
            back_url=reverse("cohort:workspace", kwargs={"cohort": cohort, "institution": institution}),
            carry=[("awarded_on", awarded_on.isoformat())],
        )
        return confirm_page(request, confirmation, {"membership": membership, "cohort": membership.cohort})

    def do_award() -> str:
        if request.method != "POST":
            raise ValidationError(_("Enter the award date on the self-assessment page."))
        if not form.is_valid():
            raise ValidationError(
                _("Award date: %(errors)s") % {"errors": " ".join(str(e) for e in form.errors.get("awarded_on", []))}
            )
        awarded = assessment.record_award(membership, sa, awarded_on=form.cleaned_data["awarded_on"])
        return _("The award is recorded. Mid-point review: %(midpoint)s; expires: %(expires)s.") % {
            "midpoint": _day(awarded.midpoint_review_on),
            "expires": _day(awarded.expires_on),
        }

    return post_action(request, do_award, to="cohort:workspace", cohort=cohort, institution=institution)


@login_required
@require_POST
def correct_award(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)
    form = AwardForm(request.POST, prefix="correct")
    if form.is_valid():
        try:
            corrected = assessment.correct_award(membership, sa, awarded_on=form.cleaned_data["awarded_on"])
        except NotAllowed as refusal:  # no correction form on this person's page: say it at the top
            messages.error(request, str(refusal))
            return redirect("cohort:workspace", cohort=cohort, institution=institution)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The award date is now %(awarded)s. Mid-point review: %(midpoint)s; expires: %(expires)s.")
                % {
                    "awarded": _day(corrected.awarded_on),
                    "midpoint": _day(corrected.midpoint_review_on),
                    "expires": _day(corrected.expires_on),
                },
            )
            return redirect("cohort:workspace", cohort=cohort, institution=institution)
    return _workspace_page(request, membership, participation, sa, status=400, correct_award_form=form)


@login_required
@require_POST
def new_cycle(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)

    def do_start() -> str:
        new = assessment.start_new_cycle(membership, sa)
        return _("Re-submission started (cycle %(cycle)s); open actions were carried over.") % {"cycle": new.cycle}

    return post_action(request, do_start, to="cohort:workspace", cohort=cohort, institution=institution)


@login_required
def export_pdf(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse | FileResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)
    return attachment(
        exports.self_assessment_pdf(sa), filename=f"{exports.filename(sa)}.pdf", content_type="application/pdf"
    )


@login_required
def export_csv(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse | FileResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)
    return attachment(
        exports.self_assessment_csv(sa), filename=f"{exports.filename(sa)}.csv", content_type="text/csv; charset=utf-8"
    )


# The action plan.


def _plan_page(
    request: AuthedRequest,
    membership: Membership,
    participation: Participation,
    status: int = 200,
    correcting: tuple[int, BaseForm] | None = None,
    **forms: BaseForm,
) -> HttpResponse:
    sa = assessment.current_self_assessment(membership.cohort, participation.institution)
    items = list(assessment.plan_items(membership.cohort, participation.institution_id))
    corrections: dict[int, BaseForm] = {}
    if membership.can_manage_institution(participation.institution_id):
        owners = list(User.objects.working_group(membership.cohort, participation.institution).order_by("display_name"))
        for item in items:
            initial = {"owner": item.owner_id, "owner_name": item.owner_name, "due_on": item.due_on}
            corrections[item.pk] = ActionCorrectionForm(
                cohort=membership.cohort,
                institution=participation.institution,
                owners=owners,
                initial=initial,
                prefix=f"correct-{item.pk}",
            )
        if correcting is not None:
            corrections[correcting[0]] = correcting[1]
    for item in items:
        item.correction_form = corrections.get(item.pk)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "membership": membership,
        "cohort": membership.cohort,
        "participation": participation,
        "sa": sa,
        "items": items,
        "can_edit": assessment.is_working_group(membership, participation.institution_id) or membership.is_facilitator,
        "statuses": ActionItem.Status.choices,
        "form": ActionForm(cohort=membership.cohort, institution=participation.institution),
        **forms,
    }
    return render(request, "cohort/assessment/action_plan.html", context, status=status)


@login_required
def action_plan(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    return _plan_page(request, membership, participation)


@login_required
@require_POST
def add_action(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    form = ActionForm(request.POST, cohort=membership.cohort, institution=participation.institution)
    if form.is_valid():
        try:
            item = assessment.add_plan_action(
                membership,
                participation.institution,
                title=form.cleaned_data["title"],
                area=form.cleaned_data["area"],
                owner=form.cleaned_data["owner"],
                owner_name=form.cleaned_data["owner_name"],
                due_on=form.cleaned_data["due_on"],
                detail=form.cleaned_data["detail"],
            )
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” added to the action plan.") % {"title": item.title})
            return redirect("cohort:action_plan", cohort=cohort, institution=institution)
    return _plan_page(request, membership, participation, status=400, form=form)


@login_required
@require_POST
def update_action(request: AuthedRequest, cohort: str, institution: str, item_id: int) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    item = get_action_item(membership, participation, item_id)
    form = ActionUpdateForm(request.POST)

    def update() -> str:
        if not form.is_valid():
            raise ValidationError(_("Choose a status from the list."))
        assessment.update_action(membership, item, status=form.cleaned_data["status"], note=form.cleaned_data["note"])
        return _("“%(title)s” updated: %(status)s.") % {
            "title": item.title,
            "status": item.get_status_display().lower(),
        }

    plan = reverse("cohort:action_plan", kwargs={"cohort": cohort, "institution": institution})
    return post_action(request, update, to=f"{plan}#action-{item.pk}")


@login_required
@require_POST
def correct_action(request: AuthedRequest, cohort: str, institution: str, item_id: int) -> HttpResponse:
    membership, participation = get_private_scope(request.user, cohort, institution)
    item = get_action_item(membership, participation, item_id)
    form = ActionCorrectionForm(
        request.POST, cohort=membership.cohort, institution=participation.institution, prefix=f"correct-{item.pk}"
    )
    if form.is_valid():
        try:
            assessment.correct_action(membership, item, **form.cleaned_data)
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s”: owner and due date saved.") % {"title": item.title})
            plan = reverse("cohort:action_plan", kwargs={"cohort": cohort, "institution": institution})
            return redirect(f"{plan}#action-{item.pk}")
    return _plan_page(request, membership, participation, status=400, correcting=(item.pk, form))


# Cohort progress.


@login_required
def progress(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    areas, rows, aggregate = assessment.progress_matrix(membership.cohort)
    for area in areas:  # for the heatmap's abbreviations, which are attributes and carry no markup
        area.local_title = localised(area, "title")[0]  # type: ignore[attr-defined]
    sees_all = membership.is_facilitator or membership.is_assessor
    if not sees_all:
        rows = [row for row in rows if row.institution.pk == membership.institution_id]
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "areas": areas,
        "rows": rows,
        "aggregate": aggregate,
        "sees_all": sees_all,
    }
    return render(request, "cohort/assessment/progress.html", context)


# The effective-practice library.


def _practice_page(
    request: AuthedRequest, membership: Membership, status: int = 200, form: BaseForm | None = None
) -> HttpResponse:
    search = PracticeSearchForm(request.GET or None, framework_id=membership.cohort.framework_id)
    practices = EffectivePractice.objects.filter(cohort=membership.cohort).select_related("area", "institution")
    if search.is_valid():
        area = search.cleaned_data["area"]
        practices = assessment.search_practice(
            practices, area_id=area.pk if area else None, text=search.cleaned_data["q"]
        )
    initial = {k: request.GET[k] for k in ("source", "source_url", "area", "title") if k in request.GET}
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "practices": practices,
        "search": search,
        "can_add": membership.role != Role.OBSERVER,
        "form": form or PracticeForm(cohort=membership.cohort, initial=initial),
    }
    return render(request, "cohort/assessment/practice.html", context, status=status)


@login_required
def practice_library(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    return _practice_page(request, membership)


@login_required
@require_POST
def add_practice(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, Role.FACILITATOR, Role.ASSESSOR, Role.LEAD, Role.MEMBER)
    form = PracticeForm(request.POST, cohort=membership.cohort)
    if form.is_valid():
        try:
            practice = assessment.add_practice(
                membership, **{k: form.cleaned_data[k] for k in PracticeForm.Meta.fields}
            )
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” is in the library.") % {"title": practice.title})
            return redirect("cohort:practice_library", cohort=cohort)
    return _practice_page(request, membership, status=400, form=form)


@login_required
@require_POST
def practice_sharing(request: AuthedRequest, cohort: str, practice_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    practice = get_changeable_practice(membership, practice_id)
    form = SharingForm(request.POST)
    form.is_valid()

    def share() -> str:
        assessment.set_practice_sharing(
            membership,
            practice,
            shared=form.cleaned_data.get("shared_with_sector", False),
            anonymous=form.cleaned_data.get("anonymous", False),
        )
        if practice.shared_with_sector:
            return _("“%(title)s” is shared with the whole sector.") % {"title": practice.title}
        return _("“%(title)s” is kept within the cohort.") % {"title": practice.title}

    return post_action(request, share, to="cohort:practice_library", cohort=cohort)


@login_required
def sector_practice(request: AuthedRequest) -> HttpResponse:
    if not Membership.objects.filter(user=request.user).exists():
        raise Http404("No such page.")
    search = PracticeSearchForm(request.GET or None, framework_id=None)
    practices = EffectivePractice.objects.filter(shared_with_sector=True).select_related(
        "area", "institution", "cohort"
    )
    if search.is_valid():
        area = search.cleaned_data["area"]
        practices = assessment.search_practice(
            practices, area_id=area.pk if area else None, text=search.cleaned_data["q"]
        )
    return render(request, "cohort/assessment/sector_practice.html", {"practices": practices, "search": search})


# The data and definitions register.


@login_required
def data_register(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    participations = Participation.objects.filter(cohort=membership.cohort).select_related("institution")
    definitions = {
        d.institution_id: d
        for d in DataDefinition.objects.filter(cohort=membership.cohort).prefetch_related(
            Prefetch("targets", queryset=AppTarget.objects.order_by("group", "year"))
        )
    }
    rows = [(p.institution, definitions.get(p.institution_id)) for p in participations]
    context = {"membership": membership, "cohort": membership.cohort, "rows": rows}
    return render(request, "cohort/assessment/data_register.html", context)


def _definition_page(
    request: AuthedRequest, membership: Membership, participation: Participation, status: int = 200, **forms: BaseForm
) -> HttpResponse:
    definition = DataDefinition.objects.filter(cohort=membership.cohort, institution=participation.institution).first()
    context: dict[str, Any] = {
        "membership": membership,
        "cohort": membership.cohort,
        "participation": participation,
        "definition": definition,
        "targets": definition.targets.all() if definition else [],
        # An unsaved row when none exists yet: two people writing the first definitions meet too.
        "form": DataDefinitionForm(instance=definition, row=definition or DataDefinition()),
        "target_form": TargetForm(),
        **forms,
    }
    return render(request, "cohort/assessment/data_definition.html", context, status=status)


@login_required
def data_definition(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_register_scope(request.user, cohort, institution)
    if request.method != "POST":
        return _definition_page(request, membership, participation)
    form = DataDefinitionForm(request.POST)
    if form.is_valid():
        try:
            assessment.save_data_definition(
                membership,
                participation.institution,
                care_experienced=form.cleaned_data["care_experienced"],
                estranged=form.cleaned_data["estranged"],
                data_sources=form.cleaned_data["data_sources"],
                based_on=form.based_on_version(),
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
            return _definition_page(request, membership, participation, status=409, form=form)
        messages.success(request, _("Your definitions are saved."))
        return redirect("cohort:data_definition", cohort=cohort, institution=institution)
    return _definition_page(request, membership, participation, status=400, form=form)


@login_required
@require_POST
def add_target(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership, participation = get_register_scope(request.user, cohort, institution)
    form = TargetForm(request.POST)
    if form.is_valid():
        assessment.add_target(membership, participation.institution, **form.cleaned_data)
        messages.success(request, _("Target added."))
        return redirect("cohort:data_definition", cohort=cohort, institution=institution)
    return _definition_page(request, membership, participation, status=400, target_form=form)


@login_required
@require_POST
def delete_target(request: AuthedRequest, cohort: str, institution: str, target_id: int) -> HttpResponse:
    membership, participation = get_register_scope(request.user, cohort, institution)
    target = get_target(membership, participation, target_id)

    def delete() -> str:
        assessment.delete_target(membership, target)
        return _("Target “%(measure)s” removed.") % {"measure": target.measure}

    return post_action(request, delete, to="cohort:data_definition", cohort=cohort, institution=institution)
