from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, reverse

from cohort import authn
from cohort.models import User
from tests.discussions.live import own_loop
from tests.factories import PASSWORD, client_for, make_user, totp_code
from tests.matrix import all_ws_cases


def test_a_facilitator_without_two_factor_is_sent_to_set_it_up(world) -> None:
    Authenticator.objects.filter(user=world.fran).delete()
    response = client_for(world.fran).get(reverse("dashboard", kwargs={"cohort": "gm"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_an_assessor_without_two_factor_reaches_no_cohort_data(world) -> None:
    Authenticator.objects.filter(user=world.alex).delete()
    response = client_for(world.alex).get(
        reverse("cohort:institution", kwargs={"cohort": "gm", "institution": "irwell"})
    )
    assert response.status_code == 302


def test_a_member_needs_no_two_factor(world) -> None:
    assert client_for(world.alice).get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 200


# Issue 17, findings 1 and 2: one chokepoint (cohort.authn) for pages, the admin and every websocket.


@pytest.fixture
def operator(db) -> User:
    """The site operator: staff and superuser for the admin, no cohort role, TOTP set up."""
    user = make_user("Operator", totp=True)
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


def password_only(user: User) -> Client:
    """A session signed in with the password alone: what the admin's own log-in page made."""
    client = Client()
    client.force_login(user)
    return client


def admin_urls() -> list[str]:
    """Every page of the admin, with made-up ids (the gate comes before any lookup)."""
    urls = []

    def walk(patterns: list) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.name:
                kwargs = {name: "cohort" if name == "app_label" else "1" for name in pattern.pattern.regex.groupindex}
                urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))

    walk(admin.site.get_urls())
    return urls


def log_in(client: Client, user: User, *, next_url: str = "") -> None:
    """The product's log-in page, then its two-factor step."""
    response = client.post(
        f"{reverse('account_login')}?next={next_url}" if next_url else reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_admin_log_in_takes_no_password_and_sends_to_the_products_log_in(operator) -> None:
    """Finding 1: `/admin/login/` logged a staff account in with the password alone."""
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": operator.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("account_login"))


def test_a_password_only_session_reaches_no_admin_page_and_no_cohort_data(operator, world) -> None:
    """Finding 1: the password-only session of the admin's log-in read private threads and clips.
    Every admin page, and every cohort page, sends it to the two-factor check instead."""
    urls = admin_urls()
    assert len(urls) >= 60
    client = password_only(operator)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_reauthenticate")), url
    fran = password_only(world.fran)
    for url in (reverse("dashboard", kwargs={"cohort": "gm"}), reverse("discussions:index", kwargs={"cohort": "gm"})):
        assert fran.get(url)["Location"].startswith(reverse("mfa_reauthenticate"))


def test_the_products_log_in_with_its_second_factor_opens_the_admin(operator) -> None:
    """Finding 1: the way into the admin is the product's log-in, password then TOTP."""
    client = Client()
    log_in(client, operator, next_url="/admin/")
    assert authn.second_factor(client.session, operator) == "mfa:totp"
    response = client.get(reverse("admin:cohort_membership_changelist"))
    assert response.status_code == 200
    assert "Select membership to change" in response.content.decode()


def test_twelve_wrong_passwords_then_the_right_one_do_not_open_the_admin(operator) -> None:
    """Finding 1: 12 wrong passwords, then the right one, opened the admin (no lockout)."""
    client = Client()
    for _ in range(12):
        client.post(reverse("admin:login"), {"username": operator.email, "password": "wrong-password"})
        client.post(reverse("account_login"), {"login": operator.email, "password": "wrong-password"})
    response = client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_two_factor_check_completes_a_password_only_session(world) -> None:
    """A session signed in with the password alone (from before this check) completes it with TOTP."""
    client = password_only(world.fran)
    dashboard = reverse("dashboard", kwargs={"cohort": "gm"})
    response = client.get(dashboard)
    response = client.post(response["Location"], {"code": totp_code(world.fran)})
    assert response.status_code == 302
    assert client.get(dashboard).status_code == 200


def test_signed_in_people_without_staff_rights_get_not_found_from_the_admin(world) -> None:
    for user in (world.fran, world.alice):
        client = client_for(user)
        assert client.get(reverse("admin:index")).status_code == 404
        assert client.get(reverse("admin:login")).status_code == 404


def test_another_way_of_signing_in_can_record_the_second_factor(world) -> None:
    """For single sign-on whose identity provider asserted MFA: record_second_factor(…, by="sso:…")."""
    client = password_only(world.fran)
    session = client.session
    authn.record_second_factor(session, world.fran, by="sso:example-idp")
    session.save()
    assert client.get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 200
    assert authn.second_factor(client.session, world.fran) == "sso:example-idp"
    assert authn.second_factor(client.session, world.alex) is None  # recorded for that person only


def _cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _connects(path: str, cookie: str) -> tuple[bool, int | None]:
    from config.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    comm = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await comm.connect()
    if connected:
        await comm.disconnect()
    return connected, code


WS_CASES = [case for case in all_ws_cases() if "facilitator" in case.allowed]
WS_ROUTES = [pytest.param(case, id=case.id or case.route) for case in WS_CASES]


def test_every_websocket_route_is_checked_for_the_second_factor() -> None:
    """A new consumer's route lands in the matrix (tests/test_access_matrix.py), and so here."""
    from config.routing import websocket_urlpatterns

    assert {str(p.pattern) for p in websocket_urlpatterns} <= {case.route for case in WS_CASES}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", WS_ROUTES)
@own_loop
async def test_no_websocket_opens_for_staff_without_the_second_factor(case, world, settings) -> None:
    """Finding 2: staff who had not set up two-factor were redirected on pages, but their websockets
    were accepted and streamed a private thread. Every route refuses them, and a password-only session."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    path = await sync_to_async(case.path)(world)
    signed_in = await sync_to_async(lambda: _cookie(client_for(world.fran)))()
    assert (await _connects(path, signed_in))[0], "the facilitator, fully signed in, connects"
    no_totp = await sync_to_async(lambda: _cookie(password_only(world.alex)))()
    await sync_to_async(Authenticator.objects.filter(user=world.alex).delete)()
    password = await sync_to_async(lambda: _cookie(password_only(world.fran)))()
    if "assessor" in case.allowed:
        assert await _connects(path, no_totp) == (False, 4403)
    assert await _connects(path, password) == (False, 4403)


@pytest.mark.django_db(transaction=True)
@own_loop
async def test_the_operators_websocket_needs_the_second_factor_too(operator, settings) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    password = await sync_to_async(lambda: _cookie(password_only(operator)))()
    assert await _connects("/ws/notifications/", password) == (False, 4403)
    full = await sync_to_async(lambda: _cookie(client_for(operator)))()
    assert (await _connects("/ws/notifications/", full))[0]
