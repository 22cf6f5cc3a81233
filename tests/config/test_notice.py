"""The privacy notice a student reads for a feedback call: public under the institution's link, and
put together from the personal-data map and the call's own retention setting."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cohort.access import get_membership
from config import notice
from config.personal_data import HOLDINGS, Whose
from media_feedback import services
from media_feedback.models import CallLink, FeedbackCall
from tests.factories import CONFIRMED, World
from tests.media_feedback.factories import tus_client_upload


@pytest.fixture
def call(world: World) -> FeedbackCall:
    now = timezone.now()
    return services.open_call(
        get_membership(world.fran, world.cohort.slug),
        title="How was your first year?",
        questions="What helped you most?",
        areas=[],
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=14),
        retention_days=45,
    )


@pytest.fixture
def link(call: FeedbackCall, world: World) -> CallLink:
    return call.links.get(institution=world.irwell)


def notice_page(link: CallLink) -> str:
    response = Client().get(f"/s/{link.token}/privacy/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_notice_is_public_and_states_the_retention_period_and_how_to_withdraw(link: CallLink) -> None:
    page = notice_page(link)
    assert "How was your first year?" in page
    assert "deleted 45 days after the project's summary is published" in page
    assert "Withdraw and delete my clip" in page and "/my-clip/" in page
    # What the redaction does to the recording, as media_feedback.review.redaction does it.
    assert "each name or place a facilitator removes is covered by a steady beep" in page


def test_the_notice_says_the_assessor_never_sees_clips(link: CallLink) -> None:
    page = notice_page(link)
    assert "The assessor never sees your clip." in page
    assert "only after a facilitator has reviewed it, removed names and places, and released it" in page


def test_the_notice_changes_with_the_calls_retention_setting(link: CallLink, call: FeedbackCall) -> None:
    call.retention_days = 30
    call.save(update_fields=["retention_days"])
    assert "deleted 30 days after" in notice_page(link)
    services.schedule_retention(call, timezone.now().replace(year=2027, month=3, day=1))
    page = notice_page(link)
    assert "will be deleted on 31 March 2027" in page
    assert "until 31 March 2027 at the latest" in page


def test_every_student_holding_of_the_map_is_in_the_notice_with_its_retention(call: FeedbackCall) -> None:
    student_models = {
        h.model
        for h in HOLDINGS
        if h.model.startswith("media_feedback.") and any(f.whose == Whose.STUDENT for f in h.fields)
    }
    built = notice.notice_for(call)
    assert {k.model for k in built.kept} == student_models
    assert all(k.how_long for k in built.kept)
    clip = next(k for k in built.kept if k.model == "media_feedback.Clip")
    assert "45 days after" in str(clip.how_long)


def test_a_holding_the_notice_does_not_describe_fails_the_notice(call: FeedbackCall, monkeypatch) -> None:
    monkeypatch.setattr(notice, "KEPT", {k: v for k, v in notice.KEPT.items() if k != "media_feedback.Transcript"})
    with pytest.raises(KeyError):
        notice.notice_for(call)


def test_a_bad_token_is_404(db: None) -> None:
    assert Client().get("/s/no-such-link/privacy/").status_code == 404


@pytest.mark.parametrize("page", ["", "upload/"])
def test_the_student_pages_link_to_the_notice(link: CallLink, page: str) -> None:
    client = Client()
    if page:
        client.post(
            f"/s/{link.token}/",
            {"question": "What helped you most?", "visibility": "facilitators", "age_band": "18+", "confirm": "on"},
        )
    text = client.get(f"/s/{link.token}/{page}").content.decode()
    assert f"/s/{link.token}/privacy/" in text


def test_the_receipt_and_withdrawal_pages_link_to_the_notice(link: CallLink) -> None:
    clip, receipt = services.give_consent(
        link, question="What helped you most?", share_with_institutions=False, may_quote=False, age_band="18+"
    )
    client = Client()
    tus_client_upload(client, clip, b"a small clip")  # a receipt exists once the upload has completed
    assert f"/s/{link.token}/privacy/" in client.get(f"/my-clip/{receipt}/").content.decode()
    assert f"/s/{link.token}/privacy/" in client.post(f"/my-clip/{receipt}/withdraw/", CONFIRMED).content.decode()


def test_the_notice_is_in_welsh_for_a_welsh_reader_with_the_maps_wording_too(link: CallLink) -> None:
    client = Client()
    client.cookies["django_language"] = "cy"
    page = html.unescape(client.get(f"/s/{link.token}/privacy/").content.decode())
    assert "Beth sy'n digwydd i'ch clip" in page
    # The personal-data map's retention wording, put into Welsh when it is shown.
    assert "7 diwrnod ar ôl i'r ffeil gael ei gwrthod" in page
    assert "after the file was refused" not in page
    assert "Dydy'r aseswr byth yn gweld eich clip." in page
    assert "nid sylwedyddion" in page
    # And English stays English for everyone else.
    assert "7 days after the file was refused" in notice_page(link)
