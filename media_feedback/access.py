"""Permission-checked getters for clips (on top of cohort.access): 404 outside the viewer's scope.

The release rule lives here, once: `may_see` is the only code that answers "may this membership see
this artefact of this clip now?", and `visible_clips` is the same rule as a queryset (the clips of
which a membership may see anything). Every view and file server that serves anything of a clip, the
review pages included, gets the clip through `get_clip` with the artefact it is about to serve.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cohort.models import Membership, Role
from media_feedback.models import CallLink, Clip, ClipQuerySet, FeedbackCall, Withdrawal

CLIP_VIEWERS = (Role.FACILITATOR, Role.LEAD, Role.MEMBER)
# The roles of an institution's own staff: the only people besides facilitators whom a consent scope
# names ("shared with my institution"). The assessor and observers are named by none.
INSTITUTION_STAFF = (Role.LEAD, Role.MEMBER)


class Artefact(StrEnum):
    """Everything of a clip that can be shown or served."""

    RECORD = "record"  # the clip's page and its row in the list: call, question, length, consent
    ORIGINAL = "original"
    RENDITION = "rendition"
    POSTER = "poster"
    WAVEFORM = "waveform"
    TRANSCRIPT = "transcript"
    CAPTIONS = "captions"
    SUGGESTIONS = "suggestions"
    QUOTES = "quotes"
    REDACTED_RENDITION = "redacted_rendition"
    REDACTED_TRANSCRIPT = "redacted_transcript"
    REDACTED_CAPTIONS = "redacted_captions"


# What a released clip shows its institution's staff: the redacted forms only. A poster is a frame of
# the student's face and a waveform follows the unredacted voice, so they stay with facilitators.
RELEASED_FORMS = frozenset(
    {Artefact.RECORD, Artefact.REDACTED_RENDITION, Artefact.REDACTED_TRANSCRIPT, Artefact.REDACTED_CAPTIONS}
)
# The picture as the student sent it, faces and all: facilitators only, and only until the call's
# retention ends (the clean-up deletes the clip within minutes after; nothing serves it meanwhile).
AS_SENT = frozenset({Artefact.ORIGINAL, Artefact.RENDITION})


def retention_over(clip: Clip) -> bool:
    ends = clip.call.delete_clips_after
    return ends is not None and ends <= timezone.now()


def faces_hidden(clip: Clip) -> bool:
    """The rendition everyone but facilitators plays shows no face where it must not: the clip's
    faces need no blurring, or its blurred video (which that rendition is made from) exists."""
    return not clip.faces_blurred or bool(clip.blurred_rendition_name)


def is_released_to(membership: Membership, clip: Clip) -> bool:
    """The clip has been released by a facilitator, and the membership is staff of the clip's own
    institution, whose student's consent shares it with them."""
    consent = getattr(clip, "consent", None)
    return (
        clip.released_at is not None
        and membership.role in INSTITUTION_STAFF
        and membership.institution_id is not None
        and membership.institution_id == clip.institution_id
        and consent is not None
        and consent.share_with_institutions
    )


def may_see(membership: Membership, clip: Clip, artefact: Artefact) -> bool:
    """The release rule. Facilitators of the clip's cohort see everything of it, in every state;
    before a facilitator releases a reviewed clip, nobody else sees anything of it; after release,
    the staff of the clip's institution (where the consent shares it) see its redacted forms only,
    with the faces blurred when the student asked to stay anonymous or a facilitator asked (and not
    before they are). The picture as sent stays with facilitators until the call's retention ends.
    A withdrawn clip no longer exists, so nobody sees anything of it."""
    if clip.call.cohort_id != membership.cohort_id:
        return False
    if membership.is_facilitator:
        return artefact not in AS_SENT or not retention_over(clip)
    if artefact == Artefact.REDACTED_RENDITION and not faces_hidden(clip):
        return False
    return artefact in RELEASED_FORMS and is_released_to(membership, clip)


def visible_clips(membership: Membership) -> ClipQuerySet:
    """The clips of which `may_see` lets the membership see something, as a queryset (for lists and
    counts): the same rule, which tests/media_feedback/test_release_rule.py holds to agree."""
    clips = Clip.objects.filter(call__cohort_id=membership.cohort_id)
    if membership.is_facilitator:
        return clips
    if membership.role in INSTITUTION_STAFF and membership.institution_id:
        return clips.released_to_institution(membership.institution_id)
    return clips.none()


def require_clip_viewer(membership: Membership) -> None:
    if membership.role not in CLIP_VIEWERS:
        raise Http404("No such page.")


def get_clip(
    membership: Membership, clip_id: UUID, artefact: Artefact = Artefact.RECORD, *, ready: bool = False
) -> Clip:
    """The clip, when the release rule lets the membership see `artefact` of it (and, if `ready`, the
    clip is ready); 404 otherwise, as for a clip that does not exist."""
    clips = Clip.objects.select_related("call", "institution", "consent").filter(call__cohort_id=membership.cohort_id)
    if ready:
        clips = clips.filter(status=Clip.Status.READY)
    found = clips.filter(public_id=clip_id).first()
    if found is None or not may_see(membership, found, artefact):
        raise Http404("No such clip.")
    return found


def get_withdrawal(membership: Membership, clip_id: UUID) -> Withdrawal | None:
    """That a clip of the cohort was withdrawn by its student, for its facilitators (whose
    notifications linked to it); None for everyone else, who never saw it."""
    if not membership.is_facilitator:
        return None
    return Withdrawal.objects.filter(call__cohort_id=membership.cohort_id, clip_public_id=clip_id).first()


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
