"""The facilitator's release step: only a reviewed clip whose consent shares it is released to its
institution, audited; anything else gets a clear message and changes nothing."""

from __future__ import annotations

from django.urls import reverse

from cohort.audit.models import AuditEvent
from media_feedback.models import Clip
from tests.factories import World, client_for
from tests.media_feedback.review.factories import make_call, make_clip, reviewed


def url(name: str, clip: Clip) -> str:
    return reverse(f"media_feedback:{name}", kwargs={"cohort": "gm", "clip_id": clip.public_id})


def release(world: World, clip: Clip, value: str = "1") -> str:
    response = client_for(world.fran).post(url("release_clip", clip), {"release": value}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def released_events(clip: Clip) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(clip.public_id), action__startswith="clip.").values_list(
            "action", flat=True
        )
    )


def test_releasing_a_clip_that_is_not_reviewed_says_so_and_changes_nothing(world: World) -> None:
    clip = make_clip(make_call(world.cohort), world.irwell)
    page = release(world, clip)
    assert "This clip has not been reviewed yet" in page and "Nothing was released." in page
    clip.refresh_from_db()
    assert clip.released_at is None and clip.released_by is None
    assert "clip.released" not in released_events(clip)
    assert client_for(world.lena).get(url("clip", clip)).status_code == 404


def test_a_clip_for_facilitators_only_cannot_be_released(world: World) -> None:
    clip = reviewed(make_clip(make_call(world.cohort), world.irwell, share=False), world.fran)
    page = release(world, clip)
    assert "The student chose “facilitators only”" in page
    assert Clip.objects.get(pk=clip.pk).released_at is None
    assert "cannot be released" in client_for(world.fran).get(url("review_clip", clip)).content.decode()


def test_releasing_a_reviewed_clip_shows_it_to_its_institution_and_is_audited(world: World) -> None:
    clip = reviewed(make_clip(make_call(world.cohort), world.irwell), world.fran)
    review_page = client_for(world.fran).get(url("review_clip", clip)).content.decode()
    assert "Release to Irwell" in review_page
    assert client_for(world.lena).get(url("clip", clip)).status_code == 404

    page = release(world, clip)
    assert "Released to Irwell staff" in page and "Take back the release" in page
    clip.refresh_from_db()
    assert clip.released_at is not None and clip.released_by == world.fran
    assert "clip.released" in released_events(clip)
    assert client_for(world.lena).get(url("clip", clip)).status_code == 200
    assert client_for(world.alex).get(url("clip", clip)).status_code == 404


def test_marking_a_released_clip_not_reviewed_takes_the_release_back(world: World) -> None:
    clip = reviewed(make_clip(make_call(world.cohort), world.irwell), world.fran)
    release(world, clip)
    client_for(world.fran).post(url("mark_reviewed", clip), {"reviewed": "0"})
    assert Clip.objects.get(pk=clip.pk).released_at is None
    assert client_for(world.alice).get(url("clip", clip)).status_code == 404
