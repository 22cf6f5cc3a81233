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
from django.utils.translation import gettext as _

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
    items = [NavItem(_("Dashboard"), reverse("dashboard", kwargs={"cohort": slug}), order=0)]
    if membership.is_facilitator or membership.is_lead:
        items.append(NavItem(_("People"), reverse("cohort:people", kwargs={"cohort": slug}), order=90))
    items.append(NavItem(_("Framework"), reverse("cohort:framework", kwargs={"cohort": slug}), order=95))
    return items


def dashboard_panels(membership: Membership) -> list[Panel]:
    return []
