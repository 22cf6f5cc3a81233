"""Clip review and summary documents: the writes with side effects, as plain functions.

Every facilitator's write takes the acting `Membership` first and raises `NotAllowed` when it is not
a facilitator of the clip's (or call's) cohort; bad input raises ValidationError with a message for
the facilitator, before anything is written. A student's withdrawal goes by the clip their receipt
token found (`withdraw_clip`): it is composed here because it reaches both the clip and the summaries.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy, gettext_noop

from cohort import editing
from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.errors import NotAllowed
from cohort.i18n import ENGLISH, WELSH, language_of, localised, normalise
from cohort.models import Area, Membership, NotificationKind, User
from cohort.notifications import notify
from cohort.text import render_markdown
from media_feedback import services, storage
from media_feedback.models import Clip, FeedbackCall, Transcript, Withdrawal
from media_feedback.review import redaction, suggest
from media_feedback.review.models import (
    HTML_LANG,
    ClipReview,
    ClipTag,
    Quote,
    Redaction,
    SummaryDocument,
    SummaryVersion,
    VersionQuote,
)
from media_feedback.review.redaction import hidden_words, words_of
from media_feedback.review.tasks import blur_faces_task, render_redacted_rendition_task

SMALL_COUNT = 3  # counts below this are never shown, so nobody is identifiable
QUOTE_TOKEN = re.compile(r"\{\{\s*quote\s+(\d+)\s*\}\}")
FACILITATORS_ONLY = gettext_lazy("Only the cohort's facilitators review clips and write summaries.")


def _check_facilitator(actor: Membership, cohort_id: int) -> None:
    if not actor.is_facilitator or actor.cohort_id != cohort_id:
        raise NotAllowed(str(FACILITATORS_ONLY))


def _check_reviewer(actor: Membership, clip: Clip) -> None:
    """A facilitator of the clip's cohort, and a clip that is ready (as the review pages require)."""
    _check_facilitator(actor, clip.call.cohort_id)
    if clip.status != Clip.Status.READY:
        raise NotAllowed(_("Only a ready clip can be reviewed."))


# --- reading a clip ---------------------------------------------------------------------------------


def may_quote(clip: Clip) -> bool:
    consent = getattr(clip, "consent", None)
    return bool(consent and consent.may_quote)


def quote_text(quote: Quote) -> str:
    """The quote's words as anyone reads them: always redacted."""
    words = words_of(quote.clip)
    return redaction.redacted_text(words, hidden_words(quote.clip, len(words)), quote.first_word, quote.last_word)


def redacted_transcript(clip: Clip) -> str:
    """The whole transcript as anyone but a facilitator reads it."""
    words = words_of(clip)
    return redaction.redacted_text(words, hidden_words(clip, len(words))) if words else ""


def captions(clip: Clip, *, reveal: bool) -> str:
    words = words_of(clip)
    return redaction.webvtt(words, hidden_words(clip, len(words)), reveal=reveal)


def suggestions_for(clip: Clip, areas: Sequence[Area]) -> list[tuple[Area, suggest.Suggestion]]:
    """Suggested areas not yet accepted or rejected for the whole clip."""
    decided = {t.area_id for t in clip.tags.all() if t.first_word is None}
    by_slug = {a.slug: a for a in areas}
    return [
        (by_slug[s.area_slug], s)
        for s in _suggest(clip)
        if s.area_slug in by_slug and by_slug[s.area_slug].pk not in decided
    ]


def _suggest(clip: Clip) -> list[suggest.Suggestion]:
    """Suggestions from the words left after redaction, so no reason quotes a hidden word."""
    words = words_of(clip)
    hidden = hidden_words(clip, len(words))
    visible = " ".join(w["word"] for i, w in enumerate(words) if i not in hidden)
    return suggest.suggest_areas(visible, language=clip.language)


# --- changing a clip --------------------------------------------------------------------------------


def _check_span(clip: Clip, first: int, last: int) -> None:
    count = len(words_of(clip))
    if count == 0:
        raise ValidationError(_("This clip has no transcript yet."))
    if first < 0 or last < first or last >= count:
        raise ValidationError(
            _("That range is outside the clip: choose words between 1 and %(count)s.") % {"count": count}
        )


def _refresh_outputs(clip: Clip) -> None:
    """After the words or redactions change: rewrite the shared (redacted) captions and drop the
    redacted rendition so a stale one is never served; a task renders the new one after commit."""
    # The clip may come with its redactions prefetched from before this change: read them afresh.
    getattr(clip, "_prefetched_objects_cache", {}).pop("redactions", None)
    vtt = captions(clip, reveal=False)
    name = f"{clip.storage_prefix}captions.vtt"
    if default_storage.exists(name):
        default_storage.delete(name)
    clip.captions_name = default_storage.save(name, ContentFile(vtt.encode()))
    old = clip.redacted_rendition_name
    clip.redacted_rendition_name = ""
    clip.save(update_fields=["captions_name", "redacted_rendition_name"])
    if old and default_storage.exists(old):
        default_storage.delete(old)
    if clip.rendition_name:
        _queued(clip)
        clip_id = clip.pk
        transaction.on_commit(lambda: render_redacted_rendition_task.enqueue(clip_id))


