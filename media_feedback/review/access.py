"""Permission-checked getters of clip review and summaries (on top of cohort.access and
media_feedback.access): 404 outside the member's scope."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from cohort.models import Membership
from media_feedback.models import Clip
from media_feedback.review.models import ClipTag, SummaryDocument, SummaryVersion


def get_review_clip(membership: Membership, public_id: UUID) -> Clip:
    """A ready clip of the member's cohort with everything its review page shows. Callers check the
    role: the full clip is the facilitators', `get_shared_clip` is everyone else's."""
    return get_object_or_404(
        Clip.objects.select_related("call", "institution", "transcript", "consent", "review").prefetch_related(
            "redactions", Prefetch("tags", queryset=ClipTag.objects.select_related("area")), "quotes__area"
        ),
        public_id=public_id,
        call__cohort_id=membership.cohort_id,
        status=Clip.Status.READY,
    )


def get_shared_clip(membership: Membership, public_id: UUID) -> Clip:
    """A clip whose redacted rendition the member may play: facilitators, or the student's own
    institution (working group and its assessor) when the consent shares it."""
    found = get_review_clip(membership, public_id)
    if membership.is_facilitator:
        return found
    consent = getattr(found, "consent", None)
    if consent and consent.share_with_institutions and membership.can_see_institution_private(found.institution_id):
        return found
    raise Http404("No such clip.")


def get_document(membership: Membership, document_id: int) -> SummaryDocument:
    return get_object_or_404(
        SummaryDocument.objects.select_related("call__cohort"), pk=document_id, call__cohort_id=membership.cohort_id
    )


def get_version(membership: Membership, document_id: int, number: int) -> SummaryVersion:
    return get_object_or_404(
        SummaryVersion.objects.select_related("document__call__cohort", "published_by"),
        document_id=document_id,
        number=number,
        document__call__cohort_id=membership.cohort_id,
    )
