"""People and scope: users, institutions, the framework, cohorts, memberships, invitations,
notifications, action items and the effective-practice library."""

from __future__ import annotations

import hashlib
import json
import secrets
import zoneinfo
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone we know, such as Europe/London."), params={"value": value}
        )


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class UserQuerySet(models.QuerySet["User"]):
    def facilitators_of(self, cohort: Cohort | int) -> UserQuerySet:
        return self.filter(memberships__cohort=cohort, memberships__role=Role.FACILITATOR)

    def working_group(self, cohort: Cohort | int, institution: Institution | int) -> UserQuerySet:
        return self.filter(memberships__cohort=cohort, memberships__institution=institution)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    # The language of the pages and of everything sent to this person ("" until they choose: the
    # browser's language for pages, English for what is sent). cohort.i18n reads it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    is_staff = models.BooleanField(_("staff"), default=False, help_text=_("Can log in to the admin site."))
    is_active = models.BooleanField(default=True)  # type: ignore[assignment]
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class Nation(models.TextChoices):
    ENGLAND = "england", _("England")
    SCOTLAND = "scotland", _("Scotland")
    WALES = "wales", _("Wales")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")


class Institution(models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        FE_COLLEGE = "fe_college", _("Further-education college")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UNIVERSITY)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The framework is data: versions, areas in order, criteria, and per-nation notes.


class FrameworkVersion(models.Model):
    name = models.CharField(max_length=120, default="NNECL Quality Mark")
    version = models.CharField(max_length=20)
    published_on = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_current", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="unique_framework_version")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Area(models.Model):
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="areas")
    position = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=60)
    title = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    # The Welsh version beside the English one (cohort.i18n.localised); blank until written.
    title_cy = models.CharField(max_length=120, blank=True)
    summary_cy = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "position"], name="unique_area_position"),
            models.UniqueConstraint(fields=["framework", "slug"], name="unique_area_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Criterion(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    statement = models.TextField()
    guidance = models.TextField(blank=True)
    statement_cy = models.TextField(blank=True)
    guidance_cy = models.TextField(blank=True)

    class Meta:
        ordering = ["area__position", "position"]
        constraints = [models.UniqueConstraint(fields=["area", "position"], name="unique_criterion_position")]
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.code} {self.statement[:60]}"

    @property
    def code(self) -> str:
        return f"{self.area.position}.{self.position}"


class NationNote(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="nation_notes")
    nation = models.CharField(max_length=20, choices=Nation.choices)
    note = models.TextField()
    note_cy = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["criterion", "nation"], name="unique_nation_note")]


# Cohorts, the institutions taking part, and who holds which role.


class Cohort(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    funder = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="cohorts")
    institutions = models.ManyToManyField(Institution, through="Participation", related_name="cohorts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard", kwargs={"cohort": self.slug})

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The cohort must end on or after the day it starts.")})

    @property
    def dates_text(self) -> str:
        return _("%(start)s to %(end)s") % {
            "start": formats.date_format(self.starts_on, "j F Y"),
            "end": formats.date_format(self.ends_on, "j F Y"),
        }

    def check_within(self, day: date, *, field: str, what: str) -> None:
        """The domain rule that a cohort's dates bound what happens in it (meetings, consultations,
        feedback calls): `what` on `day` is refused, naming the cohort's dates, when it falls outside."""
        if not self.starts_on <= day <= self.ends_on:
            message = _("%(what)s would be on %(day)s, outside the cohort's dates (%(dates)s).") % {
                "what": what,
                "day": formats.date_format(day, "j F Y"),
                "dates": self.dates_text,
            }
            raise ValidationError({field: message})


