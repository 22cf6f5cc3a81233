"""Summary documents: links in the cohort navigation and panels on the dashboard (see cohort/panels.py)."""

from __future__ import annotations

from cohort.models import Membership
from cohort.panels import NavItem, Panel


def nav_items(membership: Membership) -> list[NavItem]:
    return []


def dashboard_panels(membership: Membership) -> list[Panel]:
    return []
