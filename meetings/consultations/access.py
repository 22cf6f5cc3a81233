"""The permission-checked getters of consultations: scope first, 404 outside it.

Beside the sub-domain's other modules (not in meetings/access.py), because meetings' core never
imports the sub-domain.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from cohort import access
from cohort.models import Membership, Participation, Role
from meetings.consultations.models import Consultation
from meetings.consultations.services import can_act_as_host, can_change

# Who sees consultations at all (observers do not), and who offers them.
CONSULTATION_ROLES = (Role.FACILITATOR, Role.ASSESSOR, Role.LEAD, Role.MEMBER)
HOST_ROLES = (Role.FACILITATOR, Role.ASSESSOR)


def get_consultation(membership: Membership, consultation_id: int) -> Consultation:
    """A consultation of the member's cohort that they may see: its host, the facilitator, the
    institution's own working group and its assessor."""
    consultation = get_object_or_404(
        Consultation.objects.with_people().select_related("cancelled_by"),
        pk=consultation_id,
        cohort_id=membership.cohort_id,
    )
    if consultation.host_id == membership.user_id or membership.can_see_institution_private(
        consultation.institution_id
    ):
        return consultation
    raise Http404("No such consultation.")


def get_changeable_consultation(membership: Membership, consultation_id: int) -> Consultation:
    """One the member may move or cancel: its host, the facilitator, or the institution's lead."""
    consultation = get_consultation(membership, consultation_id)
    if not can_change(membership, consultation):
        raise Http404("No such page.")
    return consultation


def get_hosted_consultation(membership: Membership, consultation_id: int) -> Consultation:
    """One the member may record notes on: its host or the facilitator."""
    consultation = get_consultation(membership, consultation_id)
    if not can_act_as_host(membership, consultation):
        raise Http404("No such page.")
    return consultation


def get_own_participation(membership: Membership) -> Participation:
    if membership.institution is None:
        raise Http404("No such page.")
    return access.get_private_participation(membership, membership.institution.slug)
