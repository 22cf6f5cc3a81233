from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _, gettext_lazy

from cohort import access
from cohort.audit.models import AuditAction, AuditEvent
from cohort.http import AuthedRequest
from cohort.models import Cohort, Invitation, Membership, SelfAssessment, User


def _ids(events: list[AuditEvent], kind: str) -> set[int]:
    return {int(e.target_id) for e in events if e.target_type == kind and e.target_id.isdigit()}


def object_labels(cohort: Cohort, events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """What each event's object is, in words (a person's name, an institution's self-assessment),
    from one query per kind of object however many events there are. Objects since deleted or
    erased keep a plain label."""
    labels: dict[tuple[str, str], str] = {}
    for user in User.objects.filter(pk__in=_ids(events, "user")):
        labels["user", str(user.pk)] = str(user)
    memberships = Membership.objects.filter(pk__in=_ids(events, "membership"), cohort=cohort).select_related("user")
    for m in memberships:
        labels["membership", str(m.pk)] = _("%(person)s (%(role)s)") % {"person": m.user, "role": m.get_role_display()}
    cycles = SelfAssessment.objects.filter(pk__in=_ids(events, "self_assessment"), cohort=cohort)
    for sa in cycles.select_related("institution"):
        labels["self_assessment", str(sa.pk)] = _("%(institution)s's self-assessment, cycle %(cycle)s") % {
            "institution": sa.institution.short_name,
            "cycle": sa.cycle,
        }
    for inv in Invitation.objects.filter(pk__in=_ids(events, "invitation"), cohort=cohort):
        labels["invitation", str(inv.pk)] = _("Invitation to %(email)s") % {"email": inv.email}
    return labels


_KIND_NAMES = {
    "user": gettext_lazy("A person"),
    "membership": gettext_lazy("A membership"),
    "self_assessment": gettext_lazy("A self-assessment"),
    "invitation": gettext_lazy("An invitation"),
    "clip": gettext_lazy("Clip"),
    "summary": gettext_lazy("Summary"),
}


def object_label(labels: dict[tuple[str, str], str], event: AuditEvent) -> str:
    if not event.target_type:
        return "—"
    found = labels.get((event.target_type, event.target_id))
    if found:
        return found
    kind = _KIND_NAMES.get(event.target_type, event.target_type.replace("_", " ").capitalize())
    if event.target_type == "clip":
        return _("Clip %(id)s…") % {"id": event.target_id[:8]}  # the start of the clip's public id
    if event.target_type in ("user", "membership", "invitation"):
        return _("%(kind)s no longer in the cohort (no. %(id)s)") % {"kind": kind, "id": event.target_id}
    return _("%(kind)s no. %(id)s") % {"kind": kind, "id": event.target_id}


@login_required
def audit_log(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    events = AuditEvent.objects.filter(cohort=membership.cohort).select_related("actor")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        events = events.filter(action=action)
    shown = list(events[:500])
    labels = object_labels(membership.cohort, shown)
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "events": [(e, object_label(labels, e)) for e in shown],
        "actions": AuditAction.choices,
        "current": action,
    }
    return render(request, "cohort/audit/log.html", context)
