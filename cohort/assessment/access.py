"""Permission-checked getters of the self-assessment's pages (cohort.access holds the cohort's own).

Outside the member's scope they raise Http404, as cohort.access does.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from cohort import access
from cohort.assessment.services import can_change_practice, is_working_group
from cohort.models import (
    ActionItem,
    AppTarget,
    Criterion,
    EffectivePractice,
    Evidence,
    Membership,
    Participation,
    User,
)


def get_private_scope(user: User, cohort_slug: str, institution_slug: str) -> tuple[Membership, Participation]:
    """The member and an institution whose private work they may see (its working group, its
    assessor, the facilitator), with the cohort loaded on both."""
    membership = access.get_membership(user, cohort_slug)
    participation = access.get_private_participation(membership, institution_slug)
    participation.cohort = membership.cohort
    return membership, participation


def get_register_scope(user: User, cohort_slug: str, institution_slug: str) -> tuple[Membership, Participation]:
    """The member and an institution whose data register entry they may edit: its working group and
    the facilitator."""
    membership = access.get_membership(user, cohort_slug)
    participation = access.get_participation(membership, institution_slug)
    if not (is_working_group(membership, participation.institution_id) or membership.is_facilitator):
        raise Http404("No such page.")
    return membership, participation


def get_criterion(membership: Membership, criterion_id: int) -> Criterion:
    """A criterion of the cohort's framework."""
    return get_object_or_404(
        Criterion.objects.select_related("area"), pk=criterion_id, area__framework_id=membership.cohort.framework_id
    )


def get_evidence(membership: Membership, participation: Participation, evidence_id: int) -> Evidence:
    """Evidence of the institution's self-assessments in this cohort (any cycle)."""
    return get_object_or_404(
        Evidence.objects.select_related("response__criterion__area", "response__self_assessment"),
        pk=evidence_id,
        response__self_assessment__cohort_id=membership.cohort_id,
        response__self_assessment__institution_id=participation.institution_id,
    )


def get_action_item(membership: Membership, participation: Participation, item_id: int) -> ActionItem:
    """An item of the institution's action plan in this cohort."""
    return get_object_or_404(
        ActionItem, pk=item_id, cohort_id=membership.cohort_id, institution_id=participation.institution_id
    )


def get_target(membership: Membership, participation: Participation, target_id: int) -> AppTarget:
    """One of the institution's targets in this cohort's data register."""
    return get_object_or_404(
        AppTarget.objects.select_related("definition"),
        pk=target_id,
        definition__cohort_id=membership.cohort_id,
        definition__institution_id=participation.institution_id,
    )


def get_changeable_practice(membership: Membership, practice_id: int) -> EffectivePractice:
    """An example in the cohort's library whose sharing the member decides (its institution's lead,
    a facilitator)."""
    practice = get_object_or_404(EffectivePractice, pk=practice_id, cohort_id=membership.cohort_id)
    if not can_change_practice(membership, practice):
        raise Http404("No such page.")
    return practice
