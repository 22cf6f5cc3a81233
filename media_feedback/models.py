"""Feedback calls, per-institution links, consent, clips and transcripts.

The core that collection (clips issue) and review/publishing (summary issue) share. Students have no
account: they reach a call through their institution's link and their own clip through a private
receipt link. Only hashes of the receipt tokens are stored.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohort.i18n import ENGLISH, WELSH, normalise
from cohort.models import Area, Cohort, Institution

MB = 1024 * 1024
# An upload not finished this long after the student consented is abandoned: nothing of it is kept.
UPLOAD_LIFETIME = timedelta(hours=24)
# A step of the pipeline usually takes seconds; past this, the student's page says it is taking longer.
SLOW_AFTER = timedelta(minutes=5)


def new_link_token() -> str:
    return secrets.token_urlsafe(24)


class FeedbackCall(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="feedback_calls")
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    questions = models.TextField(_("questions"), help_text=_("The questions students are asked, one per line."))
    # The Welsh of each question, line by line in the same order as `questions` (a clip records the
    # English question, so lists and filters stay one question whatever the student read).
    questions_cy = models.TextField(
        _("questions in Welsh"),
        blank=True,
        help_text=_("The same questions in Welsh, one per line, in the same order."),
    )
    # The language the student pages of the call's links open in, for a visitor who has not chosen one.
    language = models.CharField(
        _("first language of the link"), max_length=8, choices=settings.LANGUAGES, default="en-gb"
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="feedback_calls")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    allow_audio = models.BooleanField(default=True)
    allow_video = models.BooleanField(default=True)
    max_seconds = models.PositiveIntegerField(default=5 * 60)
    max_bytes = models.PositiveBigIntegerField(default=500 * MB)
    retention_days = models.PositiveIntegerField(
        default=90, help_text=_("Clips are deleted this many days after the call's summary is published.")
    )
    keep_originals = models.BooleanField(
        default=False, help_text=_("Keep the uploaded original beside the web rendition (normally deleted).")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the call's summary is published (see services.schedule_retention): clips go
    # `retention_days` later.
    summary_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_it_opens"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def question_list(self) -> list[str]:
        return [q.strip() for q in self.questions.splitlines() if q.strip()]

    @property
    def question_list_cy(self) -> list[str]:
        return [q.strip() for q in self.questions_cy.splitlines() if q.strip()]

    def question_in(self, question: str, language: str) -> tuple[str, str]:
        """(the question as a reader of `language` sees it, the language it is in): its Welsh line for
        a Welsh reader when the call has one, else the English."""
        if normalise(language) == WELSH:
            english, welsh = self.question_list, self.question_list_cy
            if question in english and english.index(question) < len(welsh):
                return welsh[english.index(question)], WELSH
        return question, ENGLISH

    def questions_in(self, language: str) -> list[tuple[str, str, str]]:
        """Each question as (English key, the text shown, its language) for a reader of `language`."""
        return [(q, *self.question_in(q, language)) for q in self.question_list]

    def is_open(self, at: object = None) -> bool:
        now = at or timezone.now()
        return self.opens_at <= now < self.closes_at  # type: ignore[operator]

    @property
    def kinds_label(self) -> str:
        if self.allow_audio and self.allow_video:
            return str(_("audio or video"))
        return str(_("audio")) if self.allow_audio else str(_("video"))

    @property
    def max_minutes(self) -> float:
        return round(self.max_seconds / 60, 1)

    @property
    def max_megabytes(self) -> int:
        return self.max_bytes // MB

    @property
    def delete_clips_after(self) -> datetime | None:
        """When this call's clips are deleted, once its summary is published."""
        if self.summary_published_at is None:
            return None
        return self.summary_published_at + timedelta(days=self.retention_days)


class CallLink(models.Model):
    """One institution's link to a call: a long random token, printable as a QR code."""

    call = models.ForeignKey(FeedbackCall, on_delete=models.CASCADE, related_name="links")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="call_links")
    token = models.CharField(max_length=64, unique=True, default=new_link_token)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "institution"], name="one_link_per_institution")]

    def __str__(self) -> str:
        return f"{self.call} — {self.institution.short_name}"


