"""The audit log of sensitive actions, kept apart from application logs (its own table, read by
facilitators). It records who did what to which object, never the content: no message text, no
transcript, no consent answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CLIP_VIEWED = "clip.viewed", "Viewed or played a clip"
    CLIP_DOWNLOADED = "clip.downloaded", "Downloaded a clip file"
    TRANSCRIPT_VIEWED = "transcript.viewed", "Read a transcript"
    CONSENT_GIVEN = "consent.given", "Consent given"
    CONSENT_WITHDRAWN = "consent.withdrawn", "Consent withdrawn"
    REDACTED = "clip.redacted", "Redaction changed"
    RELEASED = "clip.released", "Clip released to its institution's staff"
    UNRELEASED = "clip.unreleased", "Clip release taken back"
    PUBLISHED = "summary.published", "Summary published"
    ROLE_CHANGED = "role.changed", "Role changed"
    MEMBER_REMOVED = "member.removed", "Member removed"
    MEMBER_READDED = "member.readded", "Removed member added back"
    AWARD_RECORDED = "award.recorded", "Award recorded"
    AWARD_CORRECTED = "award.corrected", "Award date corrected"
    INVITED = "invitation.sent", "Invitation sent"
    EXPORTED = "export.downloaded", "Export downloaded"
    ERASED = "erasure.done", "Data erased in a cohort"
    ACCOUNT_ERASED = "erasure.account", "Account erased everywhere (site operator)"


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200, help_text="Who, kept even if the account is erased.")
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    cohort = models.ForeignKey("cohort.Cohort", on_delete=models.CASCADE, null=True, blank=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cohort", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type} {self.target_id}"
