"""Pages of clip review (facilitators) and summary documents (facilitators write, the cohort reads);
the clip's own page, which shows anyone but a facilitator the redacted clip; and the student's
withdrawal, which reaches the summaries that quoted the clip."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cohort import access as cohort_access
from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.editing import EditConflict
from cohort.errors import NotAllowed
from cohort.http import AuthedRequest
from cohort.i18n import WELSH, active, localised
from cohort.models import Area, Membership
from cohort.web import Confirmation, add_service_errors, attachment, confirm_page, error_text, is_confirmed, post_action
from media_feedback import access, services
from media_feedback.language import use_student_language
from media_feedback.models import Clip, FeedbackCall
from media_feedback.review import access as review_access, redaction, services as review
from media_feedback.review.forms import QuoteForm, SpanForm, SuggestionForm, SummaryForm, TagForm, TranscriptForm
from media_feedback.review.models import HTML_LANG, ClipTag, SummaryDocument, SummaryVersion
from media_feedback.review.pdf import version_pdf
from media_feedback.views import serve_stored

# --- the clip's page and the student's withdrawal -------------------------------------------------


@login_required
def clip(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    if (withdrawal := access.get_withdrawal(membership, clip_id)) is not None:
        gone = {"membership": membership, "withdrawal": withdrawal}
        return render(request, "media_feedback/withdrawn_clip.html", gone, status=410)
    found = access.get_clip(membership, clip_id)
    sees = {artefact: access.may_see(membership, found, artefact) for artefact in access.Artefact}
    transcript = getattr(found, "transcript", None) if found.transcribed else None
    shown_text = ""
    if transcript is not None and sees[access.Artefact.TRANSCRIPT]:
        shown_text = transcript.text
    elif transcript is not None and sees[access.Artefact.REDACTED_TRANSCRIPT]:
        shown_text = review.redacted_transcript(found)
    waveform = found.waveform if sees[access.Artefact.WAVEFORM] else []
    bars = [(i, round((1 - p) * 50, 1), max(0.5, round(p * 100, 1))) for i, p in enumerate(waveform or [])]
    audit.record(
        AuditAction.CLIP_VIEWED,
        request=request,
        cohort=membership.cohort,
        target_type="clip",
        target_id=found.public_id,
    )
    if shown_text:
        audit.record(
            AuditAction.TRANSCRIPT_VIEWED,
            request=request,
            cohort=membership.cohort,
            target_type="clip",
            target_id=found.public_id,
        )
    context: dict[str, Any] = {
        "membership": membership,
        "clip": found,
        "transcript": transcript if shown_text else None,
        "transcript_text": shown_text,
        "bars": bars,
        "sees_original": sees[access.Artefact.RENDITION],
        "sees_poster": sees[access.Artefact.POSTER],
        "sees_captions": sees[access.Artefact.CAPTIONS],
    }
    return render(request, "media_feedback/clip.html", context)


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    clip = services.clip_for_receipt(token)
    if clip is None:
        raise Http404("No such clip.")
    # The language the student consented in, as on their other pages (unless they chose another).
    consent = getattr(clip, "consent", None)
    use_student_language(request, consent.language if consent is not None else clip.call.language)
    if not is_confirmed(request):
        confirmation = Confirmation(
            title=_("Withdraw and delete your clip?"),
            consequences=[
                _("Your clip, its transcript, its captions and anything made from it are deleted straight away."),
                _(
                    "If a published summary quoted your words, it is replaced at once by a version without them, "
                    "and the facilitators are told that a quote was withdrawn. They are not told who you are."
                ),
                _("Nobody else is told. You do not need to give a reason."),
            ],
            button=_("Withdraw and delete my clip"),
            back_url=reverse("media_feedback:receipt", kwargs={"token": token}),
            back_label=_("No, keep my clip"),
        )
        return confirm_page(request, confirmation, {"link": clip.link})
    link = clip.link  # the privacy notice stays reachable from the page that confirms the withdrawal
    review.withdraw_clip(clip)
    return render(request, "media_feedback/student/withdrawn.html", {"link": link})


# --- reviewing a clip -------------------------------------------------------------------------------


def _review_context(membership: Membership, clip: Clip) -> dict[str, Any]:
    words = redaction.words_of(clip)
    hidden = redaction.hidden_words(clip, len(words))
    areas = list(Area.objects.filter(framework_id=membership.cohort.framework_id).order_by("position"))
    cohort = membership.cohort
    return {
        "membership": membership,
        "cohort": cohort,
        "clip": clip,
        "call": clip.call,
        "tokens": redaction.tokens_for(words, hidden, reveal=True),
        "shared_text": redaction.redacted_text(words, hidden) if words else "",
        # Each redaction with the words it hides: this page is the facilitator's, who hears the clip anyway.
        "redactions": [
            (r, " ".join(str(w["word"]).strip() for w in words[r.first_word : r.last_word + 1]))
            for r in clip.redactions.all()
        ],
        "tags": [t for t in clip.tags.all() if t.status == ClipTag.Status.ACCEPTED],
        "rejected": [t for t in clip.tags.all() if t.status == ClipTag.Status.REJECTED],
        "suggestions": review.suggestions_for(clip, areas),
        "quotes": [(q, review.quote_text(q)) for q in clip.quotes.all()],
        "may_quote": review.may_quote(clip),
        "clip_review": getattr(clip, "review", None),
        "areas": areas,
        "transcript_form": TranscriptForm(
            row=getattr(clip, "transcript", None), initial={"text": " ".join(str(w["word"]) for w in words)}
        ),
        **_languages(clip),
    }


def _languages(clip: Clip) -> dict[str, str]:
    """The language the student spoke (for lang and srclang) and the captions' labels."""
    spoken = review.spoken_language(clip)
    welsh = spoken == WELSH
    # The student's words carry their language where it is not the page's.
    other = spoken != active()
    return {
        "spoken_lang": HTML_LANG[spoken],
        "page_lang": HTML_LANG[active()],
        "spoken_attr_lead": format_html(' lang="{}"', HTML_LANG[spoken]) if other else "",
        "spoken_attr": format_html('lang="{}" ', HTML_LANG[spoken]) if other else "",
        "captions_label": _("Welsh (full)") if welsh else _("English (full)"),
        "redacted_captions_label": _("Welsh (redacted)") if welsh else _("English (redacted)"),
    }


