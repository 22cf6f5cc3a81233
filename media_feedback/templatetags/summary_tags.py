from __future__ import annotations

from django import template

from media_feedback.models import FeedbackCall
from media_feedback.review.models import SummaryVersion

register = template.Library()


@register.simple_tag
def call_summaries(call: FeedbackCall) -> list[SummaryVersion]:
    """The latest published version of each summary of the call."""
    latest: dict[int, SummaryVersion] = {}
    for version in SummaryVersion.objects.filter(document__call=call).order_by("-number"):
        latest.setdefault(version.document_id, version)
    return sorted(latest.values(), key=lambda v: v.published_at, reverse=True)
