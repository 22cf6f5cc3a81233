"""A student with no account: the link, plain-language information, consent, the receipt link."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from media_feedback.models import Clip, Consent
from tests.media_feedback.factories import CONSENT, tus_client_upload


def test_the_link_explains_in_plain_words_what_happens_to_the_clip(irwell_link) -> None:
    page = Client().get(f"/s/{irwell_link.token}/").content.decode()
    for words in ("Who will see it", "How long it is kept", "How to withdraw", "deleted 90 days after"):
        assert words in page
    assert "University of Irwell Valley" in page


def test_consent_is_stored_with_its_exact_text_and_leads_to_the_upload_page(irwell_link) -> None:
    client = Client()
    response = client.post(f"/s/{irwell_link.token}/", CONSENT)
    assert response.status_code == 302
    assert response["Location"] == f"/s/{irwell_link.token}/upload/"
    consent = Consent.objects.select_related("clip").get()
    assert consent.share_with_institutions and consent.may_quote
    assert consent.age_band == "16-17"
    assert consent.clip.question == "What helped you most?"
    assert consent.clip.status == Clip.Status.RECEIVING
    assert "Who will see it" in consent.text
    upload = client.get(response["Location"]).content.decode()
    assert "vendor/tus-js-client/tus.min.js" in upload
    assert 'data-ticket="' in upload


def test_an_under_16_is_turned_away_kindly_and_nothing_is_saved(irwell_link) -> None:
    page = Client().post(f"/s/{irwell_link.token}/", {**CONSENT, "age_band": "under-16"}).content.decode()
    assert "Thank you for wanting to help" in page
    assert "Nothing has been saved" in page
    assert not Clip.objects.exists()


@pytest.mark.parametrize("missing", ["confirm", "age_band", "visibility"])
def test_consent_without_a_required_answer_saves_nothing(irwell_link, missing) -> None:
    data = {k: v for k, v in CONSENT.items() if k != missing}
    response = Client().post(f"/s/{irwell_link.token}/", data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Clip.objects.exists()


def test_a_switched_off_link_takes_no_consent(irwell_link) -> None:
    irwell_link.active = False
    irwell_link.save()
    response = Client().post(f"/s/{irwell_link.token}/", CONSENT)
    assert response.status_code == 410
    assert "not taking clips" in response.content.decode()
    assert not Clip.objects.exists()


def test_an_unknown_link_is_not_found(db) -> None:
    assert Client().get("/s/not-a-real-token/").status_code == 404


def test_the_private_link_is_shown_in_this_browser_only_and_can_be_emailed_without_keeping_the_address(
    irwell_link,
) -> None:
    client = Client()
    client.post(f"/s/{irwell_link.token}/", CONSENT)
    tus_client_upload(client, Clip.objects.get(), b"a small clip")
    done = client.get(f"/s/{irwell_link.token}/done/").content.decode()
    assert "Save it now." in done
    start = done.index('id="receipt-link">') + len('id="receipt-link">')
    url = done[start : done.index("</a>", start)]
    token = url.rsplit("/my-clip/", 1)[1].strip("/")
    assert token in client.get(f"/s/{irwell_link.token}/done/").content.decode()  # shown again on reload
    assert Client().get(f"/s/{irwell_link.token}/done/").status_code == 302  # never in another browser

    response = client.post(f"/my-clip/{token}/email/", {"email": "student@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert url in mail.outbox[0].body
    assert mail.outbox[0].to == ["student@example.org"]
    # The address is nowhere in the database.
    for model in [*apps.get_app_config("media_feedback").get_models(), *apps.get_app_config("cohort").get_models()]:
        assert "student@example.org" not in repr(list(model._default_manager.values_list()))


def test_the_consent_text_says_staff_see_only_the_released_redacted_clip(irwell_link) -> None:
    page = Client().get(f"/s/{irwell_link.token}/").content.decode()
    assert "only after a facilitator has checked it and removed names and places" in page
    assert "not even the project&#x27;s assessors" in page or "not even the project's assessors" in page