class Participation(models.Model):
    """An institution taking part in a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="participations")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="participations")
    consultation_quota = models.PositiveSmallIntegerField(default=3)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assessed"
    )
    joined_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["institution__name"]
        constraints = [models.UniqueConstraint(fields=["cohort", "institution"], name="unique_participation")]

    def __str__(self) -> str:
        return f"{self.institution} in {self.cohort}"


class Role(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    ASSESSOR = "assessor", _("Assessor")
    LEAD = "lead", _("Institution lead")
    MEMBER = "member", _("Institution member")
    OBSERVER = "observer", _("Observer")


INSTITUTION_ROLES = {Role.LEAD, Role.MEMBER}
STAFF_ROLES = {Role.FACILITATOR, Role.ASSESSOR}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(user__is_active=True)

    def facilitators_of(self, cohort: Cohort | int) -> MembershipQuerySet:
        return self.filter(cohort=cohort, role=Role.FACILITATOR)

    def working_group(self, cohort: Cohort | int, institution: Institution | int) -> MembershipQuerySet:
        """The institution's lead and members in the cohort."""
        return self.filter(cohort=cohort, institution=institution)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "role", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "cohort"], name="one_membership_per_cohort"),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=["lead", "member"], institution__isnull=False)
                    | models.Q(role__in=["facilitator", "assessor", "observer"], institution__isnull=True)
                ),
                name="institution_roles_name_an_institution",
            ),
        ]

    def __str__(self) -> str:
        where = f" at {self.institution.short_name}" if self.institution else ""
        return f"{self.user} — {self.get_role_display()}{where}"

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR

    @property
    def is_assessor(self) -> bool:
        return self.role == Role.ASSESSOR

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    def grantable_roles(self) -> list[str]:
        """The roles this member may invite people to."""
        if self.is_facilitator:
            return [r.value for r in Role]
        if self.is_lead:
            return [Role.MEMBER.value]
        return []

    def can_manage_institution(self, institution_id: int) -> bool:
        return self.is_facilitator or (self.is_lead and self.institution_id == institution_id)

    def can_see_institution_private(self, institution_id: int) -> bool:
        """Institution-private work: its own working group, the facilitator, and its assessor."""
        if self.is_facilitator:
            return True
        if self.role in INSTITUTION_ROLES:
            return self.institution_id == institution_id
        if self.is_assessor:
            return Participation.objects.filter(
                cohort_id=self.cohort_id, institution_id=institution_id, assessor_id=self.user_id
            ).exists()
        return False


