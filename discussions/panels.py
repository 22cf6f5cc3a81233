"""This app's links in the cohort navigation and panels on the cohort dashboard (see cohort/panels.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cohort.models import Membership
from cohort.panels import NavItem, Panel
from discussions.models import Report, Theme, Thread


def nav_items(membership: Membership) -> list[NavItem]:
    return [
        NavItem(_("Discussions"), reverse("discussions:index", kwargs={"cohort": membership.cohort.slug}), order=30)
    ]


def dashboard_panels(membership: Membership) -> list[Panel]:
    per_theme = Thread.objects.visible_to(membership).unread_by(membership.user).count_per_theme()
    themes = [(t, per_theme[t.pk]) for t in Theme.objects.filter(pk__in=per_theme)]
    context = {
        "cohort_slug": membership.cohort.slug,
        "unread": sum(per_theme.values()),
        "themes": themes,
        "open_reports": Report.objects.open_in(membership.cohort_id).count() if membership.is_facilitator else 0,
    }
    return [Panel("discussions/_panel.html", context, order=30)]