def _queued(clip: Clip) -> None:
    """A task will make the redacted rendition: the review page says it is being prepared."""
    ClipReview.objects.update_or_create(clip=clip, defaults={"rendition_queued_at": timezone.now()})


@transaction.atomic
def redact_words(actor: Membership, clip: Clip, first: int, last: int) -> Redaction:
    _check_reviewer(actor, clip)
    _check_span(clip, first, last)
    if any(r.first_word <= first and last <= r.last_word for r in clip.redactions.all()):
        raise ValidationError(_("Those words are already redacted."))
    made = Redaction.objects.create(clip=clip, first_word=first, last_word=last, created_by=actor.user)
    _refresh_outputs(clip)
    audit.record(
        AuditAction.REDACTED, actor=actor.user, cohort=clip.call.cohort, target_type="clip", target_id=clip.public_id
    )
    return made


@transaction.atomic
def remove_redaction(actor: Membership, clip: Clip, redaction_id: int) -> None:
    _check_reviewer(actor, clip)
    deleted, _by_model = Redaction.objects.filter(clip=clip, pk=redaction_id).delete()
    if not deleted:
        raise ValidationError(_("That redaction was already removed."))
    _refresh_outputs(clip)


def align_words(
    old: Sequence[dict[str, Any]], new_tokens: Sequence[str]
) -> tuple[list[dict[str, Any]], list[list[int]]]:
    """Give corrected words timings from the words they replace. Returns the new words and, for each
    old index, the new indices it became (empty when the word was deleted)."""
    a = [suggest.tokens(w["word"]) for w in old]
    b = [suggest.tokens(t) for t in new_tokens]
    matcher = difflib.SequenceMatcher(a=[" ".join(x) for x in a], b=[" ".join(x) for x in b], autojunk=False)
    words: list[dict[str, Any]] = []
    mapping: list[list[int]] = [[] for _ in old]
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                mapping[i1 + k].append(len(words))
                words.append({**old[i1 + k], "word": new_tokens[j1 + k]})
            continue
        if j2 == j1:  # deleted
            continue
        if i2 > i1:
            start, end = float(old[i1]["start"]), float(old[i2 - 1]["end"])
        else:  # inserted between two words: squeeze into the gap
            start = float(old[i1 - 1]["end"]) if i1 > 0 else 0.0
            end = float(old[i1]["start"]) if i1 < len(old) else start + 0.3 * (j2 - j1)
            end = max(end, start)
        step = (end - start) / (j2 - j1)
        first_new = len(words)
        for k in range(j2 - j1):
            words.append(
                {
                    "word": new_tokens[j1 + k],
                    "start": round(start + k * step, 3),
                    "end": round(start + (k + 1) * step, 3),
                }
            )
        for i in range(i1, i2):
            mapping[i].extend(range(first_new, len(words)))
    return words, mapping


def _remap(first: int, last: int, mapping: list[list[int]]) -> tuple[int, int] | None:
    targets = [j for i in range(first, min(last, len(mapping) - 1) + 1) for j in mapping[i]]
    return (min(targets), max(targets)) if targets else None


@transaction.atomic
def correct_transcript(actor: Membership, clip: Clip, text: str, based_on: str | None = None) -> None:
    """Replace the transcript's words; timings, redactions, segment tags and quotes follow the words.
    Refused (editing.EditConflict) when another reviewer corrected it since the version `based_on`
    that the form showed."""
    _check_reviewer(actor, clip)
    if getattr(clip, "transcript", None) is None:
        raise ValidationError(_("This clip has no transcript to correct."))
    new_tokens = text.split()
    if not new_tokens:
        raise ValidationError(_("The transcript cannot be empty."))
    with transaction.atomic():
        transcript = editing.lock(Transcript, clip.transcript.pk)
        editing.refuse_stale(transcript, based_on, ["text"], by=False, at=transcript.edited_at)
        _replace_words(clip, transcript, new_tokens)
    clip.__dict__.pop("_prefetched_objects_cache", None)
    _refresh_outputs(clip)


def _replace_words(clip: Clip, transcript: Transcript, new_tokens: list[str]) -> None:
    words, mapping = align_words(transcript.words, new_tokens)
    spans: list[Redaction | Quote | ClipTag] = [
        *clip.redactions.all(),
        *clip.quotes.all(),
        *clip.tags.filter(first_word__isnull=False),
    ]
    for span in spans:
        moved = _remap(span.first_word or 0, span.last_word or 0, mapping)
        if moved is None:  # every word of the span was deleted
            span.delete()
            continue
        span.first_word, span.last_word = moved
        fields = ["first_word", "last_word"]
        if isinstance(span, Quote):
            span.start_seconds, span.end_seconds = float(words[moved[0]]["start"]), float(words[moved[1]]["end"])
            fields += ["start_seconds", "end_seconds"]
        span.save(update_fields=fields)
    transcript.words = words
    transcript.text = " ".join(w["word"] for w in words)
    transcript.edited_at = timezone.now()
    transcript.save(update_fields=["words", "text", "edited_at"])
    clip.transcript = transcript


