"""Permission-checked getters of clip review and summaries (on top of cohort.access and
media_feedback.access): 404 outside the member's scope."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from cohort.models import Membership
from media_feedback.access import Artefact, may_see
from media_feedback.models import Clip
from media_feedback.review.models import ClipTag, SummaryDocument, SummaryVersion

# What the review page shows and every review action works on.
REVIEWED_ARTEFACTS = (
    Artefact.RENDITION,
    Artefact.TRANSCRIPT,
    Artefact.CAPTIONS,
    Artefact.SUGGESTIONS,
    Artefact.QUOTES,
    Artefact.REDACTED_TRANSCRIPT,
)


def get_review_clip(membership: Membership, clip_id: UUID, artefacts: Iterable[Artefact] = REVIEWED_ARTEFACTS) -> Clip:
    """A ready clip of the member's cohort with everything its review page shows, when the release
    rule lets the member see each of `artefacts` of it; 404 otherwise."""
    found = get_object_or_404(
        Clip.objects.select_related("call", "institution", "transcript", "consent", "review").prefetch_related(
            "redactions", Prefetch("tags", queryset=ClipTag.objects.select_related("area")), "quotes__area"
        ),
        public_id=clip_id,
        call__cohort_id=membership.cohort_id,
        status=Clip.Status.READY,
    )
    if not all(may_see(membership, found, artefact) for artefact in artefacts):
        raise Http404("No such clip.")
    return found


def get_document(membership: Membership, document_id: int) -> SummaryDocument:
    return get_object_or_404(
        SummaryDocument.objects.select_related("call__cohort"), pk=document_id, call__cohort_id=membership.cohort_id
    )


def get_version(membership: Membership, document_id: int, number: int) -> SummaryVersion:
    """A published version, taken down or not (the caller says what a taken-down one shows)."""
    return get_object_or_404(
        SummaryVersion.objects.select_related("document__call__cohort", "published_by"),
        document_id=document_id,
        number=number,
        document__call__cohort_id=membership.cohort_id,
    )
