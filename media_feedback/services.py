"""Writes of the clips side: calls and links, consent, uploads, withdrawal, retention.

A facilitator's write takes the acting `Membership` and raises `NotAllowed` when it may not; a
student's write goes by the secret they hold (their institution's link, or their clip's receipt).
The pipeline and the clean-up that run in the worker live in `media_feedback.tasks`, beside their
entry points, so the writes here can enqueue them.
"""

from __future__ import annotations

import secrets
import tempfile
from datetime import datetime
from pathlib import Path

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from cohort import ratelimit
from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.errors import NotAllowed
from cohort.i18n import ENGLISH, WELSH, in_language_of, localised, normalise
from cohort.mail import send_later
from cohort.models import Area, Membership, hash_token
from media_feedback import storage
from media_feedback.models import (
    MB,
    UPLOAD_LIFETIME,
    CallLink,
    Clip,
    Consent,
    FeedbackCall,
    RefusedUpload,
    Transcript,
    Withdrawal,
)
from media_feedback.tasks import process_clip, webvtt

# Each language's consent text has its own version: change a language's whenever its words change
# (_consent_text.txt for English, its Welsh in the catalogue). English: v2: staff see a clip only once
# a facilitator has released it, redacted; no assessor sees it; v3: faces blurred in a video of a
# student who may be quoted anonymously. Welsh: cy1, the Welsh of English v3.
CONSENT_VERSIONS = {ENGLISH: "2026-12-v3", WELSH: "2026-12-cy1"}
CONSENT_VERSION = CONSENT_VERSIONS[ENGLISH]
TICKET_SALT = "media_feedback.upload"
TICKET_MAX_AGE = 24 * 3600
FACILITATORS_ONLY = gettext_lazy("Only the cohort's facilitators manage feedback calls and clips.")


def _check_facilitator(membership: Membership, cohort_id: int) -> None:
    if not membership.is_facilitator or membership.cohort_id != cohort_id:
        raise NotAllowed(str(FACILITATORS_ONLY))


def open_call(
    membership: Membership,
    *,
    title: str,
    questions: str,
    areas: list[Area],
    title_cy: str = "",
    questions_cy: str = "",
    language: str = ENGLISH,
    opens_at: datetime,
    closes_at: datetime,
    allow_audio: bool = True,
    allow_video: bool = True,
    max_seconds: int = 300,
    max_bytes: int = 500 * MB,
    retention_days: int = 90,
    keep_originals: bool = False,
) -> FeedbackCall:
    """A feedback call for the cohort, with a link for every institution taking part."""
    _check_facilitator(membership, membership.cohort_id)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The call must close after it opens.")})
    membership.cohort.check_within(timezone.localdate(opens_at), field="opens_at", what="The call's opening")
    membership.cohort.check_within(timezone.localdate(closes_at), field="closes_at", what="The call's closing")
    with transaction.atomic():
        call = FeedbackCall.objects.create(
            cohort=membership.cohort,
            title=title,
            title_cy=title_cy,
            questions=questions,
            questions_cy=questions_cy,
            language=normalise(language),
            opens_at=opens_at,
            closes_at=closes_at,
            allow_audio=allow_audio,
            allow_video=allow_video,
            max_seconds=max_seconds,
            max_bytes=max_bytes,
            retention_days=retention_days,
            keep_originals=keep_originals,
            created_by=membership.user,
        )
        call.areas.set(areas)
        ensure_links(call)
    return call


def ensure_links(call: FeedbackCall) -> None:
    """A link for every institution of the cohort that has none yet (institutions join later)."""
    existing = set(call.links.values_list("institution_id", flat=True))
    for institution in call.cohort.institutions.exclude(pk__in=existing):
        CallLink.objects.create(call=call, institution=institution)


def set_link_active(membership: Membership, link: CallLink, active: bool) -> None:
    _check_facilitator(membership, link.call.cohort_id)
    link.active = active
    link.save(update_fields=["active"])


def consent_text(link: CallLink, language: str = ENGLISH) -> str:
    """The words the student agrees to in `language`, exactly as shown on the page and stored with the clip."""
    with translation.override(normalise(language)):
        title, _in = localised(link.call, "title")
        return render_to_string(
            "media_feedback/_consent_text.txt", {"call": link.call, "title": title, "institution": link.institution}
        ).strip()


