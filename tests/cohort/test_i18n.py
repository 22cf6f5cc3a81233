"""The language toggle's view, a person's language for what is sent to them, and bilingual fields."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from cohort.i18n import in_language_of, language_of, localised
from cohort.models import Area, User
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def test_the_toggle_only_takes_a_post() -> None:
    response = Client().get("/language/?language=cy&next=/")
    assert response.status_code == 405
    assert "django_language" not in response.cookies


def test_a_visitor_choice_is_a_cookie_and_the_same_page_comes_back() -> None:
    response = Client().post("/language/", {"language": "cy", "next": "/accessibility/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == "/accessibility/?x=1"
    assert response.cookies["django_language"].value == "cy"


def test_an_unknown_language_or_a_foreign_next_changes_nothing_and_stays_on_the_site(world) -> None:
    client = client_for(world.alice)
    response = client.post("/language/", {"language": "fr", "next": "/"})
    assert "django_language" not in response.cookies
    assert User.objects.get(pk=world.alice.pk).language == ""
    response = client.post("/language/", {"language": "cy", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_a_signed_in_persons_choice_is_their_preference(world) -> None:
    client = client_for(world.alice)
    client.post("/language/", {"language": "cy", "next": "/"})
    assert User.objects.get(pk=world.alice.pk).language == "cy"
    # Their preference wins over what the browser asks for.
    response = client_for(User.objects.get(pk=world.alice.pk)).get("/accessibility/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert response.headers["Content-Language"] == "cy"
    assert '<html lang="cy">' in response.content.decode()


def test_a_browser_asking_for_welsh_gets_welsh() -> None:
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="cy-GB,cy;q=0.9,en;q=0.5")
    assert '<html lang="cy">' in response.content.decode()


def test_what_is_sent_follows_the_recipient_not_the_sender(world) -> None:
    world.bob.language = "cy"
    assert language_of(world.bob) == "cy"
    assert language_of(world.alice) == "en-gb"  # not chosen: English
    assert language_of(None) == "en-gb"
    with translation.override("en-gb"):
        with in_language_of(world.bob) as code:
            assert code == "cy"
            assert translation.get_language() == "cy"
        assert translation.get_language() == "en-gb"


def test_a_bilingual_field_falls_back_to_english_marked_as_english(world) -> None:
    area = Area.objects.filter(framework__is_current=True).first() or Area.objects.first()
    assert area is not None
    area.title, area.title_cy = "Data and definitions", ""
    assert localised(area, "title", "cy") == ("Data and definitions", "en-gb")
    template = Template('{% load bilingual %}{% bilingual area "title" %}')
    with translation.override("cy"):
        shown = template.render(Context({"area": area}))
    assert '<span lang="en-GB">Data and definitions</span>' in shown
    area.title_cy = "Data a diffiniadau"
    with translation.override("cy"):
        assert template.render(Context({"area": area})) == "Data a diffiniadau"
    with translation.override("en-gb"):
        assert template.render(Context({"area": area})) == "Data and definitions"


def test_the_toggle_used_before_logging_in_becomes_the_persons_preference(world) -> None:
    client = client_for(world.alice)
    client.cookies["django_language"] = "cy"
    response = client.get("/accessibility/")
    assert '<html lang="cy">' in response.content.decode()
    assert User.objects.get(pk=world.alice.pk).language == "cy"


def test_the_javascript_catalogue_is_in_the_language_the_page_names() -> None:
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    assert "Hidlo'r rhestr" in english_browser.get("/jsi18n/?language=cy").content.decode()
    assert "Hidlo'r rhestr" not in english_browser.get("/jsi18n/?language=xx").content.decode()
    assert "Hidlo'r rhestr" not in english_browser.get("/jsi18n/").content.decode()
