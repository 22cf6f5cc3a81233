"""Clips: the student's pages (no account: the institution's link, then a private receipt link) and
the cohort's pages (calls and links for facilitators, clips for those whose scope allows). The clip's
own page and the student's withdrawal reach review data, so they live in media_feedback.review.views."""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cohort import access as cohort_access, ratelimit
from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.errors import NotAllowed
from cohort.http import AuthedRequest
from cohort.i18n import localised
from cohort.integers import query_int
from cohort.web import add_service_errors, post_action
from media_feedback import access, services, storage
from media_feedback.forms import UNDER_16, CallForm, ConsentForm, ReceiptEmailForm, TypedTranscriptForm
from media_feedback.language import use_student_language
from media_feedback.models import CallLink, Clip, FeedbackCall

SESSION_KEY = "clip_uploads"
# Receipt e-mails sent from one network address in an hour: a class of students each sending
# their own link fits; a script sending hundreds does not (each receipt also allows only 3).
RECEIPT_EMAILS_PER_ADDRESS = 60

# ---------------------------------------------------------------- the student's side (no account)


def _closed(request: HttpRequest, link: CallLink) -> HttpResponse | None:
    if not link.active or not link.call.is_open():
        return render(request, "media_feedback/student/closed.html", {"link": link}, status=410)
    return None


# How long the "done" page shows the private link again in the browser that sent the clip (kept in
# the server-side session only: never in a URL, never logged).
DONE_KEPT = timedelta(hours=12)


def _entry(request: HttpRequest, token: str) -> list[str] | None:
    """This browser's clip for the link: [clip public id, receipt token, and once sent, when]. A sent
    clip's entry lapses DONE_KEPT after it was sent."""
    entries = request.session.get(SESSION_KEY, {})
    entry = entries.get(token)
    if not entry:
        return None
    if len(entry) > 2 and datetime.fromisoformat(entry[2]) + DONE_KEPT < timezone.now():
        entries.pop(token, None)
        request.session[SESSION_KEY] = entries
        return None
    return list(entry)


def _is_sent(entry: list[str] | None) -> bool:
    return entry is not None and len(entry) > 2


def _consented_in(clip: Clip | None, link: CallLink | None) -> str:
    """The language a student's later pages default to: the one they consented in, else the call's."""
    consent = getattr(clip, "consent", None) if clip is not None else None
    if consent is not None:
        return consent.language
    return link.call.language if link is not None else "en-gb"


@never_cache
def call_link(request: HttpRequest, token: str) -> HttpResponse:
    link = access.get_open_link(token)
    language = use_student_language(request, link.call.language)
    if closed := _closed(request, link):
        return closed
    form = ConsentForm(request.POST or None, questions=link.call.questions_in(language))
    if request.method == "POST" and (refusal := ratelimit.allow_student(request, "clip-consent", link.pk)):
        return ratelimit.rate_limited(request, "sending clips", ratelimit.STUDENT_WINDOW, refusal)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["age_band"] == UNDER_16:
            return render(request, "media_feedback/student/too_young.html", {"link": link})
        clip, receipt = services.give_consent(
            link,
            question=form.cleaned_data["question"],
            share_with_institutions=form.cleaned_data["visibility"] == "institutions",
            may_quote=form.cleaned_data["may_quote"],
            age_band=form.cleaned_data["age_band"],
            language=language,
        )
        request.session[SESSION_KEY] = {**request.session.get(SESSION_KEY, {}), token: [str(clip.public_id), receipt]}
        return redirect("media_feedback:upload", token=token)
    status = 400 if form.errors else 200
    context = {
        "link": link,
        "call": link.call,
        "form": form,
        "consent_text": services.consent_text(link, language),
        "questions": link.call.questions_in(language),
        "sent_before": _is_sent(_entry(request, token)),
    }
    return render(request, "media_feedback/student/consent.html", context, status=status)


def _session_clip(request: HttpRequest, token: str) -> tuple[Clip, str] | None:
    entry = _entry(request, token)
    if not entry:
        return None
    clip = Clip.objects.select_related("call").filter(public_id=entry[0]).first()
    return (clip, entry[1]) if clip else None


