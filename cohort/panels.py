"""How an app adds to the pages that compose several apps.

Each app has a `panels.py` with two functions that config calls:

- `nav_items(membership) -> list[NavItem]`: links in the cohort's navigation bar;
- `dashboard_panels(membership) -> list[Panel]`: panels on the cohort dashboard, each rendered from
  its own template with its own context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from cohort.models import Membership


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


def nav_items(membership: Membership) -> list[NavItem]:
    slug = membership.cohort.slug
    items = [NavItem("Dashboard", reverse("dashboard", kwargs={"cohort": slug}), order=0)]
    if membership.is_facilitator or membership.is_lead:
        items.append(NavItem("People", reverse("cohort:people", kwargs={"cohort": slug}), order=90))
    items.append(NavItem("Framework", reverse("cohort:framework", kwargs={"cohort": slug}), order=95))
    if membership.institution is not None:
        own = {"cohort": slug, "institution": membership.institution.slug}
        items.append(NavItem("Self-assessment", reverse("cohort:workspace", kwargs=own), order=20))
        items.append(NavItem("Action plan", reverse("cohort:action_plan", kwargs=own), order=21))
    items.append(NavItem("Progress", reverse("cohort:progress", kwargs={"cohort": slug}), order=22))
    items.append(NavItem("Practice library", reverse("cohort:practice_library", kwargs={"cohort": slug}), order=70))
    items.append(NavItem("Data register", reverse("cohort:data_register", kwargs={"cohort": slug}), order=75))
    return items


def dashboard_panels(membership: Membership) -> list[Panel]:
    from cohort.models import ActionItem, SelfAssessment

    slug = membership.cohort.slug
    panels = []
    if membership.institution is not None:
        from cohort.assessment.services import status_counts

        own = {"cohort": slug, "institution": membership.institution.slug}
        # Read only: the dashboard never starts a self-assessment.
        sa = SelfAssessment.objects.filter(cohort=membership.cohort, institution=membership.institution).order_by(
            "-cycle"
        ).first() or SelfAssessment(cohort=membership.cohort, institution=membership.institution)
        sa.cohort = membership.cohort
        counts = status_counts(sa)
        overdue = ActionItem.objects.overdue().filter(cohort=membership.cohort, institution=membership.institution)
        lines = [
            f"Cycle {sa.cycle}: {sa.get_status_display()}",
            f"{counts['ready'] + counts['reviewed']} of {counts['total']} criteria ready or reviewed",
        ]
        if counts["more_evidence"]:
            lines.append(f"{counts['more_evidence']} need more evidence")
        if sa.expires_on:
            lines.append(f"Mid-point review {sa.midpoint_review_on:%-d %B %Y}; expires {sa.expires_on:%-d %B %Y}")
        n_overdue = overdue.count()
        if n_overdue:
            lines.append(f"{n_overdue} overdue action{'s' if n_overdue != 1 else ''}")
        links = [
            ("Open the self-assessment", reverse("cohort:workspace", kwargs=own)),
            ("Action plan", reverse("cohort:action_plan", kwargs=own)),
        ]
        panels.append(
            Panel("cohort/assessment/_panel.html", {"title": "Self-assessment", "lines": lines, "links": links}, 10)
        )
    elif membership.is_assessor or membership.is_facilitator:
        waiting = SelfAssessment.objects.filter(cohort=membership.cohort).select_related("institution")
        if membership.is_assessor:
            waiting = waiting.filter(
                status=SelfAssessment.Status.SUBMITTED,
                institution__participations__cohort=membership.cohort,
                institution__participations__assessor=membership.user,
            )
            title = "Waiting for your review"
        else:
            waiting = waiting.filter(status=SelfAssessment.Status.RECOMMENDED)
            title = "Awards to record"
        lines = [sa.institution.name for sa in waiting[:10]] or ["Nothing waiting."]
        links = [("Cohort progress", reverse("cohort:progress", kwargs={"cohort": slug}))]
        panels.append(Panel("cohort/assessment/_panel.html", {"title": title, "lines": lines, "links": links}, 10))
    return panels