@login_required
def review_clip(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)
    return render(request, "media_feedback/review/clip.html", _review_context(membership, found))


def _form_errors(form: Any) -> ValidationError:
    return ValidationError([str(e) for errors in form.errors.values() for e in errors])


# Each review action is a one-button POST back to the review page: the facilitator's getters first
# (404 otherwise), then one service call whose refusal or bad input becomes the message shown.


def _back_to(section: str, response: HttpResponse) -> HttpResponse:
    """Back to the section the action was taken in (review.js focuses it), not the top of the page: a
    keyboard user would otherwise Tab through everything above it again."""
    response["Location"] = f"{response['Location']}#{section}"
    return response


@login_required
@require_POST
def redact_words(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        form = SpanForm(request.POST)
        if not form.is_valid():
            raise _form_errors(form)
        made = review.redact_words(membership, found, *form.span())
        return _("Redacted %(words)s. Once the clip is released, its institution's staff see “[redacted]” there.") % {
            "words": made.word_numbers
        }

    return _back_to(
        "transcript-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def remove_redaction(request: AuthedRequest, cohort: str, clip_id: UUID, redaction_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        review.remove_redaction(membership, found, redaction_id)
        return _("The redaction was removed.")

    return _back_to(
        "redactions-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def correct_transcript(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    form = TranscriptForm(request.POST)
    if form.is_valid():
        try:
            review.correct_transcript(membership, found, form.cleaned_data["text"], based_on=form.based_on_version())
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The transcript was corrected; the captions follow it."))
            return _back_to("transcript-title", redirect("media_feedback:review_clip", cohort=cohort, clip_id=clip_id))
    # The corrected text is shown again as typed, with what is wrong: a correction is never lost.
    context = {**_review_context(membership, found), "transcript_form": form}
    return render(request, "media_feedback/review/clip.html", context, status=409 if form.conflict else 400)


@login_required
@require_POST
def tag_clip(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        form = TagForm(request.POST, cohort=membership.cohort)
        if not form.is_valid():
            raise _form_errors(form)
        first, last = form.span()
        tag = review.tag_clip(membership, found, form.cleaned_data["area"], first, last)
        return _("Tagged with %(area)s.") % {"area": localised(tag.area, "title")[0]}

    return _back_to(
        "areas-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def decide_suggestion(request: AuthedRequest, cohort: str, clip_id: UUID, area: str) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        chosen = get_object_or_404(Area, framework_id=membership.cohort.framework_id, slug=area)
        form = SuggestionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose whether to accept or reject the suggestion."))
        accept = form.cleaned_data["decision"] == "accept"
        review.decide_suggestion(membership, found, chosen, accept=accept)
        area_title = localised(chosen, "title")[0]
        if accept:
            return _("Accepted the suggestion %(area)s.") % {"area": area_title}
        return _("Rejected the suggestion %(area)s.") % {"area": area_title}

    return _back_to(
        "areas-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def remove_tag(request: AuthedRequest, cohort: str, clip_id: UUID, tag_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        review.remove_tag(membership, found, tag_id)
        return _("The tag was removed.")

    return _back_to(
        "areas-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def add_quote(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        if not review.may_quote(found):
            raise ValidationError(_("The student did not agree to be quoted, so this clip cannot be quoted."))
        form = QuoteForm(request.POST, cohort=membership.cohort)
        if not form.is_valid():
            raise _form_errors(form)
        quote = review.add_quote(membership, found, form.cleaned_data["area"], *form.span())
        return _("Quote %(number)s saved under %(area)s.") % {
            "number": quote.pk,
            "area": localised(quote.area, "title")[0],
        }

    return _back_to(
        "quotes-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def remove_quote(request: AuthedRequest, cohort: str, clip_id: UUID, quote_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        review.remove_quote(membership, found, quote_id)
        return _("The quote was removed.")

    return _back_to(
        "quotes-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def release_clip(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        release = request.POST.get("release", "1") != "0"
        review.release_clip(membership, found, release=release)
        names = {"institution": found.institution.short_name}
        if release:
            return (
                _(
                    "Released to %(institution)s staff: they now see the redacted transcript, captions and recording only."
                )
                % names
            )
        return _("The release was taken back: %(institution)s staff no longer see anything of this clip.") % names

    return _back_to(
        "release-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def blur_faces(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        review.blur_faces(membership, found)
        return _("The faces are being blurred: everyone but facilitators will see them blurred.")

    return _back_to(
        "blur-faces", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


@login_required
@require_POST
def mark_reviewed(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id)

    def act() -> str:
        done = request.POST.get("reviewed", "1") != "0"
        review.mark_reviewed(membership, found, reviewed=done)
        if done:
            return _("Marked as reviewed: it will count in the next summary draft.")
        return _("Marked as not reviewed.")

    return _back_to(
        "done-title", post_action(request, act, to="media_feedback:review_clip", cohort=cohort, clip_id=clip_id)
    )


# --- media and captions -----------------------------------------------------------------------------


def _serve(request: AuthedRequest, name: str, content_type: str) -> HttpResponseBase:
    if not name or not default_storage.exists(name):
        raise Http404("This media is not available yet.")
    return serve_stored(request, name, content_type)


def _content_type(clip: Clip) -> str:
    return "video/mp4" if clip.kind == Clip.Kind.VIDEO else "audio/mp4"


@login_required
def clip_media(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponseBase:
    membership = cohort_access.get_membership(request.user, cohort)
    found = access.get_clip(membership, clip_id, access.Artefact.RENDITION, ready=True)
    return _serve(request, found.rendition_name, _content_type(found))


@login_required
def redacted_media(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponseBase:
    membership = cohort_access.get_membership(request.user, cohort)
    found = access.get_clip(membership, clip_id, access.Artefact.REDACTED_RENDITION, ready=True)
    return _serve(request, found.redacted_rendition_name, _content_type(found))


@login_required
def clip_captions(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id, [access.Artefact.CAPTIONS])
    return HttpResponse(review.captions(found, reveal=True), content_type="text/vtt; charset=utf-8")


@login_required
def redacted_captions(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    found = review_access.get_review_clip(membership, clip_id, [access.Artefact.REDACTED_CAPTIONS])
    return HttpResponse(review.captions(found, reveal=False), content_type="text/vtt; charset=utf-8")


# --- the review queue of a call ---------------------------------------------------------------------


def _queue_page(
    request: AuthedRequest, membership: Membership, found: FeedbackCall, *, title: str | None = None, error: str = ""
) -> HttpResponse:
    clips = (
        Clip.objects.filter(call=found, status=Clip.Status.READY)
        .select_related("institution", "consent", "review")
        .prefetch_related(Prefetch("tags", queryset=ClipTag.objects.filter(status=ClipTag.Status.ACCEPTED)), "quotes")
        .order_by("created_at")
    )
    documents = list(found.summaries.order_by("-created_at"))
    if title is None:  # suggest the usual title while no summary of the call has it
        usual = review.default_summary_title(found)
        title = "" if any(d.title.lower() == usual.lower() for d in documents) else usual
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "call": found,
        "clips": clips,
        "documents": documents,
        "new_title": title,
        "title_error": error,
    }
    return render(request, "media_feedback/review/queue.html", context, status=400 if error else 200)


@login_required
def review_queue(request: AuthedRequest, cohort: str, call_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    return _queue_page(request, membership, access.get_call(membership, call_id))


# --- summary documents ------------------------------------------------------------------------------


@login_required
def summary_list(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
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
def create_summary(request: AuthedRequest, cohort: str, call_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = access.get_call(membership, call_id)
    title = request.POST.get("title", "")
    try:
        document = review.create_summary(membership, found, title)
    except ValidationError as error:
        return _queue_page(request, membership, found, title=title, error=error_text(error))
    messages.success(request, _("A draft was made from the reviewed clips. Edit it, then publish it."))
    return redirect("media_feedback:edit_summary", cohort=cohort, document_id=document.pk)


def _editor_context(membership: Membership, document: SummaryDocument, form: SummaryForm) -> dict[str, Any]:
    quotes = review.call_quotes(document.call)
    body = form.data.get("body", document.body) if form.is_bound else document.body
    body_cy = form.data.get("body_cy", document.body_cy) if form.is_bound else document.body_cy
    return {
        "membership": membership,
        "cohort": membership.cohort,
        "document": document,
        "form": form,
        "preview": review.expand(document, body, available=quotes),
        "preview_cy": review.expand_welsh(document, body_cy),
        "quotes": [
            (q, review.quote_text(q), _other_language(review.spoken_language(q.clip)))
            for q in quotes.values()
            if review.may_quote(q.clip)
        ],
        "versions": document.versions.order_by("-number"),
        "latest": review.latest_version(document),
    }


def _other_language(spoken: str) -> str:
    """The lang attribute's value for words spoken in another language than the page's, else ""."""
    return HTML_LANG[spoken] if spoken != active() else ""


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _unsaved_edits(request: AuthedRequest, document: SummaryDocument) -> HttpResponse | None:
    """Publish and "draft again" send the editor's text along: when it differs from the saved draft,
    they act on nothing and show the editor again with the text as typed, saying why."""
    if "title" not in request.POST and "body" not in request.POST:
        return None
    fields = ("title", "body", "title_cy", "body_cy")
    if all(_same_text(request.POST.get(name, getattr(document, name)), getattr(document, name)) for name in fields):
        return None
    membership = cohort_access.get_facilitator_membership(request.user, document.call.cohort.slug)
    form = SummaryForm(request.POST)
    form.is_valid()
    messages.error(
        request,
        _(
            "Your changes to the draft are not saved yet, so nothing else was done. "
            "Save the draft first (your text is still in the editor), then publish or draft again."
        ),
    )
    return render(request, "media_feedback/review/edit.html", _editor_context(membership, document, form), status=409)


@login_required
def edit_summary(request: AuthedRequest, cohort: str, document_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_document(membership, document_id)
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if not form.is_valid():
            context = _editor_context(membership, found, form)
            return render(request, "media_feedback/review/edit.html", context, status=400)
        try:
            review.update_draft(
                membership,
                found,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                title_cy=form.cleaned_data["title_cy"] if "title_cy" in request.POST else None,
                body_cy=form.cleaned_data["body_cy"] if "body_cy" in request.POST else None,
                based_on=form.based_on_version(),
            )
        except EditConflict as conflict:  # another facilitator saved meanwhile: theirs beside the typed text
            form.show_conflict(conflict)
            return render(
                request, "media_feedback/review/edit.html", _editor_context(membership, found, form), status=409
            )
        messages.success(request, _("The draft was saved. Members see nothing until you publish it."))
        return redirect("media_feedback:edit_summary", cohort=cohort, document_id=found.pk)
    form = SummaryForm(row=found)
    return render(request, "media_feedback/review/edit.html", _editor_context(membership, found, form))


@login_required
@require_POST
def preview_summary(request: AuthedRequest, cohort: str, document_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_document(membership, document_id)
    form = SummaryForm(request.POST)
    return render(request, "media_feedback/review/edit.html#preview", _editor_context(membership, found, form))


@login_required
@require_POST
def redraft_summary(request: AuthedRequest, cohort: str, document_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_document(membership, document_id)
    if unsaved := _unsaved_edits(request, found):
        return unsaved

    welsh = request.POST.get("language") == WELSH

    def act() -> str:
        review.redraft(membership, found, WELSH if welsh else "en-gb")
        if welsh:
            return _("The Welsh text was drafted again from the reviewed clips.")
        return _("The draft was made again from the reviewed clips.")

    return post_action(request, act, to="media_feedback:edit_summary", cohort=cohort, document_id=found.pk)


@login_required
@require_POST
def publish_summary(request: AuthedRequest, cohort: str, document_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = review_access.get_document(membership, document_id)
    if unsaved := _unsaved_edits(request, found):
        return unsaved
    try:
        version = review.publish_summary(membership, found)
    except ValidationError as error:
        for message in error.messages:  # each thing that stops publishing, on its own line
            messages.error(request, message)
        return redirect("media_feedback:edit_summary", cohort=cohort, document_id=found.pk)
    except NotAllowed as refusal:
        messages.error(request, error_text(refusal))
        return redirect("media_feedback:edit_summary", cohort=cohort, document_id=found.pk)
    messages.success(
        request, _("Version %(number)s is published; everyone in the cohort was told.") % {"number": version.number}
    )
    return redirect("media_feedback:summary_version", cohort=cohort, document_id=found.pk, number=version.number)


@login_required
def summary_document(request: AuthedRequest, cohort: str, document_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    found = review_access.get_document(membership, document_id)
    latest = review.latest_version(found)
    if latest is None:
        if membership.is_facilitator:
            return redirect("media_feedback:edit_summary", cohort=cohort, document_id=found.pk)
        raise Http404("No such summary.")
    return redirect("media_feedback:summary_version", cohort=cohort, document_id=found.pk, number=latest.number)


@login_required
def summary_version(request: AuthedRequest, cohort: str, document_id: int, number: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    version = review_access.get_version(membership, document_id, number)
    latest = review.latest_version(version.document)
    language = version.language_for(active())
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "version": version,
        "latest": latest,
        "shown": {
            "language": language,
            # A taken-down version has no text left, but its Welsh title still names it to a Welsh reader.
            "title": version.title_in(active() if version.taken_down_at else language),
            "html": version.html_in(language),
            # A Welsh reader of a summary with no Welsh version reads the English one, marked as such.
            "fallback": language != active(),
        },
    }
    if version.taken_down_at is not None:
        return render(request, "media_feedback/review/version_replaced.html", context, status=410)
    return render(request, "media_feedback/review/version.html", context)


@login_required
def summary_pdf(request: AuthedRequest, cohort: str, document_id: int, number: int) -> HttpResponseBase:
    membership = cohort_access.get_membership(request.user, cohort)
    version = review_access.get_version(membership, document_id, number)
    if version.taken_down_at is not None:
        raise Http404("This version was replaced.")
    language = version.language_for(active())
    suffix = "-cy" if language == WELSH else ""
    filename = f"summary-{version.document_id}-v{version.number}{suffix}.pdf"
    return attachment(version_pdf(version, language), filename=filename, content_type="application/pdf")


def _history_row(older: SummaryVersion | None, newer: SummaryVersion) -> tuple[Any, ...]:
    """(version, its diff, what to say when the diff is empty, the diff's lang): a Welsh reader sees
    what changed in the Welsh text when both versions have one, everyone else the English text's."""
    welsh = active() == WELSH and older is not None and older.has_welsh and newer.has_welsh
    diff = review.version_diff(older, newer, WELSH if welsh else "en-gb")
    shown, other = ("title_cy", "source_cy"), ("title", "source")
    if not welsh:
        shown, other = other, shown
    unchanged = _("Only the title changed.")
    same_title = older is not None and getattr(older, shown[0]) == getattr(newer, shown[0])
    if same_title and any(getattr(older, name) != getattr(newer, name) for name in other):
        unchanged = _("Only the English version changed.") if welsh else _("Only the Welsh version changed.")
    return newer, diff, unchanged, HTML_LANG[WELSH if welsh else "en-gb"]


@login_required
def summary_history(request: AuthedRequest, cohort: str, document_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    found = review_access.get_document(membership, document_id)
    versions = list(found.versions.select_related("published_by").order_by("number"))
    if not versions and not membership.is_facilitator:
        raise Http404("No such summary.")
    rows = [_history_row(review.shown_before(versions, i), v) for i, v in enumerate(versions)]
    return render(
        request,
        "media_feedback/review/history.html",
        {
            "membership": membership,
            "cohort": membership.cohort,
            "document": found,
            "rows": rows[::-1],
            "page_lang": HTML_LANG[active()],
        },
    )