@never_cache
def upload(request: HttpRequest, token: str) -> HttpResponse:
    link = access.get_open_link(token)
    found = _session_clip(request, token)
    use_student_language(request, _consented_in(found[0] if found else None, link))
    if closed := _closed(request, link):
        return closed
    if _is_sent(_entry(request, token)):
        return redirect("media_feedback:upload_done", token=token)
    if found is None or found[0].status != Clip.Status.RECEIVING:
        return redirect("media_feedback:call_link", token=token)
    clip = found[0]
    context = {
        "link": link,
        "call": link.call,
        "clip": clip,
        # Each language by its own name (as language choices are shown in both languages), not translated.
        "languages": [(Clip.Language.ENGLISH, "English"), (Clip.Language.WELSH, "Cymraeg")],
        "ticket": services.upload_ticket(clip),
        "chunk_size": min(4 * 1024 * 1024, settings.CLIP_UPLOAD_CHUNK_BYTES),
    }
    return render(request, "media_feedback/student/upload.html", context)


@never_cache
def upload_done(request: HttpRequest, token: str) -> HttpResponse:
    """The clip's state as it changes, and its private link: shown again on reload in this browser for
    DONE_KEPT (from the session, never from the address), then only by the link itself. While the
    upload is still arriving there is no receipt to show, only that."""
    link = access.get_open_link(token)
    entry = _entry(request, token)
    if entry is None:
        return redirect("media_feedback:call_link", token=token)
    found = _session_clip(request, token)
    use_student_language(request, _consented_in(found[0] if found else None, link))
    if found is not None and found[0].status == Clip.Status.RECEIVING:
        return render(request, "media_feedback/student/done.html", {"link": link, "arriving": True})
    if not _is_sent(entry):
        entry = [*entry[:2], timezone.now().isoformat()]
        request.session[SESSION_KEY] = {**request.session.get(SESSION_KEY, {}), token: entry}
    receipt = entry[1]
    context = {
        **_receipt_context(receipt),
        "link": link,
        "again_url": reverse("media_feedback:call_link", kwargs={"token": token}),
        "poll_url": request.path,
        "receipt_url": request.build_absolute_uri(services.receipt_path(receipt)),
        "kept_until": datetime.fromisoformat(entry[2]) + DONE_KEPT,
        "form": ReceiptEmailForm(),
    }
    template = "media_feedback/student/done.html"
    if request.headers.get("HX-Request"):
        template += "#status"
    return render(request, template, context)


def _receipt_context(token: str) -> dict[str, Any]:
    clip = services.clip_for_receipt(token)
    refused = None if clip else services.refusal_for_receipt(token)
    link = clip.link if clip else (refused.link if refused else None)
    return {
        "clip": clip,
        "refused": refused,
        "token": token,
        "busy": clip is not None and clip.status not in (Clip.Status.READY, Clip.Status.FAILED),
        "again_url": reverse("media_feedback:call_link", kwargs={"token": link.token}) if link else "",
    }


@never_cache
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    context = _receipt_context(token)
    refused = context["refused"]
    use_student_language(request, _consented_in(context["clip"], refused.link if refused else None))
    status = 200 if context["clip"] or context["refused"] else 404
    template = "media_feedback/student/receipt.html"
    if request.headers.get("HX-Request"):
        template += "#status"
    return render(request, template, context, status=status)


@require_POST
def receipt_email(request: HttpRequest, token: str) -> HttpResponse:
    clip = services.clip_for_receipt(token)
    if clip is None:
        raise Http404("No such clip.")
    language = use_student_language(request, _consented_in(clip, None))
    form = ReceiptEmailForm(request.POST)
    context = {**_receipt_context(token), "email_form": form}
    if not form.is_valid():
        return render(request, "media_feedback/student/receipt.html", context, status=400)
    url = request.build_absolute_uri(services.receipt_path(token))
    if not ratelimit.allow(request, "receipt-email-sender", limit=RECEIPT_EMAILS_PER_ADDRESS, per=3600):
        return ratelimit.rate_limited(
            request,
            _("e-mailing private links"),
            3600,
            _(
                "More than %(count)s private links have been e-mailed from your network in the last hour, so this "
                "one was not sent. Nothing was changed: copy your link from this page instead, or try again in an hour."
            )
            % {"count": RECEIPT_EMAILS_PER_ADDRESS},
        )
    try:
        services.send_receipt(clip, form.cleaned_data["email"], url, language)
    except NotAllowed as refusal:
        form.add_error(None, str(refusal))
        context["receipt_url"] = url  # the link to copy instead, on the page that says so
        return render(request, "media_feedback/student/receipt.html", context, status=429)
    messages.success(
        request,
        _(
            "Your private link is on its way: it should arrive within a few minutes. "
            "We delete your address once the e-mail has gone."
        ),
    )
    return redirect("media_feedback:receipt", token=token)


