"""Consultations: links in the cohort navigation and panels on the dashboard (see cohort/panels.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cohort.models import Membership, Participation
from cohort.panels import NavItem, Panel
from meetings.consultations.access import CONSULTATION_ROLES
from meetings.consultations.models import Consultation
from meetings.consultations.services import quota_for


def nav_items(membership: Membership) -> list[NavItem]:
    if membership.role not in CONSULTATION_ROLES:
        return []
    return [
        NavItem(_("Consultations"), reverse("meetings:consultations", kwargs={"cohort": membership.cohort.slug}), 30)
    ]


def dashboard_panels(membership: Membership) -> list[Panel]:
    """The next consultation and, for an institution, how many of its consultations are left."""
    if membership.role not in CONSULTATION_ROLES:
        return []
    upcoming = (
        Consultation.objects.upcoming().filter(cohort_id=membership.cohort_id).select_related("host", "institution")
    )
    context: dict[str, object] = {"cohort_slug": membership.cohort.slug, "host_view": membership.is_staff_role}
    if membership.is_facilitator:
        # The facilitator sees the whole cohort's bookings, whoever hosts them.
        context["booked"] = upcoming.count()
    elif membership.is_staff_role:
        upcoming = upcoming.filter(host_id=membership.user_id)
    elif membership.institution_id is not None:
        participation = Participation.objects.filter(
            cohort_id=membership.cohort_id, institution_id=membership.institution_id
        ).first()
        if participation is None:
            return []
        upcoming = upcoming.filter(institution_id=membership.institution_id)
        context["quota"] = quota_for(participation)
        context["can_book"] = membership.is_lead and participation.assessor_id is not None
    else:
        return []
    context["next"] = upcoming.first()
    return [Panel("meetings/consultations/panel.html", context, order=30)]