class ClipQuerySet(models.QuerySet["Clip"]):
    def released_to_institution(self, institution_id: int) -> ClipQuerySet:
        """An institution's clips whose consent shares them with its staff and which a facilitator has
        released: the clips `media_feedback.access.may_see` lets its staff see (in redacted form)."""
        return self.filter(
            institution_id=institution_id, consent__share_with_institutions=True, released_at__isnull=False
        )


class Clip(models.Model):
    class Kind(models.TextChoices):
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("Uploading")
        RECEIVED = "received", _("Received")
        CHECKING = "checking", _("Checking")
        TRANSCODING = "transcoding", _("Preparing for playback")
        TRANSCRIBING = "transcribing", _("Transcribing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be used")

    class Language(models.TextChoices):
        """The language the student speaks in the clip (a Whisper language code)."""

        ENGLISH = "en", _("English")
        WELSH = "cy", _("Welsh")

    # Every URL names a clip by this random id, never by its primary key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(FeedbackCall, on_delete=models.CASCADE, related_name="clips")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="clips")
    link = models.ForeignKey(CallLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="clips")
    question = models.CharField(_("question"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVING)
    language = models.CharField(_("language spoken"), max_length=8, choices=Language.choices, default=Language.ENGLISH)
    # A clip the model could not transcribe (Welsh with the English-only model): a facilitator types
    # its transcript (services.type_transcript), which then serves review like a machine one.
    transcript_needed = models.BooleanField(_("transcript needed"), default=False)

    class NoSpeech(models.TextChoices):
        """Why a ready clip has no words: what the student and the facilitators are told."""

        SILENT = "silent", _("No sound could be heard in the recording")
        NO_WORDS = "no_words", _("No words could be made out in the recording")

    no_speech = models.CharField(_("no speech"), max_length=10, choices=NoSpeech.choices, blank=True)
    failure_reason = models.TextField(blank=True)
    receipt_token_hash = models.CharField(max_length=64, unique=True)
    # How many times the student had the receipt link e-mailed (at most RECEIPT_EMAILS_PER_CLIP).
    receipt_emails_sent = models.PositiveSmallIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    # Storage names (private storage; served only through permission-checked views or signed URLs).
    original_name = models.CharField(max_length=300, blank=True)
    rendition_name = models.CharField(max_length=300, blank=True)
    redacted_rendition_name = models.CharField(max_length=300, blank=True)
    # A video with every face blurred (media_feedback.blur), made where `faces_blurred` says so; the
    # redacted rendition, the only one anyone but facilitators plays, is then made from it.
    blurred_rendition_name = models.CharField(max_length=300, blank=True)
    # How many frames of the blurred rendition had a face found and blurred (None: not blurred yet). Zero
    # means the detector found no face at all: the pages say so rather than promise blurred faces.
    faces_found_in_frames = models.PositiveIntegerField(null=True, blank=True)
    # The face finder looks at a frame every 0.2 s: how many it looked at, and in how many it found a face
    # (None: blurred before these were counted). Some but not all means a face may have been missed.
    face_checks = models.PositiveIntegerField(null=True, blank=True)
    face_checks_found = models.PositiveIntegerField(null=True, blank=True)
    blur_requested = models.BooleanField(
        default=False, help_text=_("A facilitator asked for the faces to be blurred for everyone else.")
    )
    poster_name = models.CharField(max_length=300, blank=True)
    captions_name = models.CharField(max_length=300, blank=True)
    waveform = models.JSONField(default=list, blank=True)
    transcribed = models.BooleanField(default=False)
    voice_disguise = models.BooleanField(
        default=False, help_text=_("The student asked for their voice to be disguised.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    # Set when a facilitator releases the reviewed clip to its institution's staff (who then see its
    # redacted forms only, where the consent shares it): see media_feedback.access.may_see.
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The resumable upload (tus): the secret upload URL is stored only as a hash.
    upload_key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    upload_length = models.PositiveBigIntegerField(null=True, blank=True)
    upload_offset = models.PositiveBigIntegerField(default=0)
    upload_expires_at = models.DateTimeField(null=True, blank=True)
    upload_type = models.CharField(max_length=100, blank=True, help_text=_("The MIME type the browser reported."))
    s3_upload_id = models.CharField(max_length=200, blank=True)
    s3_parts = models.JSONField(default=list, blank=True)
    # Processing: retried on errors; a clip whose step has not moved for a while is re-enqueued.
    attempts = models.PositiveSmallIntegerField(default=0)
    status_changed_at = models.DateTimeField(default=timezone.now)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["call", "institution", "status"])]

    def __str__(self) -> str:
        return f"Clip {str(self.public_id)[:8]} ({self.institution.short_name})"

    @property
    def storage_prefix(self) -> str:
        return f"clips/{self.public_id}/"

    @property
    def taking_long(self) -> bool:
        """Still being prepared, and its current step has not moved for a while (a long queue, or a
        worker restarted mid-way: the periodic clean-up takes such a clip up again)."""
        busy = (self.Status.RECEIVED, self.Status.CHECKING, self.Status.TRANSCODING, self.Status.TRANSCRIBING)
        return self.status in busy and timezone.now() - self.status_changed_at > SLOW_AFTER

    @property
    def no_face_found(self) -> bool:
        """The blurred rendition exists but the detector found no face in any frame: either the video
        shows none, or it shows one the detector missed. A facilitator watches it before releasing it."""
        return bool(self.blurred_rendition_name) and self.faces_found_in_frames == 0

    @property
    def faces_partly_found(self) -> bool:
        """A face was found at some of the moments the face finder looked at, not all: the video may
        show no face there, or one the finder missed, which stays unblurred outside the held boxes. A
        facilitator watches it before releasing it."""
        checks, found = self.face_checks or 0, self.face_checks_found or 0
        return bool(self.blurred_rendition_name) and 0 < found < checks

    @property
    def faces_blurred(self) -> bool:
        """Everyone but facilitators sees this clip's faces blurred: a video whose student agreed to
        be quoted anonymously, or whose facilitator asked for it."""
        if self.kind != self.Kind.VIDEO:
            return False
        consent = getattr(self, "consent", None)
        return self.blur_requested or (consent is not None and consent.may_quote)


class RefusedUpload(models.Model):
    """A file the checks refused: only the reason, so the student's receipt link can explain it.

    Nothing of the file or the consent is kept; rows expire as the personal-data map declares
    (config/personal_data.py, applied by config/retention.py).
    """

    receipt_token_hash = models.CharField(max_length=64, unique=True)
    call = models.ForeignKey(FeedbackCall, on_delete=models.CASCADE, related_name="refused_uploads")
    # The institution's link the student came through, so the receipt page can offer it to try again.
    link = models.ForeignKey(CallLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


class Consent(models.Model):
    """What the student agreed to, and the exact words they saw."""

    class AgeBand(models.TextChoices):
        AGE_16_17 = "16-17", _("16 or 17")
        AGE_18_PLUS = "18+", _("18 or over")

    clip = models.OneToOneField(Clip, on_delete=models.CASCADE, related_name="consent")
    share_with_institutions = models.BooleanField(
        default=False, help_text=_("Staff of the student's own institution may see it (otherwise facilitators only).")
    )
    may_quote = models.BooleanField(default=False, help_text=_("May be quoted anonymously in a summary document."))
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices)
    # Which language's consent text the student agreed to, and that text's version (each language's
    # text has its own: services.CONSENT_VERSIONS).
    language = models.CharField(
        _("language of the consent text"), max_length=8, choices=settings.LANGUAGES, default="en-gb"
    )
    text_version = models.CharField(max_length=20)
    text = models.TextField(help_text=_("The consent text exactly as shown."))
    given_at = models.DateTimeField(default=timezone.now)


class Transcript(models.Model):
    """The words of a clip with their timings: [{"word": "Hello", "start": 0.0, "end": 0.4}, …]."""

    clip = models.OneToOneField(Clip, on_delete=models.CASCADE, related_name="transcript")
    words = models.JSONField(default=list)
    text = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="en")
    model_name = models.CharField(max_length=100, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Withdrawal(models.Model):
    """Only that a withdrawal happened: no content of the clip is kept. The clip's random public id
    stays so that a link to it (an old notification) can say the clip was withdrawn."""

    call = models.ForeignKey(FeedbackCall, on_delete=models.CASCADE, related_name="withdrawals")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE)
    clip_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(default=timezone.now)


# Django registers the sub-domain's models through this module.
from media_feedback.review.models import (  # noqa: E402
    ClipReview as ClipReview,
    ClipTag as ClipTag,
    Quote as Quote,
    Redaction as Redaction,
    SummaryDocument as SummaryDocument,
    SummaryVersion as SummaryVersion,
    VersionQuote as VersionQuote,
)
