"""Summary documents: links in the cohort navigation and panels on the dashboard (see cohort/panels.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cohort.models import Membership
from cohort.panels import NavItem, Panel
from media_feedback.review.models import SummaryDocument
from media_feedback.review.services import published_versions


def nav_items(membership: Membership) -> list[NavItem]:
    url = reverse("media_feedback:summary_list", kwargs={"cohort": membership.cohort.slug})
    return [NavItem(_("Summaries"), url, order=70)]


def dashboard_panels(membership: Membership) -> list[Panel]:
    context: dict[str, object] = {
        "cohort_slug": membership.cohort.slug,
        "versions": published_versions(membership.cohort_id)[:3],
    }
    if membership.is_facilitator:
        context["flagged"] = SummaryDocument.objects.filter(
            call__cohort_id=membership.cohort_id, flagged_at__isnull=False
        ).count()
    return [Panel("media_feedback/review/_panel.html", context, order=60)]
