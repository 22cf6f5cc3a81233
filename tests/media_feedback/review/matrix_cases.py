"""This app's rows of the access matrix for clip review and summary documents (see tests/matrix.py).

Objects are built for Irwell: a ready clip whose consent shares it with the institution and allows
quoting, and a summary document with one published version."""

from __future__ import annotations

from typing import Any

from tests.matrix import EVERYONE_IN_COHORT, FACILITATOR_ONLY, Case, WsCase

IRWELL_STAFF = frozenset({"facilitator", "lead", "member"})


def _clip(w: Any) -> Any:
    from tests.media_feedback.review.factories import make_call, make_clip

    call = make_call(w.cohort)
    return make_clip(call, w.irwell)


def clip_kwargs(w: Any) -> dict[str, Any]:
    return {"cohort": w.cohort.slug, "clip_id": _clip(w).public_id}


def released_kwargs(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    clip = _clip(w)
    clip.released_at = timezone.now()
    clip.save(update_fields=["released_at"])
    return {"cohort": w.cohort.slug, "clip_id": clip.public_id}


def _redaction(w: Any) -> dict[str, Any]:
    from media_feedback.review.models import Redaction

    clip = _clip(w)
    r = Redaction.objects.create(clip=clip, first_word=3, last_word=3)
    return {"cohort": w.cohort.slug, "clip_id": clip.public_id, "redaction_id": r.pk}


def _tag(w: Any) -> dict[str, Any]:
    from media_feedback.review.models import ClipTag

    clip = _clip(w)
    t = ClipTag.objects.create(clip=clip, area=w.cohort.framework.areas.get(position=5))
    return {"cohort": w.cohort.slug, "clip_id": clip.public_id, "tag_id": t.pk}


def _quote(w: Any) -> dict[str, Any]:
    from media_feedback.review.models import Quote

    clip = _clip(w)
    q = Quote.objects.create(
        clip=clip,
        area=w.cohort.framework.areas.get(position=5),
        first_word=0,
        last_word=2,
        start_seconds=0,
        end_seconds=1.4,
    )
    return {"cohort": w.cohort.slug, "clip_id": clip.public_id, "quote_id": q.pk}


def _call_kwargs(w: Any) -> dict[str, Any]:
    from tests.media_feedback.review.factories import make_call

    return {"cohort": w.cohort.slug, "call_id": make_call(w.cohort).pk}


def _document(w: Any, *, publish: bool = True) -> Any:
    from media_feedback.review import services as review
    from tests.media_feedback.review.factories import make_call, membership_of

    call = make_call(w.cohort)
    fran = membership_of(w.fran, w.cohort)
    document = review.create_summary(fran, call)
    if publish:
        review.publish_summary(fran, document)
    return document


def doc_kwargs(w: Any) -> dict[str, Any]:
    return {"cohort": w.cohort.slug, "document_id": _document(w).pk}


def draft_kwargs(w: Any) -> dict[str, Any]:
    return {"cohort": w.cohort.slug, "document_id": _document(w, publish=False).pk}


def version_kwargs(w: Any) -> dict[str, Any]:
    return {"cohort": w.cohort.slug, "document_id": _document(w).pk, "number": 1}


def _area_pk(w: Any) -> int:
    return w.cohort.framework.areas.get(position=5).pk


CASES: list[Case] = [
    Case("media_feedback:review_clip", kwargs=clip_kwargs, allowed=FACILITATOR_ONLY),
    Case(
        "media_feedback:redact_words",
        kwargs=clip_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"first_word": 4, "last_word": 4},
    ),
    Case("media_feedback:remove_redaction", kwargs=_redaction, allowed=FACILITATOR_ONLY, method="post"),
    Case(
        "media_feedback:correct_transcript",
        kwargs=clip_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"text": "My name is Sam and the rent was hard."},
    ),
    Case(
        "media_feedback:tag_clip",
        kwargs=clip_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"area": _area_pk(w)},
    ),
    Case("media_feedback:remove_tag", kwargs=_tag, allowed=FACILITATOR_ONLY, method="post"),
    Case(
        "media_feedback:decide_suggestion",
        kwargs=lambda w: {**clip_kwargs(w), "area": "student-wellbeing"},
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"decision": "accept"},
    ),
    Case(
        "media_feedback:add_quote",
        kwargs=clip_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"first_word": 1, "last_word": 4, "area": _area_pk(w)},
    ),
    Case("media_feedback:remove_quote", kwargs=_quote, allowed=FACILITATOR_ONLY, method="post"),
    Case("media_feedback:mark_reviewed", kwargs=clip_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case("media_feedback:release_clip", kwargs=clip_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case("media_feedback:blur_faces", kwargs=clip_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    # No media is stored in the matrix world: allowed actors get "not available yet" (404 from the
    # view after the scope check), which the matrix cannot tell from a refusal; the scope of these
    # four is asserted in tests/media_feedback/test_review_redaction.py with real media.
    Case("media_feedback:clip_media", kwargs=clip_kwargs, allowed=frozenset(), id="clip_media-no-file"),
    Case("media_feedback:redacted_media", kwargs=clip_kwargs, allowed=frozenset(), id="redacted_media-no-file"),
    Case("media_feedback:clip_captions", kwargs=clip_kwargs, allowed=FACILITATOR_ONLY),
    # A released clip: Irwell's staff and facilitators; the assessor is named by no consent scope.
    Case("media_feedback:redacted_captions", kwargs=released_kwargs, allowed=IRWELL_STAFF),
    Case("media_feedback:review_queue", kwargs=_call_kwargs, allowed=FACILITATOR_ONLY),
    Case("media_feedback:create_summary", kwargs=_call_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case("media_feedback:summary_list", allowed=EVERYONE_IN_COHORT),
    Case("media_feedback:summary_document", kwargs=doc_kwargs, allowed=EVERYONE_IN_COHORT),
    Case("media_feedback:summary_document", kwargs=draft_kwargs, allowed=FACILITATOR_ONLY, id="summary_document-draft"),
    Case("media_feedback:edit_summary", kwargs=doc_kwargs, allowed=FACILITATOR_ONLY),
    Case(
        "media_feedback:edit_summary",
        kwargs=doc_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"title": "Changed", "body": "## Changed"},
    ),
    Case(
        "media_feedback:preview_summary",
        kwargs=draft_kwargs,
        allowed=FACILITATOR_ONLY,
        method="post",
        data=lambda w: {"title": "T", "body": "## Hello"},
    ),
    Case("media_feedback:redraft_summary", kwargs=draft_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case("media_feedback:publish_summary", kwargs=draft_kwargs, allowed=FACILITATOR_ONLY, method="post"),
    Case("media_feedback:summary_history", kwargs=doc_kwargs, allowed=EVERYONE_IN_COHORT),
    Case("media_feedback:summary_history", kwargs=draft_kwargs, allowed=FACILITATOR_ONLY, id="summary_history-draft"),
    Case("media_feedback:summary_version", kwargs=version_kwargs, allowed=EVERYONE_IN_COHORT),
    Case("media_feedback:summary_pdf", kwargs=version_kwargs, allowed=EVERYONE_IN_COHORT),
]
WS_CASES: list[WsCase] = []