def tag_clip(actor: Membership, clip: Clip, area: Area, first: int | None = None, last: int | None = None) -> ClipTag:
    _check_reviewer(actor, clip)
    if first is None:
        tag, _created = ClipTag.objects.update_or_create(
            clip=clip,
            area=area,
            first_word=None,
            defaults={"status": ClipTag.Status.ACCEPTED, "created_by": actor.user},
        )
        return tag
    _check_span(clip, first, last if last is not None else first)
    return ClipTag.objects.create(clip=clip, area=area, first_word=first, last_word=last, created_by=actor.user)


def decide_suggestion(actor: Membership, clip: Clip, area: Area, *, accept: bool) -> ClipTag:
    _check_reviewer(actor, clip)
    found = {s.area_slug: s for s in _suggest(clip)}
    reason = found[area.slug].reason if area.slug in found else ""
    tag, _made = ClipTag.objects.update_or_create(
        clip=clip,
        area=area,
        first_word=None,
        defaults={
            "status": ClipTag.Status.ACCEPTED if accept else ClipTag.Status.REJECTED,
            "suggested": True,
            "reason": reason[:300],
            "created_by": actor.user,
        },
    )
    return tag


def remove_tag(actor: Membership, clip: Clip, tag_id: int) -> None:
    _check_reviewer(actor, clip)
    deleted, _by_model = ClipTag.objects.filter(clip=clip, pk=tag_id).delete()
    if not deleted:
        raise ValidationError(_("That tag was already removed."))


def add_quote(actor: Membership, clip: Clip, area: Area, first: int, last: int) -> Quote:
    _check_reviewer(actor, clip)
    if not may_quote(clip):
        raise ValidationError(_("The student did not agree to be quoted, so this clip cannot be quoted."))
    _check_span(clip, first, last)
    words = words_of(clip)
    return Quote.objects.create(
        clip=clip,
        area=area,
        first_word=first,
        last_word=last,
        start_seconds=float(words[first]["start"]),
        end_seconds=float(words[last]["end"]),
        created_by=actor.user,
    )


def remove_quote(actor: Membership, clip: Clip, quote_id: int) -> None:
    _check_reviewer(actor, clip)
    deleted, _by_model = Quote.objects.filter(clip=clip, pk=quote_id).delete()
    if not deleted:
        raise ValidationError(_("That quote was already removed."))


def mark_reviewed(actor: Membership, clip: Clip, *, reviewed: bool = True) -> ClipReview:
    """Marking a clip not reviewed also takes back its release: only a reviewed clip is released."""
    _check_reviewer(actor, clip)
    review, _made = ClipReview.objects.get_or_create(clip=clip)
    review.reviewed_at = timezone.now() if reviewed else None
    review.reviewed_by = actor.user if reviewed else None
    review.save(update_fields=["reviewed_at", "reviewed_by"])
    if not reviewed and clip.released_at is not None:
        release_clip(actor, clip, release=False)
    if reviewed and not clip.redacted_rendition_name and clip.rendition_name:
        _refresh_outputs(clip)
    return review


@transaction.atomic
def blur_faces(actor: Membership, clip: Clip) -> None:
    """A facilitator asks for the faces in a video to be blurred for everyone else (or, for a clip
    whose consent asks for it and whose blurred video is missing, for it to be made now). The
    redacted rendition (from the unblurred picture) is dropped at once, so nobody plays it meanwhile;
    a task blurs the faces and renders it again after commit."""
    _check_reviewer(actor, clip)
    if clip.kind != Clip.Kind.VIDEO:
        raise ValidationError(_("This clip has no picture, so there are no faces to blur."))
    if clip.blurred_rendition_name:
        raise ValidationError(_("Faces in this clip are already blurred for everyone but facilitators."))
    old = clip.redacted_rendition_name
    clip.blur_requested = clip.blur_requested or not clip.faces_blurred  # the consent may ask already
    clip.redacted_rendition_name = ""
    clip.save(update_fields=["blur_requested", "redacted_rendition_name"])
    if old and default_storage.exists(old):
        default_storage.delete(old)
    _queued(clip)
    clip_id = clip.pk
    transaction.on_commit(lambda: blur_faces_task.enqueue(clip_id))


