"""Typed work survives the end of a session: the expired-form page, the way back to the page after
logging in, and the request that keeps a staff session alive while someone types."""

from __future__ import annotations

import time
import uuid

from django.test import Client
from django.urls import reverse

from cohort import authn
from discussions.models import Post
from tests.discussions.factories import start
from tests.factories import client_for

PAGE = "http://testserver/c/gm/discussions/"


def idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[authn.LAST_SEEN_KEY] = time.time() - seconds
    session.save()


def test_a_form_with_an_expired_token_gets_the_products_page_that_leads_back(world) -> None:
    client = client_for(world.alice)
    client.handler.enforce_csrf_checks = True
    thread = start(world.alice, world.cohort)
    page = f"/c/gm/discussions/threads/{thread.pk}/"
    response = client.post(
        f"{page}posts/",
        {"body": "Typed for an hour", "key": str(uuid.uuid4())},
        headers={"Referer": f"http://testserver{page}"},
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in html and "What you typed is kept in this browser" in html
    assert f'<a href="{page}">Back to the page with your text</a>' in html
    assert 'class="skip-link"' in html  # the product's layout, not Django's bare page
    assert Post.objects.count() == 1


def test_the_expired_form_page_never_links_to_another_site(world) -> None:
    client = client_for(world.alice)
    client.handler.enforce_csrf_checks = True
    response = client.post("/c/gm/discussions/", {}, headers={"Referer": "https://evil.example/c/gm/"})
    html = response.content.decode()
    assert response.status_code == 403 and "evil.example" not in html
    assert "Go to your start page" in html


def test_the_expired_form_page_is_in_welsh_for_a_welsh_reader(world) -> None:
    world.alice.language = "cy"
    world.alice.save(update_fields=["language"])
    client = client_for(world.alice)
    client.handler.enforce_csrf_checks = True
    response = client.post("/c/gm/discussions/", {}, headers={"Referer": PAGE})
    assert response.status_code == 403
    assert "This form has expired" not in response.content.decode()


def test_a_post_sent_after_the_idle_limit_logs_in_and_comes_back_to_the_thread(world) -> None:
    thread = start(world.alice, world.cohort)
    page = f"/c/gm/discussions/threads/{thread.pk}/"
    fran = client_for(world.fran)
    idle_for(fran, 31 * 60)
    data = {"body": "An hour of work", "key": str(uuid.uuid4())}
    response = fran.post(f"{page}posts/", data, headers={"Referer": f"http://testserver{page}"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={page.replace('/', '%2F')}"


def test_an_htmx_post_after_the_idle_limit_loads_the_log_in_page_as_a_page(world) -> None:
    thread = start(world.alice, world.cohort)
    page = f"/c/gm/discussions/threads/{thread.pk}/"
    fran = client_for(world.fran)
    idle_for(fran, 31 * 60)
    data = {"body": "An hour of work", "key": str(uuid.uuid4())}
    response = fran.post(
        f"{page}posts/", data, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}?reply_to=3"}
    )
    assert response["HX-Redirect"] == f"{reverse('account_login')}?next={page.replace('/', '%2F')}%3Freply_to%3D3"
    assert Post.objects.count() == 1


def test_a_post_sent_after_logging_out_in_another_tab_comes_back_to_the_page(world) -> None:
    thread = start(world.alice, world.cohort)
    page = f"/c/gm/discussions/threads/{thread.pk}/"
    response = Client().post(
        f"{page}posts/", {"body": "x", "key": str(uuid.uuid4())}, headers={"HX-Request": "true", "HX-Current-URL": PAGE}
    )
    assert response["HX-Redirect"] == f"{reverse('account_login')}?next=%2Fc%2Fgm%2Fdiscussions%2F"


def test_a_foreign_page_is_never_where_log_in_leads(world) -> None:
    thread = start(world.alice, world.cohort)
    page = f"/c/gm/discussions/threads/{thread.pk}/"
    response = Client().post(f"{page}posts/", {"body": "x"}, headers={"Referer": "https://evil.example/"})
    assert response["Location"] == f"{reverse('account_login')}?next={page}posts/"


def test_typing_keeps_a_staff_session_alive_and_an_idle_one_stays_ended(world) -> None:
    fran = client_for(world.fran)
    idle_for(fran, 20 * 60)
    assert fran.post(reverse("still_typing")).status_code == 204
    assert authn.idle_deadline(fran.session) > time.time() + 29 * 60
    idle_for(fran, 31 * 60)
    response = fran.post(reverse("still_typing"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in fran.session


def test_only_staff_pages_carry_the_idle_limit_for_the_warning(world) -> None:
    assert 'data-idle-seconds="1800"' in client_for(world.fran).get("/c/gm/").content.decode()
    html = client_for(world.alice).get("/c/gm/").content.decode()
    assert "data-idle-seconds" not in html and f'data-user="{world.alice.pk}"' in html


def test_a_rate_limited_post_says_why_in_a_message_the_page_script_shows(world, settings) -> None:
    from discussions import views

    thread = start(world.alice, world.cohort)
    client = client_for(world.bob)
    url = f"/c/gm/discussions/threads/{thread.pk}/posts/"
    for n in range(views.POSTS_PER_MINUTE + 1):
        response = client.post(url, {"body": f"Post {n}", "key": str(uuid.uuid4())}, headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert "<p data-error-message>There have been too many attempts at posting" in response.content.decode()
