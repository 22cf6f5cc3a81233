"""The accessibility statement: public, dated, says what does not conform and how to report a problem,
and every page's footer links to it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.factories import World, client_for


def test_anyone_reads_the_statement_and_it_gives_the_contact_when_there_is_one(db, settings) -> None:
    settings.ACCESSIBILITY_CONTACT = "access@qm-cohort.example"
    page = Client().get(reverse("accessibility")).content.decode()
    for part in ("WCAG", "2.2", "What does not conform yet", "Reporting a problem", "6 December 2026"):
        assert part in page
    assert '<a href="mailto:access@qm-cohort.example">' in page
    settings.ACCESSIBILITY_CONTACT = ""
    assert "mailto:" not in Client().get(reverse("accessibility")).content.decode()


def test_every_page_links_to_it_from_the_footer(world: World) -> None:
    link = f'<a href="{reverse("accessibility")}">Accessibility statement</a>'
    assert link in Client().get(reverse("account_login")).content.decode()
    assert link in client_for(world.fran).get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in Client().get(reverse("accessibility")).content.decode()
