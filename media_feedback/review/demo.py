"""Reviewed clips and a published summary in the demo cohort. Must be idempotent.

For the call "How was your first year?": when it has no ready clips, a few transcribed clips (text
with word timings, no media) are made for several institutions; then each ready clip is reviewed
(suggested areas accepted, a quote where consent allows, a name redacted where there is one) and a
summary version is published once. Irwell's clip with a name in it is released to Irwell's staff
(who then see it redacted); every other clip stays unreleased, with facilitators only.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cohort.demo import DemoWorld
from cohort.models import Membership, hash_token
from media_feedback.models import CallLink, Clip, Consent, FeedbackCall, Transcript
from media_feedback.review import redaction, services as review
from media_feedback.review.models import ClipReview, Quote, Redaction, SummaryDocument

CALL_TITLE = "How was your first year?"

# (institution slug, may quote, transcript, words to redact (0-based, inclusive) or None)
CLIPS: list[tuple[str, bool, str, tuple[int, int] | None]] = [
    (
        "irwell",
        True,
        "My name is Kayleigh and halls closed at Christmas so I had nowhere to go. "
        "The care leaver bursary helped with rent but money was always tight.",
        (3, 3),
    ),
    (
        "medlock",
        True,
        "The named contact for care leavers was brilliant. She checked in every week "
        "and made sure my tutor gave me an extension when I was struggling.",
        None,
    ),
    (
        "tamebridge",
        True,
        "I felt lonely in my first term. The counselling waiting list was long, "
        "but year-round accommodation meant I always had somewhere safe to live.",
        None,
    ),
    (
        "rochvalley",
        False,
        "My social worker and the college never talked to each other, so I had to explain "
        "my situation again and again. Money for travel was a real worry.",
        None,
    ),
    (
        "croal",
        True,
        "An outreach summer school made me think university was for people like me. "
        "Induction week was overwhelming though, and nobody explained the transition.",
        None,
    ),
]


def _timed(text: str) -> list[dict[str, object]]:
    words = []
    at = 0.4
    for token in text.split():
        length = 0.18 + 0.045 * len(token)
        words.append({"word": token, "start": round(at, 2), "end": round(at + length, 2)})
        at += length + (0.35 if token.endswith((".", ",")) else 0.08)
    return words


def _call(world: DemoWorld) -> FeedbackCall:
    now = timezone.now()
    call, _ = FeedbackCall.objects.get_or_create(
        cohort=world.cohort,
        title=CALL_TITLE,
        defaults={
            "questions": "How was your first year?\nWhat one thing would have made it better?",
            "opens_at": now - timedelta(days=30),
            "closes_at": now + timedelta(days=30),
            "created_by": world.facilitator,
        },
    )
    return call


def _make_clips(world: DemoWorld, call: FeedbackCall) -> None:
    institutions = {i.slug: i for i in world.institutions}
    for slug, may_quote, text, redact in CLIPS:
        institution = institutions.get(slug)
        if institution is None:
            continue
        link, _ = CallLink.objects.get_or_create(call=call, institution=institution)
        words = _timed(text)
        clip = Clip.objects.create(
            call=call,
            institution=institution,
            link=link,
            question=call.question_list[0],
            kind=Clip.Kind.AUDIO,
            status=Clip.Status.READY,
            receipt_token_hash=hash_token(secrets.token_urlsafe(24)),
            duration_seconds=float(words[-1]["end"]) + 0.5,  # type: ignore[arg-type]
            transcribed=True,
            ready_at=timezone.now(),
        )
        Consent.objects.create(
            clip=clip,
            share_with_institutions=True,
            may_quote=may_quote,
            age_band=Consent.AgeBand.AGE_18_PLUS,
            text_version="demo",
            text="(demo consent)",
        )
        Transcript.objects.create(clip=clip, words=words, text=text, model_name="demo")
        if redact:
            Redaction.objects.create(clip=clip, first_word=redact[0], last_word=redact[1], created_by=world.facilitator)


def _first_sentence(words: list[dict[str, object]]) -> tuple[int, int]:
    for i, w in enumerate(words):
        if str(w["word"]).endswith("."):
            return 0, i
    return 0, len(words) - 1


def _review(facilitator: Membership, world: DemoWorld, call: FeedbackCall) -> None:
    areas = list(world.cohort.framework.areas.order_by("position"))
    by_slug = {a.slug: a for a in areas}
    clips = Clip.objects.filter(call=call, status=Clip.Status.READY).select_related("transcript", "consent")
    for clip in clips.prefetch_related("redactions", "tags", "quotes"):
        if ClipReview.objects.filter(clip=clip, reviewed_at__isnull=False).exists():
            continue
        suggestions = review.suggestions_for(clip, areas)
        for area, _suggestion in suggestions[:2]:
            review.decide_suggestion(facilitator, clip, area, accept=True)
        words = redaction.words_of(clip)
        if words and review.may_quote(clip) and suggestions and not Quote.objects.filter(clip=clip).exists():
            first, last = _first_sentence(words)
            review.add_quote(facilitator, clip, by_slug[suggestions[0][0].slug], first, last)
        review.mark_reviewed(facilitator, clip)


def _release(facilitator: Membership, call: FeedbackCall) -> None:
    """One released clip: Irwell's, preferring the one whose name the facilitator redacted (the prepared
    clips); when the clips came through the real pipeline instead, Irwell's reviewed clip that its
    student shared with the institution."""
    irwell = Clip.objects.filter(call=call, institution__slug="irwell", consent__share_with_institutions=True)
    if irwell.filter(released_at__isnull=False).exists():
        return
    reviewed = irwell.filter(review__reviewed_at__isnull=False).select_related("call", "institution", "consent")
    clip = reviewed.filter(redactions__isnull=False).first() or reviewed.order_by("created_at").first()
    if clip is not None:
        review.release_clip(facilitator, clip)


@transaction.atomic
def seed(world: DemoWorld) -> None:
    facilitator = Membership.objects.get(user=world.facilitator, cohort=world.cohort)
    call = _call(world)
    if not Clip.objects.filter(call=call, status=Clip.Status.READY).exists():
        _make_clips(world, call)
    _review(facilitator, world, call)
    _release(facilitator, call)
    if not SummaryDocument.objects.filter(call=call).exists():
        document = review.create_summary(facilitator, call)
        # Published in both languages: the Welsh drafted from the same reviewed clips.
        document.title_cy = "Beth ddywedodd myfyrwyr wrthym"
        document.save(update_fields=["title_cy"])
        review.redraft(facilitator, document, "cy")
        review.publish_summary(facilitator, document)
