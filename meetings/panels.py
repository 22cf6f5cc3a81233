"""This app's links in the cohort navigation and panels on the cohort dashboard (see cohort/panels.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cohort.models import Membership
from cohort.panels import NavItem, Panel
from meetings.models import Meeting


def nav_items(membership: Membership) -> list[NavItem]:
    return [NavItem(_("Meetings"), reverse("meetings:schedule", kwargs={"cohort": membership.cohort.slug}), order=20)]


def dashboard_panels(membership: Membership) -> list[Panel]:
    upcoming = (
        Meeting.objects.active()
        .upcoming()
        .filter(cohort_id=membership.cohort_id)
        .select_related("area", "cohort")
        .order_by("starts_at")
        .first()
    )
    context = {
        "meeting": upcoming,
        "schedule_url": reverse("meetings:schedule", kwargs={"cohort": membership.cohort.slug}),
    }
    return [Panel("meetings/panel_next_meeting.html", context, order=20)]