@transaction.atomic
def release_clip(actor: Membership, clip: Clip, *, release: bool = True) -> Clip:
    """Release a reviewed clip to its institution's staff, who then see its redacted forms (see
    media_feedback.access.may_see), or take the release back."""
    _check_reviewer(actor, clip)
    if release:
        clip_review = ClipReview.objects.filter(clip=clip).first()
        if clip_review is None or clip_review.reviewed_at is None:
            raise ValidationError(
                _(
                    "This clip has not been reviewed yet: redact names and places, mark it as reviewed, "
                    "then release it. Nothing was released."
                )
            )
        consent = getattr(clip, "consent", None)
        if consent is None or not consent.share_with_institutions:
            raise ValidationError(
                _(
                    "The student chose “facilitators only”, so this clip cannot be released to "
                    "%(institution)s. Nothing was released."
                )
                % {"institution": clip.institution.short_name}
            )
        if clip.released_at is not None:
            raise ValidationError(
                _("This clip was already released to %(institution)s.") % {"institution": clip.institution.short_name}
            )
    elif clip.released_at is None:
        raise ValidationError(_("This clip has not been released."))
    clip.released_at = timezone.now() if release else None
    clip.released_by = actor.user if release else None
    clip.save(update_fields=["released_at", "released_by"])
    audit.record(
        AuditAction.RELEASED if release else AuditAction.UNRELEASED,
        actor=actor.user,
        cohort=clip.call.cohort,
        target_type="clip",
        target_id=clip.public_id,
    )
    return clip


# --- summary documents ------------------------------------------------------------------------------


def shown_count(n: int) -> str:
    return _("fewer than %(count)s") % {"count": SMALL_COUNT} if n < SMALL_COUNT else str(n)


def reviewed_clips(call: FeedbackCall) -> Any:
    return (
        Clip.objects.filter(call=call, status=Clip.Status.READY, review__reviewed_at__isnull=False)
        .select_related("transcript", "consent")
        .prefetch_related("redactions", "tags", "quotes")
    )


@dataclass
class AreaSection:
    area: Area
    clip_ids: set[int] = field(default_factory=set)
    quotes: list[Quote] = field(default_factory=list)
    points: list[tuple[str, int]] = field(default_factory=list)


def draft_markdown(call: FeedbackCall, language: str = ENGLISH) -> str:
    """A first draft from what has been reviewed: counts (small ones hidden), then one section per
    framework area with its clips, recurring points and the quotes tagged with it; written in
    `language` (the English draft, or the Welsh one beside it), whatever the page's language."""
    with translation.override(language):
        return _draft_markdown(call, language)


def _in_its_language(obj: Any, field_name: str, language: str) -> str:
    """A bilingual field for a draft in `language` (Markdown): the English text marked as English when
    there is no Welsh version of it yet."""
    text, its_language = localised(obj, field_name, language)
    if its_language == language:
        return text
    return f'<span lang="{HTML_LANG[its_language]}">{_escape(text)}</span>'


def _draft_markdown(call: FeedbackCall, language: str) -> str:
    clips = list(reviewed_clips(call))
    areas = list(call.cohort.framework.areas.order_by("position"))
    sections = {a.pk: AreaSection(a) for a in areas}
    phrases: dict[int, Counter[str]] = {a.pk: Counter() for a in areas}
    for clip in clips:
        words = words_of(clip)
        hidden = hidden_words(clip, len(words))
        visible = [w for i, t in enumerate(words) for w in suggest.tokens(t["word"]) if i not in hidden]
        clip_areas = {t.area_id for t in clip.tags.all() if t.status == ClipTag.Status.ACCEPTED}
        quotable = may_quote(clip)
        for q in clip.quotes.all():
            clip_areas.add(q.area_id)
            if quotable and q.area_id in sections:
                sections[q.area_id].quotes.append(q)
        for area_id in clip_areas & sections.keys():
            sections[area_id].clip_ids.add(clip.pk)
            phrases[area_id].update(set(suggest.matches(visible, sections[area_id].area.slug)))
    institutions = {c.institution_id for c in clips}
    lines = [
        "## " + _("Introduction"),
        "",
        _(
            "This summary draws on %(clips)s clips from %(institutions)s institutions, sent by students in "
            "answer to “%(call)s”. Every quote is anonymous, and names, places and other details that could "
            "identify a student have been removed."
        )
        % {
            "clips": shown_count(len(clips)),
            "institutions": shown_count(len(institutions)),
            "call": _in_its_language(call, "title", language),
        },
        "",
    ]
    for section in sections.values():
        lines += [f"## {_in_its_language(section.area, 'title', language)}", ""]
        if not section.clip_ids:
            lines += [_("None of the reviewed clips spoke to this area."), ""]
            continue
        lines += [_("Clips that spoke to this area: %(count)s.") % {"count": shown_count(len(section.clip_ids))}, ""]
        recurring = [(p, n) for p, n in phrases[section.area.pk].most_common(6) if n >= 2]
        if recurring:
            lines += [_("Recurring points:"), ""]
            lines += [
                "- " + _("“%(point)s” (in %(count)s clips)") % {"point": p, "count": shown_count(n)}
                for p, n in recurring
            ]
            lines.append("")
        for q in sorted(section.quotes, key=lambda q: q.pk):
            lines += [q.token, ""]
    return "\n".join(lines).strip() + "\n"


SUMMARY_TITLE_MAX = 200


def default_summary_title(call: FeedbackCall) -> str:
    with translation.override(ENGLISH):  # the English title; a Welsh one is written beside it
        return (_("What students told us: %(call)s") % {"call": call.title})[:SUMMARY_TITLE_MAX]


