"""Permission-checked getters. Every view and consumer gets its objects through these.

Outside the user's scope they raise Http404 (never 403) and change nothing: a person outside a
cohort cannot even learn that it exists.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cohort.models import FormerMembership, Invitation, Membership, Notification, Participation, Role, User


def _user_id(user: User | AnonymousUser) -> int | None:
    return user.pk if user.is_authenticated and user.is_active else None


def get_membership(user: User | AnonymousUser, cohort_slug: str) -> Membership:
    """The user's membership of the cohort, with the cohort loaded; 404 if they have none."""
    user_id = _user_id(user)
    if user_id is None:
        raise Http404(_("No such cohort."))
    try:
        return Membership.objects.select_related("cohort", "cohort__framework", "institution", "user").get(
            user_id=user_id, cohort__slug=cohort_slug
        )
    except Membership.DoesNotExist:
        raise Http404(_("No such cohort.")) from None


def get_facilitator_membership(user: User | AnonymousUser, cohort_slug: str) -> Membership:
    membership = get_membership(user, cohort_slug)
    if not membership.is_facilitator:
        raise Http404(_("No such page."))
    return membership


def require_role(membership: Membership, *roles: str) -> None:
    if membership.role not in roles:
        raise Http404(_("No such page."))


def get_participation(membership: Membership, institution_slug: str) -> Participation:
    """An institution taking part in the member's cohort (visible to everyone in the cohort)."""
    return get_object_or_404(
        Participation.objects.select_related("institution", "assessor"),
        cohort_id=membership.cohort_id,
        institution__slug=institution_slug,
    )


def get_private_participation(membership: Membership, institution_slug: str) -> Participation:
    """An institution whose private work the member may see: its own working group, its assessor,
    the facilitator."""
    participation = get_participation(membership, institution_slug)
    if not membership.can_see_institution_private(participation.institution_id):
        raise Http404(_("No such page."))
    return participation


def get_member_of_cohort(membership: Membership, membership_id: int) -> Membership:
    """Another membership in the same cohort that this member may manage."""
    target = get_object_or_404(
        Membership.objects.select_related("user", "institution"), pk=membership_id, cohort_id=membership.cohort_id
    )
    if membership.is_facilitator:
        return target
    if membership.is_lead and target.institution_id == membership.institution_id and target.role == Role.MEMBER:
        return target
    raise Http404(_("No such person."))


def get_former_member(membership: Membership, former_id: int) -> FormerMembership:
    """A removed membership of the cohort that this member may give back: any for a facilitator, a
    member of their own institution for a lead."""
    former = FormerMembership.objects.select_related("user", "institution").filter(cohort_id=membership.cohort_id)
    if not membership.is_facilitator:
        former = former.filter(institution=membership.institution, role=Role.MEMBER)
    return get_object_or_404(former, pk=former_id)


def get_invitation(membership: Membership, invitation_id: int) -> Invitation:
    """An invitation of the member's cohort: any for a facilitator, its own institution's for a lead."""
    invitations = Invitation.objects.filter(cohort_id=membership.cohort_id)
    if not membership.is_facilitator:
        invitations = invitations.filter(institution=membership.institution)
    return get_object_or_404(invitations, pk=invitation_id)


def get_notification(user: User, notification_id: int) -> Notification:
    """One of the person's own notifications."""
    return get_object_or_404(Notification, pk=notification_id, user=user)
