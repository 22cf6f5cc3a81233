"""The pages that compose several apps: gathering each app's navigation links and dashboard panels."""

from __future__ import annotations

from types import ModuleType

import discussions.panels
import media_feedback.panels
import media_feedback.review.panels
import meetings.consultations.panels
import meetings.panels
from cohort import panels as cohort_panels
from cohort.assessment import panels as assessment_panels
from cohort.models import Membership
from cohort.panels import NavItem, Panel

APP_PANELS: list[ModuleType] = [
    cohort_panels,
    assessment_panels,
    meetings.panels,
    meetings.consultations.panels,
    discussions.panels,
    media_feedback.panels,
    media_feedback.review.panels,
]


def cohort_nav(membership: Membership) -> list[NavItem]:
    items = [item for module in APP_PANELS for item in module.nav_items(membership)]
    return sorted(items, key=lambda item: item.order)


def dashboard_panels(membership: Membership) -> list[Panel]:
    panels = [panel for module in APP_PANELS for panel in module.dashboard_panels(membership)]
    return sorted(panels, key=lambda panel: panel.order)
