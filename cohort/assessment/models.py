"""The self-assessment: one cycle per submission of an institution, a response per criterion,
evidence, comments between the working group and the assessor, the award that follows, and the data
and definitions register."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy as _

from cohort.models import ActionItem, Cohort, Criterion, Institution

# Self-assessment: one cycle per submission of an institution, a response per criterion, evidence,
# comments between the working group and the assessor, and the award that follows.


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


AWARD_YEARS = 3
MIDPOINT_MONTHS = 18


class SelfAssessmentQuerySet(models.QuerySet["SelfAssessment"]):
    def current(self, cohort: Cohort | int, institution: Institution | int) -> SelfAssessment | None:
        """The institution's latest cycle in the cohort, or None before its first."""
        return self.filter(cohort=cohort, institution=institution).order_by("-cycle").first()


class SelfAssessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("More evidence needed")
        REVIEWED = "reviewed", _("Reviewed")
        RECOMMENDED = "recommended", _("Award recommended")
        AWARDED = "awarded", _("Awarded")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="self_assessments")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="self_assessments")
    cycle = models.PositiveSmallIntegerField(default=1)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submissions = models.PositiveSmallIntegerField(default=0, help_text=_("How many times it was submitted."))
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    recommended_at = models.DateTimeField(null=True, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recommendation = models.TextField(blank=True)
    awarded_on = models.DateField(null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    midpoint_review_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    midpoint_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SelfAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["institution__name", "-cycle"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "institution", "cycle"], name="one_self_assessment_per_cycle")
        ]

    def __str__(self) -> str:
        return f"Self-assessment {self.cycle} of {self.institution}"

    @property
    def is_editable(self) -> bool:
        """The working group may change narratives and evidence."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def check_award_date(self, awarded_on: date) -> None:
        """The domain rule for an award date: on or after the day the self-assessment was last
        submitted, and not after today."""
        today = timezone.localdate()
        submitted = timezone.localdate(self.submitted_at) if self.submitted_at else None
        if awarded_on > today:
            raise ValidationError({"awarded_on": gettext("The award date cannot be in the future.")})
        if submitted is not None and awarded_on < submitted:
            raise ValidationError(
                {
                    "awarded_on": gettext(
                        "The award date cannot be before the self-assessment was submitted (%(date)s): "
                        "choose a date from then to today."
                    )
                    % {"date": date_format(submitted, "j F Y")}
                }
            )

    def set_award_dates(self, awarded_on: date) -> None:
        self.awarded_on = awarded_on
        self.midpoint_review_on = add_months(awarded_on, MIDPOINT_MONTHS)
        self.expires_on = add_years(awarded_on, AWARD_YEARS)


class CriterionResponse(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        MORE_EVIDENCE = "more_evidence", _("More evidence needed")
        READY = "ready", _("Ready for review")
        REVIEWED = "reviewed", _("Reviewed")

    class Practice(models.TextChoices):
        NONE = "", _("No flag")
        ENHANCED = "enhanced", _("Enhanced practice")
        EXCEPTIONAL = "exceptional", _("Exceptional practice")

    self_assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    narrative = models.TextField(blank=True)
    practice = models.CharField(max_length=20, choices=Practice.choices, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["criterion__area__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["self_assessment", "criterion"], name="one_response_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code} for {self.self_assessment}"


class NarrativeRevision(models.Model):
    """Each saved change of a criterion's narrative, with who made it: whose sentences are whose, so
    that erasing one writer removes their sentences and keeps the others' (config.privacy)."""

    response = models.ForeignKey(CriterionResponse, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    narrative = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.response.self_assessment_id}/{secrets.token_urlsafe(16)}.{suffix}"


class Evidence(models.Model):
    response = models.ForeignKey(CriterionResponse, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    dated = models.DateField(
        _("date of the evidence"), help_text=_("When the evidence is from, not when it was added.")
    )
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=300)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    link = models.URLField(max_length=500, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-dated", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(link="") & ~models.Q(file="")) | (~models.Q(link="") & models.Q(file="")),
                name="evidence_is_a_file_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class ResponseComment(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        MORE_EVIDENCE = "more_evidence", _("More evidence needed")
        ACCEPTED = "accepted", _("Accepted")

    response = models.ForeignKey(CriterionResponse, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class ActionProgress(models.Model):
    """A progress note on an action-plan item."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="progress_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.TextField()
    status = models.CharField(max_length=20, choices=ActionItem.Status.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


# The data and definitions register: how each institution defines and counts the students the
# Quality Mark is about, and its Access and Participation Plan targets for them.


class DataDefinition(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="data_definitions")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="data_definitions")
    care_experienced = models.TextField(_("how you define care-experienced students"), blank=True)
    estranged = models.TextField(_("how you define estranged students"), blank=True)
    data_sources = models.TextField(_("where your data comes from"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["institution__name"]
        constraints = [models.UniqueConstraint(fields=["cohort", "institution"], name="one_data_definition")]


class AppTarget(models.Model):
    class Group(models.TextChoices):
        CARE_EXPERIENCED = "care_experienced", _("Care-experienced students")
        ESTRANGED = "estranged", _("Estranged students")

    definition = models.ForeignKey(DataDefinition, on_delete=models.CASCADE, related_name="targets")
    group = models.CharField(max_length=20, choices=Group.choices)
    measure = models.CharField(max_length=200)
    baseline = models.CharField(max_length=60)
    target = models.CharField(max_length=60)
    year = models.CharField(max_length=9, help_text=_("The year the target is for, e.g. 2028-29."))

    class Meta:
        ordering = ["group", "year", "id"]
