"""Permission-checked getters for clips (on top of cohort.access): 404 outside the viewer's scope."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404

from cohort.models import Membership, Role
from media_feedback.models import CallLink, Clip, ClipQuerySet, FeedbackCall

CLIP_VIEWERS = (Role.FACILITATOR, Role.LEAD, Role.MEMBER)


def visible_clips(membership: Membership) -> ClipQuerySet:
    """Facilitators see every clip of the cohort; an institution's own staff see its clips whose
    consent shares them; nobody else sees any."""
    clips = Clip.objects.filter(call__cohort_id=membership.cohort_id)
    if membership.is_facilitator:
        return clips
    if membership.role in (Role.LEAD, Role.MEMBER) and membership.institution_id:
        return clips.visible_to_institution(membership.institution_id)
    return clips.none()


def require_clip_viewer(membership: Membership) -> None:
    if membership.role not in CLIP_VIEWERS:
        raise Http404("No such page.")


def get_clip(membership: Membership, public_id: UUID) -> Clip:
    require_clip_viewer(membership)
    return get_object_or_404(
        visible_clips(membership).select_related("call", "institution", "consent"), public_id=public_id
    )


def get_call(membership: Membership, call_id: int) -> FeedbackCall:
    """Calls are managed by facilitators."""
    if not membership.is_facilitator:
        raise Http404("No such page.")
    return get_object_or_404(FeedbackCall, pk=call_id, cohort_id=membership.cohort_id)


def get_open_link(token: str) -> CallLink:
    """A student's way in: the institution's link, by its token (no account; the token is the
    permission). Whether it still takes clips is the caller's to say."""
    return get_object_or_404(CallLink.objects.select_related("call", "institution"), token=token)


def get_link(membership: Membership, link_id: int) -> CallLink:
    if not membership.is_facilitator:
        raise Http404("No such page.")
    return get_object_or_404(
        CallLink.objects.select_related("call", "institution"), pk=link_id, call__cohort_id=membership.cohort_id
    )