def give_consent(
    link: CallLink,
    *,
    question: str,
    share_with_institutions: bool,
    may_quote: bool,
    age_band: str,
    language: str = ENGLISH,
) -> tuple[Clip, str]:
    """Record consent, in the language of the text the student read, and make the clip that will
    receive the upload. Returns the receipt token, which is never stored (only its hash)."""
    language = normalise(language)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        clip = Clip.objects.create(
            call=link.call,
            institution=link.institution,
            link=link,
            question=question,
            receipt_token_hash=hash_token(token),
            upload_expires_at=timezone.now() + UPLOAD_LIFETIME,
        )
        Consent.objects.create(
            clip=clip,
            share_with_institutions=share_with_institutions,
            may_quote=may_quote,
            age_band=age_band,
            language=language,
            text_version=CONSENT_VERSIONS[language],
            text=consent_text(link, language),
        )
        audit.record(
            AuditAction.CONSENT_GIVEN,
            actor_label="student (no account)",
            cohort=link.call.cohort,
            target_type="clip",
            target_id=clip.public_id,
        )
    return clip, token


def upload_ticket(clip: Clip) -> str:
    """What the upload page hands the tus client: proof it may upload to this one clip."""
    return signing.dumps(str(clip.public_id), salt=TICKET_SALT)


def clip_for_ticket(ticket: str) -> Clip | None:
    try:
        public_id = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:
        return None
    return Clip.objects.select_related("call").filter(public_id=public_id, status=Clip.Status.RECEIVING).first()


def finish_upload(clip: Clip) -> None:
    """The last byte has arrived: move it into the store and start processing after commit. The upload's
    key stays, so a client that lost the answer to its last chunk can still ask (tus HEAD) and learn
    that everything arrived."""
    clip.original_name = storage.complete_upload(clip)
    clip.size_bytes = clip.upload_length or 0
    clip.upload_expires_at = None
    clip.status = Clip.Status.RECEIVED
    clip.status_changed_at = timezone.now()
    clip.save(
        update_fields=[
            "original_name",
            "size_bytes",
            "s3_upload_id",
            "s3_parts",
            "upload_expires_at",
            "status",
            "status_changed_at",
        ]
    )
    clip_id = clip.pk
    transaction.on_commit(lambda: process_clip.enqueue(clip_id))


def delete_withdrawn_clip(clip: Clip) -> Withdrawal:
    """The clip's part of a student's withdrawal: its row goes, with its transcript and anything else
    that cascades from it, and only the fact that a withdrawal happened is kept.

    Caller holds a transaction, and deletes the clip's files after it commits: the whole withdrawal,
    summaries included, is `media_feedback.review.services.withdraw_clip`."""
    withdrawal = Withdrawal.objects.create(
        call_id=clip.call_id, institution_id=clip.institution_id, clip_public_id=clip.public_id
    )
    Clip.objects.filter(pk=clip.pk).delete()
    audit.record(
        AuditAction.CONSENT_WITHDRAWN,
        actor_label="student (no account)",
        cohort=clip.call.cohort,
        target_type="clip",
        target_id=clip.public_id,
    )
    return withdrawal


def clip_for_receipt(token: str) -> Clip | None:
    """The clip a receipt names, once its upload has completed: before that the receipt does not
    exist (nothing can be seen, withdrawn or e-mailed with it)."""
    return (
        Clip.objects.select_related("call", "institution", "consent")
        .filter(receipt_token_hash=hash_token(token))
        .exclude(status=Clip.Status.RECEIVING)
        .first()
    )


def refusal_for_receipt(token: str) -> RefusedUpload | None:
    return RefusedUpload.objects.filter(receipt_token_hash=hash_token(token)).first()


RECEIPT_EMAILS_PER_CLIP = 3
RECEIPT_EMAILS_PER_ADDRESS_PER_DAY = 3


