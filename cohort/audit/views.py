from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from cohort import access
from cohort.audit.models import AuditAction, AuditEvent
from cohort.http import AuthedRequest


@login_required
def audit_log(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    events = AuditEvent.objects.filter(cohort=membership.cohort).select_related("actor")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        events = events.filter(action=action)
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "events": events[:500],
        "actions": AuditAction.choices,
        "current": action,
    }
    return render(request, "cohort/audit/log.html", context)
