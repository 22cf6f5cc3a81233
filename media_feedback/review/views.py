"""Pages of clip review (facilitators) and summary documents (facilitators write, the cohort reads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohort import access
from cohort.http import AuthedRequest
from cohort.models import Area, Membership
from media_feedback.models import Clip, FeedbackCall
from media_feedback.review import services as review
from media_feedback.review.forms import QuoteForm, SpanForm, SuggestionForm, SummaryForm, TagForm, TranscriptForm
from media_feedback.review.models import ClipTag, SummaryDocument, SummaryVersion
from media_feedback.views import serve_stored

# --- getters: the facilitator's, or the cohort's published summaries; 404 otherwise -----------------


def _clip(membership: Membership, clip: str) -> Clip:
    return get_object_or_404(
        Clip.objects.select_related("call", "institution", "transcript", "consent", "review").prefetch_related(
            "redactions", Prefetch("tags", queryset=ClipTag.objects.select_related("area")), "quotes__area"
        ),
        public_id=clip,
        call__cohort_id=membership.cohort_id,
        status=Clip.Status.READY,
    )


def _shared_clip(membership: Membership, clip: str) -> Clip:
    """A clip whose redacted rendition the member may play: facilitators, or the student's own
    institution (working group and its assessor) when the consent shares it."""
    found = _clip(membership, clip)
    if membership.is_facilitator:
        return found
    consent = getattr(found, "consent", None)
    if consent and consent.share_with_institutions and membership.can_see_institution_private(found.institution_id):
        return found
    raise Http404("No such clip.")


def _call(membership: Membership, call: int) -> FeedbackCall:
    return get_object_or_404(FeedbackCall, pk=call, cohort_id=membership.cohort_id)


def _document(membership: Membership, document: int) -> SummaryDocument:
    return get_object_or_404(
        SummaryDocument.objects.select_related("call__cohort"), pk=document, call__cohort_id=membership.cohort_id
    )


def _version(membership: Membership, document: int, number: int) -> SummaryVersion:
    return get_object_or_404(
        SummaryVersion.objects.select_related("document__call__cohort", "published_by"),
        document_id=document,
        number=number,
        document__call__cohort_id=membership.cohort_id,
    )


# --- reviewing a clip -------------------------------------------------------------------------------


def _review_url(cohort: str, clip: Clip) -> str:
    return reverse("media_feedback:review_clip", kwargs={"cohort": cohort, "clip": clip.public_id})


def _review_context(membership: Membership, clip: Clip) -> dict[str, Any]:
    words = review.words_of(clip)
    hidden = review.hidden_words(clip, len(words))
    areas = list(Area.objects.filter(framework_id=membership.cohort.framework_id).order_by("position"))
    cohort = membership.cohort
    return {
        "membership": membership,
        "cohort": cohort,
        "clip": clip,
        "call": clip.call,
        "tokens": review.redaction.tokens_for(words, hidden, reveal=True),
        "shared_text": review.redaction.redacted_text(words, hidden) if words else "",
        "redactions": clip.redactions.all(),
        "tags": [t for t in clip.tags.all() if t.status == ClipTag.Status.ACCEPTED],
        "rejected": [t for t in clip.tags.all() if t.status == ClipTag.Status.REJECTED],
        "suggestions": review.suggestions_for(clip, areas),
        "quotes": [(q, review.quote_text(q)) for q in clip.quotes.all()],
        "may_quote": review.may_quote(clip),
        "clip_review": getattr(clip, "review", None),
        "areas": areas,
        "transcript_form": TranscriptForm(initial={"text": " ".join(str(w["word"]) for w in words)}),
    }


@login_required
def review_clip(request: AuthedRequest, cohort: str, clip: str) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _clip(membership, clip)
    return render(request, "media_feedback/review/clip.html", _review_context(membership, found))


def _clip_action(
    request: AuthedRequest,
    cohort: str,
    clip: str,
    action: Callable[[Membership, Clip], str | None],
) -> HttpResponse:
    """Run one review action; a ValidationError becomes the message shown and nothing is changed."""
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _clip(membership, clip)
    try:
        done = action(membership, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done:
            messages.success(request, done)
    return redirect(_review_url(cohort, found))


def _form_errors(form: Any) -> ValidationError:
    return ValidationError([str(e) for errors in form.errors.values() for e in errors])


@login_required
@require_POST
def redact_words(request: AuthedRequest, cohort: str, clip: str) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        form = SpanForm(request.POST)
        if not form.is_valid():
            raise _form_errors(form)
        made = review.redact_words(found, *form.span(), by=request.user)
        return f"Redacted {made.word_numbers}. Everyone but facilitators sees “[redacted]” there."

    return _clip_action(request, cohort, clip, act)


@login_required
@require_POST
def remove_redaction(request: AuthedRequest, cohort: str, clip: str, redaction_id: int) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        review.remove_redaction(found, redaction_id)
        return "The redaction was removed."

    return _clip_action(request, cohort, clip, act)


@login_required
@require_POST
def correct_transcript(request: AuthedRequest, cohort: str, clip: str) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        form = TranscriptForm(request.POST)
        if not form.is_valid():
            raise _form_errors(form)
        review.correct_transcript(found, form.cleaned_data["text"], by=request.user)
        return "The transcript was corrected; the captions follow it."

    return _clip_action(request, cohort, clip, act)


@login_required
@require_POST
def tag_clip(request: AuthedRequest, cohort: str, clip: str) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        form = TagForm(request.POST, cohort=membership.cohort)
        if not form.is_valid():
            raise _form_errors(form)
        first, last = form.span()
        tag = review.tag_clip(found, form.cleaned_data["area"], request.user, first, last)
        return f"Tagged with {tag.area.title}."

    return _clip_action(request, cohort, clip, act)


@login_required
@require_POST
def decide_suggestion(request: AuthedRequest, cohort: str, clip: str, area: str) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        chosen = get_object_or_404(Area, framework_id=membership.cohort.framework_id, slug=area)
        form = SuggestionForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Choose whether to accept or reject the suggestion.")
        accept = form.cleaned_data["decision"] == "accept"
        review.decide_suggestion(found, chosen, accept=accept, by=request.user)
        return f"{'Accepted' if accept else 'Rejected'} the suggestion {chosen.title}."

    return _clip_action(request, cohort, clip, act)


@login_required
@require_POST
def remove_tag(request: AuthedRequest, cohort: str, clip: str, tag_id: int) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        review.remove_tag(found, tag_id)
        return "The tag was removed."

    return _clip_action(request, cohort, clip, act)


@login_required
@require_POST
def add_quote(request: AuthedRequest, cohort: str, clip: str) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        if not review.may_quote(found):
            raise ValidationError("The student did not agree to be quoted, so this clip cannot be quoted.")
        form = QuoteForm(request.POST, cohort=membership.cohort)
        if not form.is_valid():
            raise _form_errors(form)
        quote = review.add_quote(found, form.cleaned_data["area"], *form.span(), by=request.user)
        return f"Quote {quote.pk} saved under {quote.area.title}."

    return _clip_action(request, cohort, clip, act)


@login_required
@require_POST
def remove_quote(request: AuthedRequest, cohort: str, clip: str, quote_id: int) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        review.remove_quote(found, quote_id)
        return "The quote was removed."

    return _clip_action(request, cohort, clip, act)


@login_required
@require_POST
def mark_reviewed(request: AuthedRequest, cohort: str, clip: str) -> HttpResponse:
    def act(membership: Membership, found: Clip) -> str:
        done = request.POST.get("reviewed", "1") != "0"
        review.mark_reviewed(found, request.user, reviewed=done)
        return "Marked as reviewed: it will count in the next summary draft." if done else "Marked as not reviewed."

    return _clip_action(request, cohort, clip, act)


# --- media and captions -----------------------------------------------------------------------------


def _serve(request: AuthedRequest, name: str, content_type: str) -> HttpResponseBase:
    if not name or not default_storage.exists(name):
        raise Http404("This media is not available yet.")
    return serve_stored(request, name, content_type)


def _content_type(clip: Clip) -> str:
    return "video/mp4" if clip.kind == Clip.Kind.VIDEO else "audio/mp4"


@login_required
def clip_media(request: AuthedRequest, cohort: str, clip: str) -> HttpResponseBase:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _clip(membership, clip)
    return _serve(request, found.rendition_name, _content_type(found))


@login_required
def redacted_media(request: AuthedRequest, cohort: str, clip: str) -> HttpResponseBase:
    membership = access.get_membership(request.user, cohort)
    found = _shared_clip(membership, clip)
    return _serve(request, found.redacted_rendition_name, _content_type(found))


@login_required
def clip_captions(request: AuthedRequest, cohort: str, clip: str) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _clip(membership, clip)
    return HttpResponse(review.captions(found, reveal=True), content_type="text/vtt; charset=utf-8")


@login_required
def redacted_captions(request: AuthedRequest, cohort: str, clip: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    found = _shared_clip(membership, clip)
    return HttpResponse(review.captions(found, reveal=False), content_type="text/vtt; charset=utf-8")


# --- the review queue of a call ---------------------------------------------------------------------


@login_required
def review_queue(request: AuthedRequest, cohort: str, call: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _call(membership, call)
    clips = (
        Clip.objects.filter(call=found, status=Clip.Status.READY)
        .select_related("institution", "consent", "review")
        .prefetch_related(Prefetch("tags", queryset=ClipTag.objects.filter(status=ClipTag.Status.ACCEPTED)), "quotes")
        .order_by("created_at")
    )
    documents = found.summaries.order_by("-created_at")
    return render(
        request,
        "media_feedback/review/queue.html",
        {"membership": membership, "cohort": membership.cohort, "call": found, "clips": clips, "documents": documents},
    )


# --- summary documents ------------------------------------------------------------------------------


@login_required
def summary_list(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    context: dict[str, Any] = {
        "membership": membership,
        "cohort": membership.cohort,
        "versions": review.published_versions(membership.cohort_id),
    }
    if membership.is_facilitator:
        context["documents"] = SummaryDocument.objects.filter(call__cohort=membership.cohort).select_related("call")
        context["calls"] = FeedbackCall.objects.filter(cohort=membership.cohort)
    return render(request, "media_feedback/review/summaries.html", context)


@login_required
@require_POST
def create_summary(request: AuthedRequest, cohort: str, call: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _call(membership, call)
    document = review.create_summary(found, request.user)
    messages.success(request, "A draft was made from the reviewed clips. Edit it, then publish it.")
    return redirect("media_feedback:edit_summary", cohort=cohort, document=document.pk)


def _editor_context(membership: Membership, document: SummaryDocument, form: SummaryForm) -> dict[str, Any]:
    quotes = review.call_quotes(document.call)
    body = form.data.get("body", document.body) if form.is_bound else document.body
    return {
        "membership": membership,
        "cohort": membership.cohort,
        "document": document,
        "form": form,
        "preview": review.expand(document, body),
        "quotes": [(q, review.quote_text(q)) for q in quotes.values() if review.may_quote(q.clip)],
        "versions": document.versions.order_by("-number"),
        "latest": review.latest_version(document),
    }


@login_required
def edit_summary(request: AuthedRequest, cohort: str, document: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _document(membership, document)
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if form.is_valid():
            review.update_draft(found, title=form.cleaned_data["title"], body=form.cleaned_data["body"])
            messages.success(request, "The draft was saved. Members see nothing until you publish it.")
            return redirect("media_feedback:edit_summary", cohort=cohort, document=found.pk)
        return render(request, "media_feedback/review/edit.html", _editor_context(membership, found, form), status=400)
    form = SummaryForm(initial={"title": found.title, "body": found.body})
    return render(request, "media_feedback/review/edit.html", _editor_context(membership, found, form))


@login_required
@require_POST
def preview_summary(request: AuthedRequest, cohort: str, document: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _document(membership, document)
    form = SummaryForm(request.POST)
    return render(request, "media_feedback/review/edit.html#preview", _editor_context(membership, found, form))


@login_required
@require_POST
def redraft_summary(request: AuthedRequest, cohort: str, document: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _document(membership, document)
    review.redraft(found)
    messages.success(request, "The draft was made again from the reviewed clips.")
    return redirect("media_feedback:edit_summary", cohort=cohort, document=found.pk)


@login_required
@require_POST
def publish_summary(request: AuthedRequest, cohort: str, document: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    found = _document(membership, document)
    try:
        version = review.publish_summary(found, request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("media_feedback:edit_summary", cohort=cohort, document=found.pk)
    messages.success(request, f"Version {version.number} is published; everyone in the cohort was told.")
    return redirect("media_feedback:summary_version", cohort=cohort, document=found.pk, number=version.number)


@login_required
def summary_document(request: AuthedRequest, cohort: str, document: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    found = _document(membership, document)
    latest = review.latest_version(found)
    if latest is None:
        if membership.is_facilitator:
            return redirect("media_feedback:edit_summary", cohort=cohort, document=found.pk)
        raise Http404("No such summary.")
    return redirect("media_feedback:summary_version", cohort=cohort, document=found.pk, number=latest.number)


@login_required
def summary_version(request: AuthedRequest, cohort: str, document: int, number: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    version = _version(membership, document, number)
    latest = review.latest_version(version.document)
    return render(
        request,
        "media_feedback/review/version.html",
        {"membership": membership, "cohort": membership.cohort, "version": version, "latest": latest},
    )


@login_required
def summary_pdf(request: AuthedRequest, cohort: str, document: int, number: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    version = _version(membership, document, number)
    from media_feedback.review.pdf import version_pdf

    response = HttpResponse(version_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="summary-{version.document_id}-v{version.number}.pdf"'
    return response


@login_required
def summary_history(request: AuthedRequest, cohort: str, document: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    found = _document(membership, document)
    versions = list(found.versions.select_related("published_by").order_by("number"))
    if not versions and not membership.is_facilitator:
        raise Http404("No such summary.")
    rows = [(v, review.version_diff(versions[i - 1] if i else None, v)) for i, v in enumerate(versions)]
    return render(
        request,
        "media_feedback/review/history.html",
        {"membership": membership, "cohort": membership.cohort, "document": found, "rows": rows[::-1]},
    )
