"""This app's links in the cohort navigation and panels on the cohort dashboard (see cohort/panels.py)."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from cohort.models import Membership
from cohort.panels import NavItem, Panel


def nav_items(membership: Membership) -> list[NavItem]:
    return [NavItem("Discussions", reverse("discussions:index", kwargs={"cohort": membership.cohort.slug}), order=30)]


def dashboard_panels(membership: Membership) -> list[Panel]:
    from discussions.getters import unread_threads
    from discussions.models import Report, Theme

    per_theme = dict(unread_threads(membership).values("theme_id").annotate(n=Count("id")).values_list("theme_id", "n"))
    themes = [(t, per_theme[t.pk]) for t in Theme.objects.filter(pk__in=per_theme)]
    context = {
        "cohort_slug": membership.cohort.slug,
        "unread": sum(per_theme.values()),
        "themes": themes,
        "open_reports": Report.objects.filter(
            post__thread__theme__cohort_id=membership.cohort_id, outcome=Report.Outcome.OPEN
        ).count()
        if membership.is_facilitator
        else 0,
    }
    return [Panel("discussions/_panel.html", context, order=30)]
