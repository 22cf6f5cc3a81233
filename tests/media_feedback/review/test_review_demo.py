"""The demo's reviewed clips and published summary: realistic, redacted, and idempotent."""

from __future__ import annotations

from cohort import demo
from media_feedback.models import Clip
from media_feedback.review import demo as demo_review
from media_feedback.review.models import ClipTag, Quote, Redaction, SummaryVersion


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Clip, Redaction, ClipTag, Quote, SummaryVersion))


def test_the_demo_publishes_a_redacted_summary_and_running_it_again_changes_nothing(db: None) -> None:
    world = demo.seed()
    demo_review.seed(world)
    first = counts()
    demo_review.seed(demo.seed())
    assert counts() == first
    assert first[0] == 5 and first[1] == 1 and first[3] >= 3
    version = SummaryVersion.objects.get()
    assert "This summary draws on 5 clips from 5 institutions" in version.content
    assert "[redacted]" in version.html and "Kayleigh" not in version.content + version.html


def test_the_demo_releases_irwells_redacted_clip_and_keeps_the_others_with_facilitators(db: None) -> None:
    world = demo.seed()
    demo_review.seed(world)
    released = Clip.objects.filter(released_at__isnull=False)
    assert [c.institution.slug for c in released] == ["irwell"]
    assert Clip.objects.filter(released_at__isnull=True).count() == 4
