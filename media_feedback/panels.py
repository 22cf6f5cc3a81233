"""This app's links in the cohort navigation and panels on the cohort dashboard (see cohort/panels.py)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cohort.models import Membership
from cohort.panels import NavItem, Panel
from media_feedback.access import CLIP_VIEWERS, visible_clips
from media_feedback.models import Clip, FeedbackCall


def nav_items(membership: Membership) -> list[NavItem]:
    if membership.role not in CLIP_VIEWERS:
        return []
    return [NavItem(_("Clips"), reverse("media_feedback:clips", kwargs={"cohort": membership.cohort.slug}), 60)]


def dashboard_panels(membership: Membership) -> list[Panel]:
    if membership.role not in CLIP_VIEWERS:
        return []
    counts = visible_clips(membership).aggregate(
        ready=Count("pk", filter=Q(status=Clip.Status.READY)),
        # Ready and not yet released to the institution: what the facilitator still has to review.
        waiting=Count("pk", filter=Q(status=Clip.Status.READY, released_at__isnull=True)),
        busy=Count(
            "pk",
            filter=Q(
                status__in=[
                    Clip.Status.RECEIVED,
                    Clip.Status.CHECKING,
                    Clip.Status.TRANSCODING,
                    Clip.Status.TRANSCRIBING,
                ]
            ),
        ),
    )
    open_calls = [c for c in FeedbackCall.objects.filter(cohort_id=membership.cohort_id) if c.is_open()]
    context = {"membership": membership, "counts": counts, "open_calls": open_calls}
    return [Panel("media_feedback/_panel.html", context, order=60)]