class FormerMembership(models.Model):
    """A membership that a facilitator or lead removed: what it was, so it can be given back as it was.

    The person's work (posts, evidence, answers) belongs to their account, not to the membership, so
    re-adding them brings it all back into view; this row only remembers the role and institution.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="former_memberships")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="former_memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    member_since = models.DateTimeField()
    removed_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-removed_at"]
        constraints = [models.UniqueConstraint(fields=["user", "cohort"], name="one_former_membership_per_cohort")]

    def __str__(self) -> str:
        return f"{self.user} — formerly {self.get_role_display()}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


INVITATION_LIFETIME = timedelta(days=14)


class Invitation(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    # Only a hash of the token is stored: the link in the e-mail is the only copy of the token.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The language the invitation e-mail is written in (and the new account's language).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en-gb")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.cohort}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


# Notifications: every app sends through cohort.notifications.notify().


class NotificationKind(models.TextChoices):
    INVITATION = "invitation", _("Invitations and role changes")
    MEETING = "meeting", _("Group meetings")
    MEETING_SUMMARY = "meeting_summary", _("Meeting summaries")
    CONSULTATION = "consultation", _("Consultations")
    DISCUSSION = "discussion", _("Replies in threads you follow")
    MENTION = "mention", _("Mentions")
    MODERATION = "moderation", _("Moderation")
    CLIPS = "clips", _("Student clips")
    SUMMARY = "summary", _("Published summary documents")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment and reviews")
    ACTIONS = "actions", _("Action plan")
    AWARD = "award", _("Award and reminders")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("Daily digest e-mail")
    OFF = "off", _("In the site only")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, null=True, blank=True)
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The title as a sentence to write in each reader's language when it is shown or e-mailed
    # (cohort.notifications.Sentence), as JSON: {"msgid": the English with %(name)s placeholders,
    # "params": {name: value}, "translate": [the params that are English text to translate too]}.
    # Text, not a JSON column, so erasure's scrubbing reaches the names in it as it does the title's.
    # Blank when the sender gave plain text: then `title` is shown as it is.
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["delivery", "emailed_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        """The title in the active language (the reader's: render inside cohort.i18n.in_language_of)."""
        return render_sentence(self.message) or self.title


def render_sentence(stored: str) -> str:
    """A sentence stored by cohort.notifications.Sentence, in the active language; "" when there is
    none or it cannot be read (the caller falls back to the English it stored beside it)."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
        params = {
            name: gettext(value) if name in data.get("translate", ()) else value
            for name, value in data.get("params", {}).items()
        }
        return gettext(data["msgid"]) % params
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]


# Action plan items: meetings, consultations and the self-assessment all add to them.


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def open(self) -> ActionItemQuerySet:
        return self.exclude(status__in=[ActionItem.Status.DONE, ActionItem.Status.DROPPED])

    def overdue(self) -> ActionItemQuerySet:
        return self.open().filter(due_on__lt=timezone.localdate())


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Added by hand")
        MEETING = "meeting", _("Group meeting")
        CONSULTATION = "consultation", _("Consultation")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="action_items")
    # Null institution: an action for the whole cohort.
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="action_items"
    )
    area = models.ForeignKey(Area, on_delete=models.SET_NULL, null=True, blank=True)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions_owned"
    )
    owner_name = models.CharField(max_length=120, blank=True, help_text=_("When the owner has no account."))
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    source_label = models.CharField(max_length=200, blank=True)
    source_url = models.CharField(max_length=300, blank=True)
    # The self-assessment cycle whose plan holds the item (the current one when it was added).
    self_assessment = models.ForeignKey(
        "SelfAssessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_name

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_on is not None
            and self.due_on < timezone.localdate()
            and self.status not in (self.Status.DONE, self.Status.DROPPED)
        )


class EffectivePractice(models.Model):
    """An example of effective practice in the cohort's library."""

    class Source(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        EVIDENCE = "evidence", _("Self-assessment evidence")
        MEETING = "meeting", _("Meeting minutes")
        OTHER = "other", _("Other")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="practices")
    institution = models.ForeignKey(Institution, on_delete=models.SET_NULL, null=True, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT)
    title = models.CharField(max_length=200)
    description = models.TextField()
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OTHER)
    source_url = models.CharField(max_length=300, blank=True)
    anonymous = models.BooleanField(default=False, help_text=_("Hide the institution's name."))
    shared_with_sector = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    # Whose words the example is: the member who added it, or the writer of the post it was marked
    # from (created_by is then the facilitator who marked it). Their export holds it; their erasure deletes it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class OutgoingMail(models.Model):
    """An e-mail on its way: written in the transaction that caused it, sent by the task worker
    (`cohort.mail`), retried with a growing pause, and deleted once sent. One that failed for good
    keeps its subject and error for the operator; its contents and addresses are dropped."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        FAILED = "failed", _("Failed for good")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    subject = models.CharField(max_length=300)
    recipient_count = models.PositiveIntegerField(default=0)
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = _("outgoing mail")

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"


class PeriodicJob(models.Model):
    """How a periodic task (`cohort.periodic`) has been doing, for the operator: a job that keeps
    failing is visible here and is reported by e-mail once per run of failures."""

    name = models.CharField(max_length=200, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    failures_in_a_row = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The self-assessment and the audit log live in their own sub-domains; Django registers their models
# through this module.
from cohort.assessment.models import (  # noqa: E402
    AWARD_YEARS as AWARD_YEARS,
    MIDPOINT_MONTHS as MIDPOINT_MONTHS,
    ActionProgress as ActionProgress,
    AppTarget as AppTarget,
    CriterionResponse as CriterionResponse,
    DataDefinition as DataDefinition,
    Evidence as Evidence,
    NarrativeRevision as NarrativeRevision,
    ResponseComment as ResponseComment,
    SelfAssessment as SelfAssessment,
    add_months as add_months,
    add_years as add_years,
    evidence_upload_to as evidence_upload_to,
)
from cohort.audit.models import (  # noqa: E402
    AuditAction as AuditAction,
    AuditEvent as AuditEvent,
)
from cohort.sso.models import (  # noqa: E402
    IdentityProvider as IdentityProvider,
    ServedDomain as ServedDomain,
)