def send_receipt(clip: Clip, email: str, url: str, language: str = ENGLISH) -> None:
    """E-mail the private link of a clip that has arrived, in `language` (the student's page's); the
    address is kept only until the e-mail has gone. Refused (NotAllowed, nothing sent or counted) past
    the limits per clip and per address."""
    with transaction.atomic():
        counted = Clip.objects.filter(pk=clip.pk, receipt_emails_sent__lt=RECEIPT_EMAILS_PER_CLIP).update(
            receipt_emails_sent=F("receipt_emails_sent") + 1
        )
        if not counted:
            raise NotAllowed(
                _(
                    "This private link has already been e-mailed %(count)s times, the most we send for one clip. "
                    "Nothing more was sent. Copy your private link from this page and keep it somewhere safe."
                )
                % {"count": RECEIPT_EMAILS_PER_CLIP}
            )
        address = email.strip().lower()
        if not ratelimit.hit(
            "receipt-email-to", hash_token(address), limit=RECEIPT_EMAILS_PER_ADDRESS_PER_DAY, per=86400
        ):
            raise NotAllowed(  # the transaction rolls back: this clip's count is as it was
                _(
                    "We have already sent %(count)s private links to this address today, the most we send to one "
                    "address in a day. Nothing was sent. Try again tomorrow, or copy your private link from this page."
                )
                % {"count": RECEIPT_EMAILS_PER_ADDRESS_PER_DAY}
            )
        with in_language_of(language):
            title, _in = localised(clip.call, "title")
            body = render_to_string("media_feedback/email/receipt.txt", {"url": url, "call": clip.call, "title": title})
            subject = _("Your clip: your private link")
        send_later(EmailMessage(subject, body, to=[email]))


def schedule_retention(call: FeedbackCall, published_at: datetime) -> None:
    """Called when the call's summary is published: its clips go `retention_days` later."""
    call.summary_published_at = published_at
    call.save(update_fields=["summary_published_at"])


def retry_clip(membership: Membership, clip: Clip) -> None:
    """A facilitator asks for a failed clip to be processed again from its original."""
    _check_facilitator(membership, clip.call.cohort_id)
    if clip.status != Clip.Status.FAILED or not clip.original_name:
        return
    clip.status = Clip.Status.RECEIVED
    clip.attempts = 0
    clip.failure_reason = ""
    clip.status_changed_at = timezone.now()
    clip.save(update_fields=["status", "attempts", "failure_reason", "status_changed_at"])
    clip_id = clip.pk
    transaction.on_commit(lambda: process_clip.enqueue(clip_id))


def receipt_path(token: str) -> str:
    return reverse("media_feedback:receipt", kwargs={"token": token})


def abandon_upload(clip: Clip) -> None:
    """tus termination: the student gave up; the consent and partial bytes go with the clip."""
    with transaction.atomic():
        Clip.objects.filter(pk=clip.pk, status=Clip.Status.RECEIVING).delete()
    storage.delete_clip_files(clip)


def set_clip_language(clip: Clip, language: str) -> None:
    """The language the student says they speak in the clip (the upload page asks)."""
    if language not in Clip.Language.values:
        raise ValidationError(_("Choose the language you speak in your clip: English or Cymraeg."))
    clip.language = language
    clip.save(update_fields=["language"])


def type_transcript(membership: Membership, clip: Clip, text: str) -> Transcript:
    """A facilitator types the transcript of a clip the model could not transcribe (Welsh with the
    English-only model). The words get even timings across the clip, so redaction, quotes and captions
    work on it as on a machine transcript (a redaction's tone then covers about the right stretch)."""
    _check_facilitator(membership, clip.call.cohort_id)
    tokens = text.split()
    if not tokens:
        raise ValidationError({"text": _("Type what the student says: the transcript cannot be empty.")})
    if clip.status != Clip.Status.READY or not clip.rendition_name:
        raise ValidationError(_("This clip is not ready yet: type its transcript once it can be played."))
    if clip.transcribed:
        raise ValidationError(_("This clip already has a transcript: correct it on the review page."))
    duration = max(clip.duration_seconds or 0.0, 0.5)
    step = duration / len(tokens)
    words = [
        {"word": word, "start": round(i * step, 2), "end": round(min((i + 1) * step, duration), 2)}
        for i, word in enumerate(tokens)
    ]
    with tempfile.TemporaryDirectory(prefix="clip-") as tmp:
        vtt = Path(tmp) / "captions.vtt"
        vtt.write_text(webvtt(words), encoding="utf-8")
        captions = storage.put(f"{clip.storage_prefix}captions.vtt", vtt)
    with transaction.atomic():
        transcript, _created = Transcript.objects.update_or_create(
            clip=clip,
            defaults={
                "words": words,
                "text": " ".join(tokens),
                "language": clip.language,
                "model_name": "typed",
                "edited_at": timezone.now(),
            },
        )
        clip.transcribed = True
        clip.transcript_needed = False
        clip.no_speech = ""
        clip.captions_name = captions
        clip.save(update_fields=["transcribed", "transcript_needed", "no_speech", "captions_name"])
    return transcript
