"""Group meeting series and meetings, consultation availability and bookings, calendar feeds."""

from __future__ import annotations

import dataclasses
import secrets
import uuid
import zoneinfo
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy as _

from cohort.i18n import localised
from cohort.integers import bounded_int
from cohort.models import ActionItem, Area, Cohort, Criterion, Institution, User, validate_time_zone
from meetings.calendar import CalendarEvent


class MeetingSeries(models.Model):
    """Whole-group meetings every few weeks, walking through the framework area by area."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="meeting_series")
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    time_of_day = models.TimeField()
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    cadence_weeks = models.PositiveSmallIntegerField(default=3)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The series is one recurring event in calendars: one UID for life, SEQUENCE raised by every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:series", kwargs={"cohort": self.cohort.slug, "series_id": self.pk})

    @property
    def calendar_uid(self) -> str:
        return f"series-{self.uid}@qm-cohort"

    def slot(self, position: int) -> datetime:
        """Where the series' rule puts meeting `position` (1 for the first): its local wall-clock start."""
        day = self.starts_on + timedelta(weeks=self.cadence_weeks * (position - 1))
        return datetime.combine(day, self.time_of_day, tzinfo=zoneinfo.ZoneInfo(self.time_zone))

    def organizer(self) -> User | None:
        """Who the calendars name as organizer: the facilitator who set the series up while they still
        facilitate the cohort, otherwise its first facilitator."""
        facilitators = User.objects.facilitators_of(self.cohort_id).filter(is_active=True)
        if self.created_by_id and facilitators.filter(pk=self.created_by_id).exists():
            return self.created_by
        return facilitators.order_by("pk").first()

    def calendar_events(self, *, attendees: list[tuple[str, str]] | None = None) -> list[CalendarEvent]:
        """The series as one recurring event (weekly every `cadence_weeks`, up to its last meeting still
        on) with an EXDATE for each cancelled meeting, followed by an override for each meeting that no
        longer keeps its slot (moved, another length or another video link)."""
        meetings = [(m.position, m) for m in self.meetings.order_by("position") if m.position]
        active = [(p, m) for p, m in meetings if not m.is_cancelled]
        tz = zoneinfo.ZoneInfo(self.time_zone)
        length = timedelta(minutes=self.duration_minutes)
        last = max((p for p, _ in active or meetings), default=1)
        organizer = self.organizer()
        lines = [gettext("Meetings of this series (%(zone)s):") % {"zone": self.time_zone}]
        for position, m in meetings:
            if position <= last:
                when = date_format(m.starts_at.astimezone(tz), "l j F Y, H:i")
                line = f"{position}. {when}: {m.title}"
                lines.append(gettext("%(meeting)s (cancelled)") % {"meeting": line} if m.is_cancelled else line)
        master = CalendarEvent(
            uid=self.calendar_uid,
            sequence=self.sequence,
            summary=self.title,
            starts_at=self.slot(1),
            ends_at=self.slot(1) + length,
            time_zone=self.time_zone,
            description="\n".join(lines),
            video_url=self.video_url,
            url=settings.SITE_URL + self.get_absolute_url(),
            cancelled=not active,
            organizer_email=organizer.email if organizer else _site_address(),
            organizer_name=str(organizer) if organizer else self.cohort.name,
            attendees=attendees or [],
            rrule={"freq": "WEEKLY", "interval": self.cadence_weeks, "count": last},
            exdates=[self.slot(p) for p, m in meetings if m.is_cancelled and p <= last],
        )
        overrides = [
            dataclasses.replace(
                master,
                summary=m.title,
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                description=m.agenda_summary(),
                video_url=m.video_url,
                cancelled=False,
                rrule=None,
                exdates=[],
                recurrence_id=self.slot(p),
            )
            for p, m in active
            if m.starts_at != self.slot(p) or m.ends_at != self.slot(p) + length or m.video_url != self.video_url
        ]
        return [master, *overrides]