def create_summary(actor: Membership, call: FeedbackCall, title: str = "") -> SummaryDocument:
    """A new draft from the reviewed clips. Each of a call's summaries has its own title, so a second
    press of "Draft a new summary" cannot make a document indistinguishable from the first."""
    _check_facilitator(actor, call.cohort_id)
    title = " ".join(title.split()) or default_summary_title(call)
    if len(title) > SUMMARY_TITLE_MAX:
        raise ValidationError(
            {
                "title": _("Keep the title to %(max)s characters (it has %(count)s).")
                % {"max": SUMMARY_TITLE_MAX, "count": len(title)}
            }
        )
    with transaction.atomic():
        FeedbackCall.objects.select_for_update().filter(pk=call.pk).first()  # two presses at once: one wins
        existing = SummaryDocument.objects.filter(call=call, title__iexact=title).first()
        if existing is not None:
            raise ValidationError(
                {
                    "title": _(
                        "This call already has a summary called “%(title)s”. Continue that draft, "
                        "or give the new one a different title."
                    )
                    % {"title": existing.title}
                }
            )
        return SummaryDocument.objects.create(call=call, title=title, body=draft_markdown(call), created_by=actor.user)


def update_draft(
    actor: Membership,
    document: SummaryDocument,
    *,
    title: str,
    body: str,
    title_cy: str | None = None,
    body_cy: str | None = None,
    based_on: str | None = None,
) -> SummaryDocument:
    """Save the draft; the Welsh version's title and text too when given (None keeps them). Refused
    (editing.EditConflict) when another facilitator saved the draft since the version `based_on`."""
    _check_facilitator(actor, document.call.cohort_id)
    with transaction.atomic():
        stored = editing.lock(SummaryDocument.objects.select_related("updated_by"), document.pk)
        editing.refuse_stale(stored, based_on, SUMMARY_TEXT)
        # Written through the caller's object (update_fields: the text only), which it goes on using.
        return _write_draft(actor, document, title=title, body=body, title_cy=title_cy, body_cy=body_cy)


SUMMARY_TEXT = ("title", "body", "title_cy", "body_cy")  # what the editor edits


def _write_draft(
    actor: Membership, document: SummaryDocument, *, title: str, body: str, title_cy: str | None, body_cy: str | None
) -> SummaryDocument:
    document.title = title.strip()
    document.body = body
    fields = ["title", "body", "updated_at"]
    if title_cy is not None:
        document.title_cy = title_cy.strip()
        fields.append("title_cy")
    if body_cy is not None:
        document.body_cy = body_cy
        fields.append("body_cy")
    document.updated_at = timezone.now()
    document.updated_by = actor.user
    document.save(update_fields=[*fields, "updated_by"])
    return document


def redraft(actor: Membership, document: SummaryDocument, language: str = ENGLISH) -> SummaryDocument:
    """Draft the English text again from the reviewed clips, or (language "cy") the Welsh text."""
    _check_facilitator(actor, document.call.cohort_id)
    field_name = "body_cy" if normalise(language) == WELSH else "body"
    setattr(document, field_name, draft_markdown(document.call, normalise(language)))
    document.updated_at = timezone.now()
    document.updated_by = actor.user
    fields = [field_name, "updated_at", "updated_by"]
    if field_name == "body_cy" and not document.title_cy.strip():
        # A Welsh text needs a Welsh title to be published: start from the call's own words.
        title, _in = localised(document.call, "title", WELSH)
        with translation.override(WELSH):
            document.title_cy = (_("What students told us: %(call)s") % {"call": title})[:SUMMARY_TITLE_MAX]
        fields.append("title_cy")
    document.save(update_fields=fields)
    return document


