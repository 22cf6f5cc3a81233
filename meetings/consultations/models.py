"""Consultation availability and bookings.

Imported at the bottom of meetings/models.py so Django sees these models as the meetings app's.

A host (an assessor, or a facilitator) keeps one ConsultationSettings per cohort: weekly windows in
their own time zone, blocked periods, the length, buffers, notice and horizon of a consultation, and
the video link. A Consultation is one booked slot. Its blocked range (the slot widened by the
buffers) is what may never overlap another active consultation of the same host: PostgreSQL refuses
it with an exclusion constraint (migration 0002), SQLite bookings are serialised (see services.py).
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.translation import gettext, gettext_lazy as _

from cohort.models import Area, Cohort, Institution, validate_time_zone

# The days' keys (English, never shown: form field names) and their names in the reader's language
# (Django's own translations).
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAY_LABELS = [WEEKDAY_NAMES[i] for i in range(7)]


class VideoMode(models.TextChoices):
    FIXED = "fixed", _("The same room for every consultation")
    PER_BOOKING = "per_booking", _("A new room for each booking")


class ConsultationSettings(models.Model):
    """How one host offers consultations in one cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="consultation_settings")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_settings")
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=60)
    buffer_before_minutes = models.PositiveSmallIntegerField(_("buffer before (minutes)"), default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(_("buffer after (minutes)"), default=0)
    min_notice_hours = models.PositiveSmallIntegerField(_("minimum notice (hours)"), default=48)
    horizon_weeks = models.PositiveSmallIntegerField(_("bookable up to (weeks ahead)"), default=8)
    video_mode = models.CharField(max_length=20, choices=VideoMode.choices, default=VideoMode.FIXED)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation settings")
        verbose_name_plural = _("consultation settings")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "host"], name="one_consultation_settings_per_host"),
            models.CheckConstraint(condition=models.Q(duration_minutes__gte=15), name="consultation_at_least_15_min"),
        ]

    def __str__(self) -> str:
        return gettext("Consultations with %(host)s in %(cohort)s") % {"host": self.host, "cohort": self.cohort}

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)

    @property
    def notice(self) -> timedelta:
        return timedelta(hours=self.min_notice_hours)

    @property
    def horizon(self) -> timedelta:
        return timedelta(weeks=self.horizon_weeks)

    def video_url_for(self, uid: uuid.UUID) -> str:
        if not self.video_url:
            return ""
        if self.video_mode == VideoMode.PER_BOOKING:
            return f"{self.video_url.rstrip('/')}/qm-{uid.hex[:12]}"
        return self.video_url


class AvailabilityWindow(models.Model):
    """A weekly window in the host's local time (ConsultationSettings.time_zone)."""

    settings = models.ForeignKey(ConsultationSettings, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=list(enumerate(WEEKDAY_LABELS)))  # 0 = Monday
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="window_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{WEEKDAY_LABELS[self.weekday]} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class BlockedPeriod(models.Model):
    """Whole days (in the host's time zone) on which no consultation can be booked."""

    settings = models.ForeignKey(ConsultationSettings, on_delete=models.CASCADE, related_name="blocked")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="blocked_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        if self.starts_on == self.ends_on:
            return f"{self.starts_on:%Y-%m-%d}"
        return f"{self.starts_on:%Y-%m-%d} to {self.ends_on:%Y-%m-%d}"


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def active(self) -> ConsultationQuerySet:
        return self.filter(status=Consultation.Status.CONFIRMED)

    def upcoming(self) -> ConsultationQuerySet:
        return self.active().filter(ends_at__gt=timezone.now()).order_by("starts_at")

    def counting_toward_quota(self) -> ConsultationQuerySet:
        return self.filter(counts_toward_quota=True)

    def for_institution(self, cohort_id: int, institution_id: int) -> ConsultationQuerySet:
        return self.filter(cohort_id=cohort_id, institution_id=institution_id)

    def with_people(self) -> ConsultationQuerySet:
        """With the cohort, host, institution and booker that every page, e-mail and event names."""
        return self.select_related("cohort", "host", "institution", "booked_by")


class Consultation(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="consultations")
    # Empty once the host's data is erased: the consultation stays, as the institution's allowance counts it.
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="consultations_hosted"
    )
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="consultations")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="consultations_booked"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The slot widened by the host's buffers: the range no other active consultation may touch.
    blocked_from = models.DateTimeField()
    blocked_until = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    topic = models.CharField(max_length=200)
    areas = models.ManyToManyField(Area, blank=True, related_name="consultations")
    video_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    # False once a cancellation gave the consultation back to the institution's quota.
    counts_toward_quota = models.BooleanField(default=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    notes_recorded_at = models.DateTimeField(null=True, blank=True)
    # Who saved the notes last (the host or a facilitator): shown to the other when both edit them.
    notes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Calendar identity: the UID never changes; SEQUENCE goes up with every change sent out.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["host", "blocked_from"]),
            models.Index(fields=["cohort", "institution", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="consultation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(blocked_from__lte=models.F("starts_at"), blocked_until__gte=models.F("ends_at")),
                name="consultation_blocked_range_covers_slot",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Consultation: %(topic)s") % {"topic": self.topic}

    def get_absolute_url(self) -> str:
        return reverse("meetings:consultation_detail", kwargs={"cohort": self.cohort.slug, "consultation_id": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.tzinfo)
