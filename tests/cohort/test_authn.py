"""Finding 9 of issue 17 (sessions): sessions lasted 14 days with no inactivity limit for staff. A staff
session ends after STAFF_IDLE_TIMEOUT_SECONDS without a page request, and its live pages close."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from cohort import authn
from tests.discussions.live import own_loop
from tests.factories import client_for


def idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[authn.LAST_SEEN_KEY] = time.time() - seconds
    session.save()


def test_a_staff_session_ends_after_thirty_idle_minutes(world) -> None:
    """Finding 9: a facilitator's session idle for 31 minutes is signed out; one idle for 29 is not."""
    assert django_settings.STAFF_IDLE_TIMEOUT_SECONDS == 30 * 60
    dashboard = reverse("dashboard", kwargs={"cohort": "gm"})
    fran = client_for(world.fran)
    idle_for(fran, 29 * 60)
    assert fran.get(dashboard).status_code == 200
    assert fran.get(dashboard).status_code == 200  # the request moved the deadline
    idle_for(fran, 31 * 60)
    response = fran.get(dashboard, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in fran.session


def test_members_have_no_inactivity_limit(world) -> None:
    alice = client_for(world.alice)
    idle_for(alice, 5 * 3600)
    assert alice.get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 200


def test_the_inactivity_limit_is_a_setting(world, settings) -> None:
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 5 * 60
    fran = client_for(world.fran)
    idle_for(fran, 6 * 60)
    assert fran.get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 302


@pytest.mark.django_db(transaction=True)
@own_loop
async def test_a_staff_socket_closes_when_its_session_goes_idle(world, settings) -> None:
    """Finding 9: the session's live pages close when it goes idle (a member's stay open)."""
    from config.asgi import application

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 2
    sockets = {}
    for name in ("fran", "alice"):
        client = await sync_to_async(client_for)(getattr(world, name))
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
        headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        sockets[name] = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
        assert (await sockets[name].connect())[0]
        await sockets[name].receive_from(timeout=3)  # the unread count
    closed = await sockets["fran"].receive_output(timeout=6)
    assert closed["type"] == "websocket.close" and closed["code"] == 4403
    assert await sockets["alice"].receive_nothing(timeout=0.2)
    await sockets["alice"].disconnect()


def test_a_facilitator_without_totp_is_signed_in_only_by_an_identity_provider_that_asserted_mfa(world) -> None:
    """A facilitator whose institution's identity provider asserted multi-factor authentication for this
    session is not sent to set up TOTP; a password alone, or a second factor recorded for someone else,
    still is."""
    from allauth.mfa.models import Authenticator

    from cohort.models import Membership, Role
    from tests import factories

    newcomer = factories.make_user("Nia Newcomer")
    Membership.objects.create(user=newcomer, cohort=world.cohort, role=Role.FACILITATOR)
    assert not Authenticator.objects.filter(user=newcomer).exists()
    client = Client()
    client.force_login(newcomer)
    dashboard = reverse("dashboard", kwargs={"cohort": world.cohort.slug})
    assert reverse("mfa_activate_totp") in client.get(dashboard)["Location"]

    session = client.session
    authn.record_second_factor(session, world.fran, by="sso:irwell")  # someone else's
    session.save()
    assert reverse("mfa_activate_totp") in client.get(dashboard)["Location"]

    session = client.session
    authn.record_second_factor(session, newcomer, by="sso:irwell")
    session.save()
    assert client.get(dashboard).status_code == 200
    assert authn.verdict(newcomer, client.session) is authn.Verdict.SIGNED_IN
