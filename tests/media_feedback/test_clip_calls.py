"""Facilitators open feedback calls with a link and a poster QR code per institution."""

from __future__ import annotations

from media_feedback.models import CallLink, Clip, FeedbackCall
from tests.factories import client_for

NEW_CALL = {
    "title": "How was your first year?",
    "questions": "What helped you most?\nWhat would you change?",
    "opens_at": "2026-01-05T09:00",
    "closes_at": "2026-02-05T17:00",
    "allow_audio": "on",
    "allow_video": "on",
    "max_minutes": "5",
    "max_megabytes": "500",
    "retention_days": "90",
}


def test_a_facilitator_opens_a_call_with_a_link_for_every_institution(world) -> None:
    response = client_for(world.fran).post("/c/gm/clips/calls/", NEW_CALL)
    call = FeedbackCall.objects.get()
    assert response["Location"] == f"/c/gm/clips/calls/{call.pk}/"
    assert call.max_seconds == 300 and call.max_bytes == 500 * 1024 * 1024
    assert call.question_list == ["What helped you most?", "What would you change?"]
    assert {link.institution_id for link in call.links.all()} == {world.irwell.pk, world.medlock.pk}
    page = client_for(world.fran).get(response["Location"]).content.decode()
    assert "University of Irwell Valley" in page and "Medlock Metropolitan University" in page
    assert "QR code for Irwell" in page


def test_a_call_that_accepts_nothing_or_closes_before_it_opens_is_refused(world) -> None:
    bad = {**NEW_CALL, "closes_at": "2026-01-01T09:00"}
    bad.pop("allow_audio")
    bad.pop("allow_video")
    response = client_for(world.fran).post("/c/gm/clips/calls/", bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Accept audio, video or both" in text
    assert "The call must close after it opens" in text
    assert not FeedbackCall.objects.exists()


def test_the_qr_code_is_an_svg_of_the_institution_link(irwell_link, world) -> None:
    response = client_for(world.fran).get(f"/c/gm/clips/links/{irwell_link.pk}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.content  # renders in an <img>


def test_a_link_can_be_switched_off_and_on(irwell_link, world) -> None:
    client = client_for(world.fran)
    client.post(f"/c/gm/clips/links/{irwell_link.pk}/toggle/")
    assert not CallLink.objects.get(pk=irwell_link.pk).active
    client.post(f"/c/gm/clips/links/{irwell_link.pk}/toggle/")
    assert CallLink.objects.get(pk=irwell_link.pk).active


def test_the_clip_list_filters_and_keeps_its_query_count(
    irwell_link, make_ready_clip, world, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        make_ready_clip(irwell_link)
    medlock_link = irwell_link.call.links.get(institution=world.medlock)
    make_ready_clip(medlock_link)
    client = client_for(world.fran)
    with django_assert_max_num_queries(15):
        page = client.get("/c/gm/clips/").content.decode()
    assert page.count("/c/gm/clips/") >= 4
    only_medlock = client.get("/c/gm/clips/", {"institution": "medlock"}).content.decode()
    assert only_medlock.count("<td>Medlock</td>") == 1
    assert "<td>Irwell</td>" not in only_medlock


def test_the_dashboard_shows_the_clips_panel_to_facilitators_and_staff_only(
    irwell_link, make_ready_clip, world
) -> None:
    make_ready_clip(irwell_link)
    assert "1 clip ready for review</a>" in client_for(world.fran).get("/c/gm/").content.decode()
    assert "Student clips" in client_for(world.alice).get("/c/gm/").content.decode()
    assert "Student clips" not in client_for(world.oscar).get("/c/gm/").content.decode()


def test_the_receipt_status_updates_itself_while_the_clip_is_prepared(irwell_link) -> None:
    from django.test import Client

    from tests.media_feedback.factories import consent

    clip, receipt = consent(irwell_link)
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.TRANSCODING)
    fragment = Client().get(f"/my-clip/{receipt}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="clip-status"')
    assert 'hx-trigger="every 3s"' in fragment
    assert "Arrived, being prepared" in fragment  # the student sees plain steps, not the pipeline
