"""Each role is guided through its job: the facilitator reaches every to-do on the dashboard in one
click; the assessor reviews every criterion of an institution with "Save review" and previous/next
only; on a phone the navigation folds behind a menu button that works from the keyboard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cohort.models import ActionItem, Criterion, CriterionResponse, SelfAssessment
from media_feedback.models import Clip, FeedbackCall
from meetings.models import Meeting
from tests.browser.support import PHONE, activate, choose, skip_to_main, tab_to
from tests.cohort.assessment.factories import make_all_ready, self_assessment
from tests.factories import World, sign_in

pytestmark = pytest.mark.browser


def _signed_in(new_page, live_server_asgi: str, user, viewport=None):
    client = Client()
    sign_in(client, user)  # with the second factor done, as the log-in page leaves a staff session
    page = new_page(viewport)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_asgi}]
    )
    return page


def test_the_facilitator_reaches_each_to_do_in_one_click(new_page, live_server_asgi, world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    SelfAssessment.objects.filter(pk=sa.pk).update(status=SelfAssessment.Status.RECOMMENDED)
    starts = timezone.now() - timedelta(days=3)
    Meeting.objects.create(
        cohort=world.cohort, title="Admissions", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    ActionItem.objects.create(
        cohort=world.cohort, institution=world.medlock, title="Survey", due_on=date.today() - timedelta(days=1)
    )
    now = timezone.now()
    call = FeedbackCall.objects.create(
        cohort=world.cohort,
        title="First year",
        questions="What helped?",
        opens_at=now - timedelta(days=2),
        closes_at=now,
    )
    Clip.objects.create(call=call, institution=world.irwell, status=Clip.Status.READY, receipt_token_hash="x1")

    page = _signed_in(new_page, live_server_asgi, world.fran)
    # Each to-do: its link text, where it leads, and what is there to do it with.
    expected = [
        (
            "Record the award for University of Irwell Valley",
            "/c/gm/institutions/irwell/self-assessment/",
            lambda: page.get_by_label("Award date"),
        ),
        ("Write the minutes of Admissions", "/meetings/", lambda: page.get_by_role("heading", name="Minutes")),
        ("1 clip ready for review", "/c/gm/clips/?status=ready", lambda: page.get_by_role("cell", name="Irwell")),
        ("Medlock (1)", "/c/gm/institutions/medlock/action-plan/", lambda: page.get_by_text("Survey")),
    ]
    page.goto("/c/gm/")
    assert page.locator(".todo-list a").count() == len(expected)
    for text, where, shown in expected:
        page.goto("/c/gm/")
        skip_to_main(page)
        activate(page, text, kind="a")  # the first such link after the page's heading: the to-do
        assert where in page.url, f"{text} led to {page.url}"
        assert shown().first.is_visible(), f"{text}: nothing to do it with at {page.url}"


def test_the_assessor_reviews_every_criterion_with_next_and_previous_only(
    new_page, live_server_asgi, world: World
) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    SelfAssessment.objects.filter(pk=sa.pk).update(status=SelfAssessment.Status.SUBMITTED)
    total = Criterion.objects.filter(area__framework_id=world.cohort.framework_id).count()

    page = _signed_in(new_page, live_server_asgi, world.alex)
    page.goto("/c/gm/")
    skip_to_main(page)
    activate(page, "University of Irwell Valley", kind="a")  # "Waiting for your review"
    skip_to_main(page)
    activate(page, "1.1 ", kind="a")
    for n in range(1, total + 1):
        assert page.get_by_text(f"Criterion {n} of {total}").first.is_visible()
        skip_to_main(page)
        if n == 2:  # back one and forward again, with the links alone
            activate(page, "Previous criterion", kind="a")
            assert page.get_by_text(f"Criterion 1 of {total}").first.is_visible()
            skip_to_main(page)
            activate(page, "Next criterion", kind="a")
            skip_to_main(page)
        tab_to(page, "", kind="radio")
        choose(page, "Accept")
        activate(page, "Save review", kind="button")
    assert page.get_by_text("Review complete: the self-assessment is reviewed.").is_visible()
    assert CriterionResponse.objects.filter(self_assessment=sa, status="reviewed").count() == total
    assert not sa.responses.filter(comments__isnull=False).exists()  # no empty comments


def test_on_a_phone_the_navigation_is_a_menu_button(new_page, live_server_asgi, world: World) -> None:
    page = _signed_in(new_page, live_server_asgi, world.alice, PHONE)
    page.goto("/c/gm/")
    button = page.get_by_role("button", name="Menu")
    links = page.locator("#cohort-nav-links")
    assert button.get_attribute("aria-expanded") == "false" and not links.is_visible()
    tab_to(page, "Menu", kind="button")
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and links.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Dashboard"
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not links.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "cohort-nav-links"
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