def call_quotes(call: FeedbackCall) -> dict[int, Quote]:
    quotes = Quote.objects.filter(clip__call=call, clip__status=Clip.Status.READY).select_related(
        "clip__transcript", "clip__consent", "area"
    )
    return {q.pk: q for q in quotes.prefetch_related("clip__redactions")}


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([`*_\[\]#|])", r"\\\1", text)


def spoken_language(clip: Clip) -> str:
    """The language the student spoke in the clip: the clip's own (when the student said), else the
    transcript's."""
    transcript = getattr(clip, "transcript", None)
    return normalise(getattr(clip, "language", "") or getattr(transcript, "language", "") or ENGLISH)


def quote_markdown(quote: Quote, language: str = ENGLISH) -> str:
    """The quote as a summary in `language` writes it: the student's own words, marked with the language
    they spoke when that is not the summary's (lang, for screen readers and hyphenation)."""
    text = f"“{_escape(quote_text(quote))}”"
    spoken = spoken_language(quote.clip)
    if spoken != normalise(language):
        text = f'<span lang="{HTML_LANG[spoken]}">{text}</span>'
    with translation.override(language):
        return f"> {text}\n>\n> — " + _("a student")


@dataclass
class Expanded:
    markdown: str
    quotes: list[Quote]
    problems: list[str]


def expand(
    document: SummaryDocument,
    body: str | None = None,
    language: str = ENGLISH,
    available: dict[int, Quote] | None = None,
) -> Expanded:
    """The draft (or the text `body` in `language`) with every quote token written out (redacted), and
    what stops it being published (in the reader's language, not the text's)."""
    body = document.body if body is None else body
    available = call_quotes(document.call) if available is None else available
    withdrawn = {int(i) for i in document.withdrawn_quote_ids}
    used: list[Quote] = []
    problems: list[str] = []
    with translation.override(language):
        placeholders = {
            "withdrawn": _("[This quote was withdrawn by the student.]"),
            "unknown": _("[Unknown quote.]"),
            "not_quotable": _("[This clip may not be quoted.]"),
        }

    def replace(match: re.Match[str]) -> str:
        number = int(match.group(1))
        quote = available.get(number)
        token = "{{quote %d}}" % number  # noqa: UP031 - braces would need escaping in an f-string
        if number in withdrawn:
            problems.append(
                _("Quote %(number)s came from a clip that the student withdrew: remove %(token)s before publishing.")
                % {"number": number, "token": token}
            )
            return f"\n> *{placeholders['withdrawn']}*\n"
        if quote is None:
            problems.append(
                _("Quote %(number)s does not exist for this call: remove %(token)s.")
                % {"number": number, "token": token}
            )
            return f"\n> *{placeholders['unknown']}*\n"
        if not may_quote(quote.clip):
            problems.append(
                _("Quote %(number)s comes from a clip whose student did not agree to be quoted.") % {"number": number}
            )
            return f"\n> *{placeholders['not_quotable']}*\n"
        if quote not in used:
            used.append(quote)
        return "\n" + quote_markdown(quote, language) + "\n"

    markdown = QUOTE_TOKEN.sub(replace, body)
    return Expanded(markdown=markdown, quotes=used, problems=problems)


def expand_welsh(document: SummaryDocument, body_cy: str | None = None) -> Expanded | None:
    """The Welsh text written out, its problems said to be the Welsh text's; None when it has none."""
    body_cy = document.body_cy if body_cy is None else body_cy
    if not body_cy.strip():
        return None
    expanded = expand(document, body_cy, WELSH)
    expanded.problems = [_("In the Welsh text: %(problem)s") % {"problem": p} for p in expanded.problems]
    return expanded


def _notify_in_their_language(
    users: Iterable[User], title: Callable[[str], str], *, exclude: User | None = None, **kwargs: Any
) -> None:
    """One notification each, its title written in the recipient's own language."""
    by_language: dict[str, list[User]] = {}
    for user in users:
        by_language.setdefault(language_of(user), []).append(user)
    for code, group in by_language.items():
        with translation.override(code):
            notify(group, title=title(code), exclude=exclude, **kwargs)


def latest_version(document: SummaryDocument) -> SummaryVersion | None:
    return document.versions.order_by("-number").first()


@transaction.atomic
def publish_summary(actor: Membership, document: SummaryDocument) -> SummaryVersion:
    """Freeze the draft as the next version and tell everyone in the cohort."""
    _check_facilitator(actor, document.call.cohort_id)
    document = SummaryDocument.objects.select_for_update().select_related("call__cohort").get(pk=document.pk)
    if not document.title.strip():
        raise ValidationError(_("Give the summary a title before publishing it."))
    available = call_quotes(document.call)
    expanded = expand(document, available=available)
    if not expanded.markdown.strip():
        raise ValidationError(_("The summary is empty: write something before publishing it."))
    welsh = expand_welsh(document)
    if welsh is not None and not document.title_cy.strip():
        raise ValidationError(_("Give the Welsh version a title too, or clear its text to publish in English only."))
    if welsh is None and document.title_cy.strip():
        raise ValidationError(_("The Welsh version has a title but no text: write its text, or clear its title."))
    problems = expanded.problems + (welsh.problems if welsh else [])
    if problems:
        raise ValidationError(problems)
    title_cy, source_cy = (document.title_cy.strip(), document.body_cy) if welsh else ("", "")
    previous = latest_version(document)
    if (
        previous is not None
        and (previous.source, previous.title) == (document.body, document.title)
        and (previous.source_cy, previous.title_cy) == (source_cy, title_cy)
    ):
        raise ValidationError(_("Nothing has changed since version %(number)s.") % {"number": previous.number})
    clips = list(
        Clip.objects.filter(call=document.call, status=Clip.Status.READY, review__reviewed_at__isnull=False).only(
            "id", "institution_id"
        )
    )
    version = SummaryVersion.objects.create(
        document=document,
        number=(previous.number + 1) if previous else 1,
        title=document.title,
        source=document.body,
        content=expanded.markdown,
        html=render_markdown(expanded.markdown),
        title_cy=title_cy,
        source_cy=source_cy,
        content_cy=welsh.markdown if welsh else "",
        html_cy=render_markdown(welsh.markdown) if welsh else "",
        clip_count=len(clips),
        institution_count=len({c.institution_id for c in clips}),
        published_by=actor.user,
    )
    quoted = {q.pk: q for q in [*expanded.quotes, *(welsh.quotes if welsh else [])]}
    VersionQuote.objects.bulk_create(
        [
            VersionQuote(version=version, quote=q, quote_number=q.pk, clip_public_id=q.clip.public_id)
            for q in quoted.values()
        ]
    )
    if document.flagged_at:
        document.flagged_at = None
        document.flag_reason = ""
        document.save(update_fields=["flagged_at", "flag_reason"])
    cohort = document.call.cohort
    url = reverse(
        "media_feedback:summary_version",
        kwargs={"cohort": cohort.slug, "document_id": document.pk, "number": version.number},
    )
    services.schedule_retention(document.call, version.published_at)
    audit.record(
        AuditAction.PUBLISHED,
        actor=actor.user,
        cohort=cohort,
        target_type="summary",
        target_id=f"{document.pk}v{version.number}",
    )
    members = User.objects.filter(memberships__cohort=cohort).distinct()
    _notify_in_their_language(
        members,
        lambda code: (
            _("Summary published: %(title)s (version %(number)s)")
            % {"title": version.title_in(code), "number": version.number}
        ),
        kind=NotificationKind.SUMMARY,
        url=url,
        cohort=cohort,
        exclude=actor.user,
    )
    return version


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "context", "gap"
    text: str


def version_diff(older: SummaryVersion | None, newer: SummaryVersion, language: str = ENGLISH) -> list[DiffLine]:
    """What changed from one published version to the next, line by line (a little context kept), in
    the English text or (language "cy") the Welsh one."""
    field_name = "content_cy" if language == WELSH else "content"
    before = getattr(older, field_name).splitlines() if older else []
    lines: list[DiffLine] = []
    for line in difflib.unified_diff(before, getattr(newer, field_name).splitlines(), lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("gap", "…"))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("context", line[1:]))
    return lines


# Stored in English; shown in the reader's language (SummaryVersion.shown_note).
REMOVED_AT_REQUEST = gettext_noop("A quote was removed at a student's request.")
TAKEN_DOWN = "[This version was replaced: a quote in it was removed at a student's request.]"  # never shown
# Words of a withdrawn quote typed out elsewhere in a summary (a recurring point, a paraphrase that
# copies it): any run of this many consecutive words of the quote goes too, replaced by COPY_REMOVED
# (written in the language of the text it is in).
COPIED_RUN = 3
COPY_REMOVED = gettext_noop("[removed at a student's request]")


def shown_before(versions: Sequence[SummaryVersion], index: int) -> SummaryVersion | None:
    """The version a history line compares `versions[index]` with: the nearest earlier one whose
    words are still there (a taken-down version's are gone)."""
    for older in reversed(versions[:index]):
        if older.taken_down_at is None:
            return older
    return None


def withdraw_clip(clip: Clip) -> Withdrawal:
    """A student withdraws their clip (found by their receipt token): every published version that
    quoted it is replaced at once by a new version without the quote and taken down, while its quotes
    still exist; then the clip, its transcript, everything that cascades from it and every stored file
    go; only the fact that a withdrawal happened is kept."""
    with transaction.atomic():
        _replace_versions_quoting(clip)
        withdrawal = services.delete_withdrawn_clip(clip)
    storage.delete_clip_files(clip)
    return withdrawal


def _without_quotes(source: str, quote_ids: set[int]) -> str:
    return QUOTE_TOKEN.sub(lambda m: "" if int(m.group(1)) in quote_ids else m.group(0), source)


def _copied_texts(clip: Clip) -> list[list[str]]:
    """The words of each of the clip's quotes, as members read them and as the facilitator did."""
    words = words_of(clip)
    texts = []
    for quote in Quote.objects.filter(clip=clip):
        texts.append(quote_text(quote))
        texts.append(" ".join(str(w["word"]) for w in words[quote.first_word : quote.last_word + 1]))
    return [[w for w in re.findall(r"\w[\w'’]*", t) if w.lower() != "redacted"] for t in texts]


def _without_copies(source: str, copied: list[list[str]], language: str = ENGLISH) -> str:
    """The source with every run of COPIED_RUN or more consecutive words of a withdrawn quote replaced
    (longest runs first); a list item left holding only the replacement goes altogether."""
    with translation.override(language):
        marker = _(COPY_REMOVED)
    for words in copied:
        for size in range(len(words), COPIED_RUN - 1, -1):
            for start in range(len(words) - size + 1):
                run = words[start : start + size]
                pattern = r"(?<!\w)" + r"[\W_]+".join(re.escape(w) for w in run) + r"(?!\w)"
                source = re.sub(pattern, marker.replace("\\", "\\\\"), source, flags=re.IGNORECASE)
    lines = [line for line in source.split("\n") if not (marker in line and re.match(r"\s*([-*+]|\d+\.)\s", line))]
    return "\n".join(lines)


def _replace_versions_quoting(clip: Clip) -> None:
    """Before the clip's row goes (its quotes cascade away with it): block its quotes in every draft
    of the call; for each document whose published versions quote it, publish a new version without
    the quotes (its note says why, without the words), take down the versions that quoted it (their
    words are blanked), and tell the cohort's facilitators. Caller holds a transaction."""
    quote_ids = set(Quote.objects.filter(clip=clip).values_list("pk", flat=True))
    if not quote_ids:
        return
    now = timezone.now()
    copied = _copied_texts(clip)
    VersionQuote.objects.filter(clip_public_id=clip.public_id, withdrawn_at__isnull=True).update(withdrawn_at=now)
    replaced: list[tuple[SummaryDocument, SummaryVersion]] = []
    for document in (
        SummaryDocument.objects.select_for_update().select_related("call__cohort").filter(call_id=clip.call_id)
    ):
        document.withdrawn_quote_ids = sorted({*document.withdrawn_quote_ids, *quote_ids})
        # The draft, English and Welsh, keeps no copy of the words either.
        document.body = _without_copies(document.body, copied)
        document.body_cy = _without_copies(document.body_cy, copied, WELSH)
        document.save(update_fields=["withdrawn_quote_ids", "body", "body_cy"])
        quoting = SummaryVersion.objects.filter(
            document=document, taken_down_at__isnull=True, quoted__clip_public_id=clip.public_id
        ).distinct()
        numbers = sorted(quoting.values_list("number", flat=True))
        if not numbers:
            continue
        latest = latest_version(document)
        assert latest is not None  # a version quotes the clip
        version = latest
        if latest.number in numbers:
            version = _publish_without(document, latest, quote_ids, clip.pk, now, copied)
        # Taken down (the one change a published version takes, by an update): its words are blanked,
        # and any copy of the quote's words in its source goes.
        for old_pk, old_source, old_source_cy in list(quoting.values_list("pk", "source", "source_cy")):
            SummaryVersion.objects.filter(pk=old_pk).update(
                taken_down_at=now,
                content=TAKEN_DOWN,
                html="",
                source=_without_copies(old_source, copied),
                content_cy="",
                html_cy="",
                source_cy=_without_copies(old_source_cy, copied, WELSH),
            )
        document.flagged_at = now
        with translation.override(ENGLISH):  # stored in English; pages show flag_message() in the reader's
            document.flag_reason = document.flag_message()
        document.save(update_fields=["flagged_at", "flag_reason"])
        replaced.append((document, version))
    for document, version in replaced:
        cohort = document.call.cohort

        def title(code: str, document: SummaryDocument = document, version: SummaryVersion = version) -> str:
            return _("A quoted clip was withdrawn: version %(number)s of %(title)s replaces it") % {
                "number": version.number,
                "title": localised(document, "title", code)[0],
            }

        _notify_in_their_language(
            User.objects.facilitators_of(cohort),
            title,
            kind=NotificationKind.SUMMARY,
            url=reverse("media_feedback:edit_summary", kwargs={"cohort": cohort.slug, "document_id": document.pk}),
            cohort=cohort,
        )


def _publish_without(
    document: SummaryDocument,
    latest: SummaryVersion,
    quote_ids: set[int],
    clip_pk: int,
    at: Any,
    copied: list[list[str]],
) -> SummaryVersion:
    """The latest version again, without the withdrawn clip's quotes (written out from the quotes that
    remain) and without their words wherever they were copied, published as the next version."""
    source = _without_copies(_without_quotes(latest.source, quote_ids), copied)
    expanded = expand(document, source)
    welsh, source_cy = None, ""
    if latest.has_welsh:
        source_cy = _without_copies(_without_quotes(latest.source_cy, quote_ids), copied, WELSH)
        welsh = expand(document, source_cy, WELSH)
    version = SummaryVersion.objects.create(
        document=document,
        number=latest.number + 1,
        title=latest.title,
        source=source,
        content=expanded.markdown,
        html=render_markdown(expanded.markdown),
        title_cy=latest.title_cy if welsh else "",
        source_cy=source_cy,
        content_cy=welsh.markdown if welsh else "",
        html_cy=render_markdown(welsh.markdown) if welsh else "",
        clip_count=max(0, latest.clip_count - 1),
        institution_count=latest.institution_count,
        published_by=None,
        published_at=at,
        note=REMOVED_AT_REQUEST,
    )
    kept = {q.pk: q for q in [*expanded.quotes, *(welsh.quotes if welsh else [])] if q.clip_id != clip_pk}
    VersionQuote.objects.bulk_create(
        [
            VersionQuote(version=version, quote=q, quote_number=q.pk, clip_public_id=q.clip.public_id)
            for q in kept.values()
        ]
    )
    audit.record(
        AuditAction.PUBLISHED,
        actor_label="automatic: a student withdrew a quoted clip",
        cohort=document.call.cohort,
        target_type="summary",
        target_id=f"{document.pk}v{version.number}",
    )
    return version


def published_versions(cohort_id: int) -> Any:
    """The latest published version of each summary in a cohort, newest first."""
    versions = SummaryVersion.objects.filter(
        document__call__cohort_id=cohort_id, taken_down_at__isnull=True
    ).select_related("document__call")
    seen: set[int] = set()
    out = []
    for v in versions.order_by("-published_at", "-number"):
        if v.document_id not in seen:
            seen.add(v.document_id)
            out.append(v)
    return out