def _site_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def active(self) -> MeetingQuerySet:
        return self.exclude(status=Meeting.Status.CANCELLED)

    def upcoming(self) -> MeetingQuerySet:
        return self.filter(ends_at__gt=timezone.now())

    def past(self) -> MeetingQuerySet:
        return self.filter(ends_at__lte=timezone.now())

    def overlapping(self, cohort_id: int, starts_at: object, ends_at: object) -> MeetingQuerySet:
        """Active meetings of the cohort that share any instant with [starts_at, ends_at)."""
        return self.active().filter(cohort_id=cohort_id, starts_at__lt=ends_at, ends_at__gt=starts_at)


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, null=True, blank=True, related_name="meetings")
    title = models.CharField(max_length=200)
    area = models.ForeignKey(Area, on_delete=models.SET_NULL, null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    video_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    # 1-based place in its series' schedule (null for a meeting outside any series).
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes = models.TextField(blank=True, help_text=_("Markdown."))
    # Who saved the minutes last and when: shown to a facilitator whose save came from an older page.
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minutes_at = models.DateTimeField(null=True, blank=True)
    summary_published_at = models.DateTimeField(null=True, blank=True)
    # Calendar identity: the UID never changes; SEQUENCE goes up with every change sent out.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["cohort", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", kwargs={"cohort": self.cohort.slug, "meeting_id": self.pk})

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def is_published(self) -> bool:
        return self.summary_published_at is not None

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))

    def edited_values(self) -> dict[str, str]:
        """What the meeting's edit form edits, as its fields hold it (cohort.editing versions it)."""
        local = self.local_starts_at
        return {
            "title": self.title,
            "area": str(self.area_id or ""),
            "day": local.date().isoformat(),
            "time_of_day": local.strftime("%H:%M"),
            "duration_minutes": str(self.duration_minutes),
            "video_url": self.video_url,
        }

    def agenda_summary(self) -> str:
        """The agenda as calendars show it, in the active language (render inside in_language_of)."""
        lines = []
        if self.area_id and self.area is not None:
            area = f"{self.area.position}. {localised(self.area, 'title')[0]}"
            lines.append(gettext("Focus: %(area)s") % {"area": area})
        items = list(self.agenda_items.all())
        if items:
            lines.append(gettext("Agenda:"))
            lines += [
                gettext("%(number)s. %(item)s (%(minutes)s min)")
                % {"number": n, "item": item.title, "minutes": item.minutes_allotted}
                for n, item in enumerate(items, start=1)
            ]
        return "\n".join(lines)

    def calendar_event(self, *, attendees: list[tuple[str, str]] | None = None) -> CalendarEvent:
        """The meeting as an event, for its invitations, its download and the calendar feed."""
        organizer = self.organizer()
        return CalendarEvent(
            uid=f"meeting-{self.uid}@qm-cohort",
            sequence=self.sequence,
            summary=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            time_zone=self.time_zone,
            description=self.agenda_summary(),
            video_url=self.video_url,
            url=settings.SITE_URL + self.get_absolute_url(),
            cancelled=self.is_cancelled,
            organizer_email=organizer.email if organizer else _site_address(),
            organizer_name=str(organizer) if organizer else self.cohort.name,
            attendees=attendees or [],
        )

    def organizer(self) -> User | None:
        """The facilitator the calendars name as organizer (the series' for a meeting of a series)."""
        if self.series is not None:
            return self.series.organizer()
        return User.objects.facilitators_of(self.cohort_id).filter(is_active=True).order_by("pk").first()

    def invitees(self) -> models.QuerySet[User]:
        """Every active member of the meeting's cohort: who gets its invitations and its summary."""
        return User.objects.filter(memberships__cohort_id=self.cohort_id, is_active=True)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    criterion = models.ForeignKey(Criterion, on_delete=models.SET_NULL, null=True, blank=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, help_text=_("The institution presenting.")
    )
    minutes_allotted = models.PositiveSmallIntegerField(default=10)
    done = models.BooleanField(default=False)
    # Set when an unfinished item is carried forward: the copy on the next meeting.
    carried_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return not self.done and self.carried_to_id is None


class Outcome(models.Model):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information")
        DECISION = "decision", _("Decision")
        ACTION = "action", _("Action")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    # For actions: who (an institution, or null for the whole cohort), the owner and the due date.
    institution = models.ForeignKey(Institution, on_delete=models.SET_NULL, null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    owner_name = models.CharField(max_length=120, blank=True)
    due_on = models.DateField(null=True, blank=True)
    action_item = models.ForeignKey(ActionItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_name


class Attendance(models.Model):
    """A person's answer to a meeting's invitation, and whether the facilitator recorded them there."""

    class Response(models.TextChoices):
        NONE = "", _("No answer")
        GOING = "going", _("Going")
        NOT_GOING = "not_going", _("Not going")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendances")
    response = models.CharField(max_length=20, choices=Response.choices, blank=True, default="")
    attended = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_attendance_per_person")]


class CalendarFeed(models.Model):
    """A user's private calendar feed.

    Only a random key is stored; the URL's token is an HMAC of it under SECRET_KEY, so a copy of
    the database alone does not give anyone's feed. Regenerating replaces the key and kills old URLs.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    SALT = "meetings.CalendarFeed"

    def __str__(self) -> str:
        return gettext("Calendar feed of %(person)s") % {"person": self.user}

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    def token(self) -> str:
        digest = salted_hmac(self.SALT, f"{self.user_id}:{self.key}", algorithm="sha256").hexdigest()
        return f"{self.user_id}-{digest[:40]}"

    def matches(self, token: str) -> bool:
        return constant_time_compare(self.token(), token)

    @classmethod
    def for_token(cls, token: str) -> CalendarFeed | None:
        user_id = bounded_int(token.partition("-")[0], minimum=1)
        if user_id is None:
            return None
        feed = cls.objects.select_related("user").filter(user_id=user_id, user__is_active=True).first()
        return feed if feed is not None and feed.matches(token) else None


# Django registers the sub-domain's models through this module.
from meetings.consultations.models import (  # noqa: E402
    WEEKDAYS as WEEKDAYS,
    AvailabilityWindow as AvailabilityWindow,
    BlockedPeriod as BlockedPeriod,
    Consultation as Consultation,
    ConsultationSettings as ConsultationSettings,
    VideoMode as VideoMode,
)
