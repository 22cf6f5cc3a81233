"""The student's "done" page tells the truth as it changes (issue 18): arriving, being prepared,
ready, refused with the reason and a way back, failed in the student's words; it survives a reload
in the same browser for a while, and never in another."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from media_feedback import tasks
from media_feedback.models import Clip
from tests.media_feedback.factories import CONSENT


def _sent(link, *, arrived: bool = True) -> tuple[Client, Clip, str]:
    """A student who consented and (unless `arrived` is false) finished the upload."""
    client = Client()
    client.post(f"/s/{link.token}/", CONSENT)
    if arrived:
        Clip.objects.update(status=Clip.Status.TRANSCODING)
    return client, Clip.objects.get(), f"/s/{link.token}/done/"


def test_the_done_page_follows_the_clip_from_arriving_to_ready(irwell_link) -> None:
    client, clip, done = _sent(irwell_link, arrived=False)
    page = client.get(done).content.decode()
    assert "still arriving" in page and "receipt-link" not in page  # no private link before the upload ends
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.TRANSCODING)
    page = client.get(done).content.decode()
    assert "receipt-link" in page and f'hx-get="{done}"' in page  # it asks again by itself
    fragment = client.get(done, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="clip-status"') and "Arrived, being prepared" in fragment
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.READY)
    fragment = client.get(done, headers={"HX-Request": "true"}).content.decode()
    assert "Your clip is ready for the facilitators" in fragment and "hx-get" not in fragment  # polling stops


def test_a_refused_clip_shows_the_reason_on_the_done_page_with_a_way_back_to_the_link(irwell_link) -> None:
    client, clip, done = _sent(irwell_link)
    tasks.refuse_clip(clip, "The recording is longer than 1 minute. Please send a shorter clip.")
    page = client.get(done).content.decode()
    assert "Not used" in page and "longer than 1 minute" in page
    assert f'<a href="/s/{irwell_link.token}/" class="button">Try again</a>' in page
    receipt = page[page.index("/my-clip/") : page.index("/", page.index("/my-clip/") + 9) + 1]
    on_receipt = client.get(receipt).content.decode()
    assert "longer than 1 minute" in on_receipt and f'href="/s/{irwell_link.token}/"' in on_receipt


def test_a_clip_that_failed_processing_speaks_to_the_student_not_to_staff(irwell_link) -> None:
    client, clip, done = _sent(irwell_link)
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.FAILED, failure_reason=tasks.TRANSCODE_FAILED)
    page = client.get(done).content.decode()
    assert "We could not prepare your recording for playback, so it will not be used." in page
    assert "Ask the student" not in page and "retry" not in page.lower()
    assert f'href="/s/{irwell_link.token}/">send a new clip' in page


def test_the_private_link_comes_back_on_reload_for_twelve_hours_then_the_form_again(irwell_link) -> None:
    client, _clip, done = _sent(irwell_link)
    first = client.get(done).content.decode()
    start = first.index('id="receipt-link">') + len('id="receipt-link">')
    url = first[start : first.index("</a>", start)]
    assert url in client.get(done).content.decode()
    # The upload page and the link itself lead back to it, not to a fresh consent form.
    assert client.get(f"/s/{irwell_link.token}/upload/")["Location"] == done
    assert "You sent a clip from this browser earlier" in client.get(f"/s/{irwell_link.token}/").content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=12, minutes=1)):
        assert client.get(done).status_code == 302
        assert "You sent a clip from this browser" not in client.get(f"/s/{irwell_link.token}/").content.decode()
