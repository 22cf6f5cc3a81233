"""The language toggle on every page leads to the same page in the other language; a visitor's choice
is remembered in their browser, a signed-in person's as their preference (on any device, and for
what is sent to them)."""

from __future__ import annotations

import pytest

from cohort.models import User
from tests.browser.support import activate, log_in, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"


def test_a_visitor_switches_the_log_in_page_to_welsh_and_back_with_the_keyboard(page) -> None:
    page.goto("/accounts/login/?next=/c/nowhere/discussions/")
    assert page.get_attribute("html", "lang") == "en-GB"
    activate(page, "Cymraeg", exact=True)
    # The same page, its address unchanged (the query too), now in Welsh.
    assert page.url.endswith("/accounts/login/?next=/c/nowhere/discussions/")
    assert page.get_attribute("html", "lang") == "cy"
    assert page.get_by_role("link", name="Neidio i'r prif gynnwys").count() == 1
    assert page.get_by_role("button", name="English").get_attribute("lang") == "en-GB"
    screenshot(page, "welsh-log-in")
    # Remembered: a new visit to another page stays Welsh.
    page.goto("/accessibility/")
    assert page.get_attribute("html", "lang") == "cy"
    activate(page, "English", exact=True)
    assert page.url.endswith("/accessibility/")
    assert page.get_attribute("html", "lang") == "en-GB"


def test_a_persons_choice_follows_them_to_another_browser(new_page, world) -> None:
    alice = world.alice
    first = new_page()
    log_in(first, alice.email, PASSWORD)
    dashboard = f"/c/{world.cohort.slug}/"
    first.goto(dashboard)
    activate(first, "Cymraeg", exact=True)
    assert first.url.endswith(dashboard)
    assert first.get_attribute("html", "lang") == "cy"
    assert User.objects.get(pk=alice.pk).language == "cy"

    # Another device, with no cookie of its own: Welsh once she has logged in.
    second = new_page()
    log_in(second, alice.email, PASSWORD)
    second.goto(dashboard)
    assert second.get_attribute("html", "lang") == "cy"
    activate(second, "English", exact=True)
    assert second.get_attribute("html", "lang") == "en-GB"
    assert User.objects.get(pk=alice.pk).language == "en-gb"
