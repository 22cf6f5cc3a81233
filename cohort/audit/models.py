"""The audit log of sensitive actions, kept apart from application logs (its own table, read by
facilitators). It records who did what to which object, never the content: no message text, no
transcript, no consent answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CLIP_VIEWED = "clip.viewed", _("Viewed or played a clip")
    CLIP_DOWNLOADED = "clip.downloaded", _("Downloaded a clip file")
    TRANSCRIPT_VIEWED = "transcript.viewed", _("Read a transcript")
    CONSENT_GIVEN = "consent.given", _("Consent given")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
    REDACTED = "clip.redacted", _("Redaction changed")
    RELEASED = "clip.released", _("Clip released to its institution's staff")
    UNRELEASED = "clip.unreleased", _("Clip release taken back")
    PUBLISHED = "summary.published", _("Summary published")
    ROLE_CHANGED = "role.changed", _("Role changed")
    MEMBER_REMOVED = "member.removed", _("Member removed")
    MEMBER_READDED = "member.readded", _("Removed member added back")
    AWARD_RECORDED = "award.recorded", _("Award recorded")
    AWARD_CORRECTED = "award.corrected", _("Award date corrected")
    INVITED = "invitation.sent", _("Invitation sent")
    EXPORTED = "export.downloaded", _("Export downloaded")
    ERASED = "erasure.done", _("Data erased in a cohort")
    ACCOUNT_ERASED = "erasure.account", _("Account erased everywhere (site operator)")


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200, help_text=_("Who, kept even if the account is erased."))
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
