from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from cohort import access
from cohort.http import AuthedRequest
from cohort.models import Membership, Participation
from config.composition import dashboard_panels


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("cohort", "institution")
        .order_by("-cohort__starts_on")
    )
    return render(request, "home.html", {"memberships": memberships})


@login_required
def dashboard(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    participations = Participation.objects.filter(cohort=membership.cohort).select_related("institution", "assessor")
    people = Membership.objects.filter(cohort=membership.cohort).select_related("user", "institution")
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "participations": participations,
        "staff": [m for m in people if m.institution_id is None],
        "group_sizes": _group_sizes(people),
        "areas": membership.cohort.framework.areas.all(),
        "panels": dashboard_panels(membership),
    }
    return render(request, "dashboard.html", context)


def _group_sizes(people: object) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for m in people:  # type: ignore[attr-defined]
        if m.institution_id:
            sizes[m.institution_id] = sizes.get(m.institution_id, 0) + 1
    return sizes