# ---------------------------------------------------------------- the cohort's side


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "") for k in ("institution", "status", "area", "question", "call")}


def _told_apart(clips: list[Clip]) -> list[tuple[Clip, int | None]]:
    """Each clip with a number when another in the list has the same link text (kind, and the minute
    it was sent): a screen reader's list of links must not hold two identical ones."""

    def name(clip: Clip) -> tuple[str, str]:
        return clip.kind, timezone.localtime(clip.created_at).strftime("%Y-%m-%d %H:%M")

    shared = Counter(name(c) for c in clips)
    seen: Counter[tuple[str, str]] = Counter()
    numbered: list[tuple[Clip, int | None]] = []
    for clip in clips:
        seen[name(clip)] += 1
        numbered.append((clip, seen[name(clip)] if shared[name(clip)] > 1 else None))
    return numbered


@login_required
def clips(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    access.require_clip_viewer(membership)
    chosen = _filters(request)
    qs = access.visible_clips(membership).select_related("institution", "call", "consent")
    if chosen["institution"]:
        qs = qs.filter(institution__slug=chosen["institution"])
    if chosen["status"]:
        qs = qs.filter(status=chosen["status"])
    if (area := query_int(request.GET, "area")) is not None:
        qs = qs.filter(call__areas=area)
    if chosen["question"]:
        qs = qs.filter(question=chosen["question"])
    if (call := query_int(request.GET, "call")) is not None:
        qs = qs.filter(call_id=call)
    calls = FeedbackCall.objects.filter(cohort=membership.cohort)
    context = {
        "membership": membership,
        "clips": _told_apart(list(qs.exclude(status=Clip.Status.RECEIVING).distinct()[:200])),
        "chosen": chosen,
        "institutions": membership.cohort.institutions.all()
        if membership.is_facilitator
        else membership.cohort.institutions.filter(pk=membership.institution_id),
        "statuses": [s for s in Clip.Status if s != Clip.Status.RECEIVING],
        "areas": membership.cohort.framework.areas.all(),
        "questions": sorted({q for c in calls for q in c.question_list}),
        "calls": calls,
    }
    return render(request, "media_feedback/clips.html", context)


@login_required
@require_POST
def clip_retry(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = access.get_clip(membership, clip_id)
    return post_action(
        request,
        lambda: services.retry_clip(membership, found),
        to="media_feedback:clip",
        cohort=cohort,
        clip_id=clip_id,
    )


FILES = {
    "rendition": ("rendition_name", access.Artefact.RENDITION),
    "poster": ("poster_name", access.Artefact.POSTER),
    "captions": ("captions_name", access.Artefact.CAPTIONS),
}
RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@login_required
def clip_file(request: AuthedRequest, cohort: str, clip_id: UUID, what: str) -> HttpResponseBase:
    """A clip's file, for those the release rule lets see it (facilitators: these are the unredacted
    files): streamed with Range support from the filesystem, or a short-lived signed URL on S3."""
    membership = cohort_access.get_membership(request.user, cohort)
    if what not in FILES:
        raise Http404("No such file.")
    field, artefact = FILES[what]
    found = access.get_clip(membership, clip_id, artefact)
    name = getattr(found, field, "")
    if not name:
        raise Http404("No such file.")
    if what == "rendition" and request.headers.get("Range", "bytes=0-").startswith("bytes=0-"):
        audit.record(
            AuditAction.CLIP_DOWNLOADED,
            request=request,
            cohort=membership.cohort,
            target_type="clip",
            target_id=found.public_id,
        )
    return serve_stored(request, name, _content_type(name))


def serve_stored(request: HttpRequest, name: str, content_type: str) -> HttpResponseBase:
    """A stored file for a caller that has checked permission: a short-lived signed URL on S3, or
    streamed from the filesystem with Range support (players seek), never cached."""
    if not storage.is_local():
        return HttpResponseRedirect(storage.store().url(name))
    response = _ranged(request, storage.store().path(name), content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def _content_type(name: str) -> str:
    if name.endswith(".mp4"):
        return "video/mp4"
    if name.endswith(".m4a"):
        return "audio/mp4"
    if name.endswith(".vtt"):
        return "text/vtt; charset=utf-8"
    return "image/jpeg"


def _ranged(request: HttpRequest, path: str, content_type: str) -> HttpResponseBase:
    size = os.path.getsize(path)
    match = RANGE.match(request.headers.get("Range", ""))
    if not match or not (match.group(1) or match.group(2)):
        response: HttpResponseBase = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
    else:
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(0, size - int(last)), size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(_read_range(path, start, end), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _read_range(path: str, start: int, end: int):  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh:
        fh.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            piece = fh.read(min(256 * 1024, remaining))
            if not piece:
                break
            remaining -= len(piece)
            yield piece


@login_required
def calls(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    form = CallForm(request.POST or None, cohort=membership.cohort)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.open_call(membership, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The call “%(title)s” is open. Share each institution's link or poster.")
                % {"title": localised(call, "title")[0]},
            )
            return redirect("media_feedback:call", cohort=cohort, call_id=call.pk)
    listed = FeedbackCall.objects.filter(cohort=membership.cohort).annotate(
        clip_count=Count("clips", filter=~Q(clips__status=Clip.Status.RECEIVING))
    )
    context = {"membership": membership, "calls": listed, "form": form}
    return render(request, "media_feedback/calls.html", context, status=400 if form.errors else 200)


@login_required
def call(request: AuthedRequest, cohort: str, call_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = access.get_call(membership, call_id)
    links = found.links.select_related("institution").annotate(
        clip_count=Count("clips", filter=~Q(clips__status=Clip.Status.RECEIVING))
    )
    context = {
        "membership": membership,
        "call": found,
        "links": links,
        "site_url": settings.SITE_URL,
        "clip_count": found.clips.exclude(status=Clip.Status.RECEIVING).count(),
    }
    return render(request, "media_feedback/call.html", context)


@login_required
def link_qr(request: AuthedRequest, cohort: str, link_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    found = access.get_link(membership, link_id)
    url = settings.SITE_URL + reverse("media_feedback:call_link", kwargs={"token": found.token})
    qr = segno.make(url, error="m")
    # A standalone SVG document (with xmlns), so it works in an <img> and as a download for posters.
    buffer = io.BytesIO()
    title = _("QR code for %(institution)s") % {"institution": found.institution.name}
    qr.save(buffer, kind="svg", scale=8, xmldecl=False, title=title)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def link_toggle(request: AuthedRequest, cohort: str, link_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    found = access.get_link(membership, link_id)

    def act() -> str:
        services.set_link_active(membership, found, not found.active)
        name = found.institution.short_name
        if found.active:
            return _("The link for %(institution)s is switched on.") % {"institution": name}
        return _("The link for %(institution)s is switched off.") % {"institution": name}

    return post_action(request, act, to="media_feedback:call", cohort=cohort, call_id=found.call_id)


@login_required
def type_transcript(request: AuthedRequest, cohort: str, clip_id: UUID) -> HttpResponse:
    """A facilitator types the transcript of a clip the model could not transcribe (a Welsh clip)."""
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    found = access.get_clip(membership, clip_id)
    form = TypedTranscriptForm(request.POST or None, language=found.language)
    if request.method == "POST" and form.is_valid():
        try:
            services.type_transcript(membership, found, form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The transcript is saved: you can now review, redact and quote it."))
            return redirect("media_feedback:clip", cohort=cohort, clip_id=clip_id)
    context = {"membership": membership, "clip": found, "form": form}
    return render(request, "media_feedback/type_transcript.html", context, status=400 if form.errors else 200)
