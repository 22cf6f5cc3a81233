"""Review and publishing: redactions, tags, quotes, summary documents and their published versions.

Imported at the bottom of media_feedback/models.py so Django sees these models as the app's.

Redactions, tags and quotes name transcript words by index (`first_word`..`last_word`, inclusive);
editing the transcript remaps them (see media_feedback/review.py). A published SummaryVersion is
immutable: it holds the rendered, redacted content as it was published.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from cohort.i18n import ENGLISH, WELSH, active
from cohort.models import Area

# The value of an HTML lang attribute for each of the product's languages.
HTML_LANG = {ENGLISH: "en-GB", WELSH: "cy"}


class ClipReview(models.Model):
    """A facilitator has looked at the clip (only reviewed clips feed a summary draft)."""

    clip = models.OneToOneField("media_feedback.Clip", on_delete=models.CASCADE, related_name="review")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rendition_error = models.CharField(max_length=300, blank=True)
    # When a task to make the redacted rendition (blurring the faces first where needed) was queued;
    # cleared when it ends. The review page says the redacted version "is being prepared" only then.
    rendition_queued_at = models.DateTimeField(null=True, blank=True)


class WordSpan(models.Model):
    first_word = models.PositiveIntegerField()
    last_word = models.PositiveIntegerField()

    class Meta:
        abstract = True

    @property
    def word_numbers(self) -> str:
        """The span as a person counts it (from 1)."""
        if self.first_word == self.last_word:
            return gettext("word %(number)s") % {"number": self.first_word + 1}
        return gettext("words %(first)s–%(last)s") % {"first": self.first_word + 1, "last": self.last_word + 1}


class Redaction(WordSpan):
    clip = models.ForeignKey("media_feedback.Clip", on_delete=models.CASCADE, related_name="redactions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_word", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_word__gte=models.F("first_word")), name="redaction_span_in_order"
            )
        ]


class ClipTag(models.Model):
    """A framework area given to a whole clip (no words) or to a segment of it."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    clip = models.ForeignKey("media_feedback.Clip", on_delete=models.CASCADE, related_name="tags")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    first_word = models.PositiveIntegerField(null=True, blank=True)
    last_word = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    suggested = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True, help_text=_("The words that led to the suggestion."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area__position", "first_word", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clip", "area"], condition=models.Q(first_word__isnull=True), name="one_clip_tag_per_area"
            )
        ]

    @property
    def is_segment(self) -> bool:
        return self.first_word is not None


class Quote(WordSpan):
    clip = models.ForeignKey("media_feedback.Clip", on_delete=models.CASCADE, related_name="quotes")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    start_seconds = models.FloatField()
    end_seconds = models.FloatField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_word__gte=models.F("first_word")), name="quote_span_in_order"
            )
        ]

    @property
    def token(self) -> str:
        """How a summary's Markdown names this quote."""
        return "{{quote %d}}" % self.pk  # noqa: UP031 - braces would need escaping in an f-string


class SummaryDocument(models.Model):
    """A summary of a call's clips. `body` is the working draft (Markdown with quote tokens); `title_cy`
    and `body_cy` its Welsh version, blank until written, published with the English one."""

    call = models.ForeignKey("media_feedback.FeedbackCall", on_delete=models.CASCADE, related_name="summaries")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    title_cy = models.CharField(_("Welsh title"), max_length=200, blank=True)
    body_cy = models.TextField(_("Welsh text"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when a student withdraws a clip that a published version quotes; cleared by the next version.
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.TextField(blank=True)
    # Quote numbers whose clips were withdrawn: a version that still names one cannot be published.
    withdrawn_quote_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def flag_message(self) -> str:
        """Why the document needs a new version, in the reader's language: composed from the versions
        the withdrawal took down (their `taken_down_at` is the flag's time); the stored English
        `flag_reason` when they cannot be found."""
        if self.flagged_at is None:
            return ""
        numbers = sorted(self.versions.filter(taken_down_at=self.flagged_at).values_list("number", flat=True))
        latest = self.versions.order_by("-number").first()
        if not numbers or latest is None:
            return self.flag_reason
        return ngettext(
            "A student withdrew a clip quoted in version %(numbers)s. Version %(number)s was published without "
            "the quote, and without its words wherever they were copied (in the draft too); remove the quote "
            "from the draft.",
            "A student withdrew a clip quoted in versions %(numbers)s. Version %(number)s was published without "
            "the quote, and without its words wherever they were copied (in the draft too); remove the quote "
            "from the draft.",
            len(numbers),
        ) % {"numbers": ", ".join(str(n) for n in numbers), "number": latest.number}


class SummaryVersion(models.Model):
    """A published, frozen version: what members read, as it was published."""

    document = models.ForeignKey(SummaryDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    source = models.TextField(help_text=_("The draft as published, with quote tokens."))
    content = models.TextField(help_text=_("The Markdown with every quote written out, redacted."))
    html = models.TextField(help_text=_("The sanitised HTML of the content."))
    # The Welsh version published with it (all blank when there is none); quotes stay in the words and
    # the language the student spoke.
    title_cy = models.CharField(max_length=200, blank=True)
    source_cy = models.TextField(blank=True)
    content_cy = models.TextField(blank=True)
    html_cy = models.TextField(blank=True)
    clip_count = models.PositiveIntegerField(default=0)
    institution_count = models.PositiveIntegerField(default=0)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    # Why this version was published when a facilitator did not write it (never the words removed).
    note = models.CharField(max_length=300, blank=True)
    # Set when a student withdrew a clip this version quoted: its content, HTML and PDF are gone and
    # members are sent to the version that replaced it.
    taken_down_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="one_version_number_per_document")]

    def __str__(self) -> str:
        return gettext("%(title)s (version %(number)s)") % {"title": self.title, "number": self.number}

    def save(self, *args: object, **kwargs: object) -> None:
        # Taking a version down (services.take_down_versions) is the one change, made by an update.
        if not self._state.adding:
            raise ValidationError(
                gettext("A published version cannot be changed: edit the draft and publish a new version.")
            )
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def has_welsh(self) -> bool:
        return bool(self.html_cy.strip())

    def language_for(self, reader: str | None = None) -> str:
        """The language this version is read in by a reader of `reader` (default: the active one):
        Welsh when they read Welsh and it has a Welsh version, English otherwise."""
        wanted = reader or active()
        return WELSH if wanted == WELSH and self.has_welsh else ENGLISH

    def title_in(self, language: str) -> str:
        return self.title_cy if language == WELSH and self.title_cy.strip() else self.title

    @property
    def shown_note(self) -> str:
        """The note in the reader's language (it is one of the platform's fixed lines)."""
        return gettext(self.note) if self.note else ""

    def html_in(self, language: str) -> str:
        return self.html_cy if language == WELSH and self.has_welsh else self.html


class VersionQuote(models.Model):
    """Which quotes a published version carries, kept after the quote's clip is gone."""

    version = models.ForeignKey(SummaryVersion, on_delete=models.CASCADE, related_name="quoted")
    quote = models.ForeignKey(Quote, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    quote_number = models.PositiveIntegerField()
    clip_public_id = models.UUIDField(db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
