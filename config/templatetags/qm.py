from __future__ import annotations

from django import template

from cohort.models import Membership
from cohort.panels import NavItem
from config.composition import cohort_nav as gather_nav

register = template.Library()


@register.simple_tag
def cohort_nav(membership: Membership | None) -> list[NavItem]:
    if membership is None:
        return []
    return gather_nav(membership)
