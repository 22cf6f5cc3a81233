from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohort.access import get_membership
from cohort.models import Invitation, Membership, Role, User
from cohort.services import invite
from tests.factories import client_for


def invite_alice_colleague(world, email="newcomer@example.org", role=Role.MEMBER):
    return invite(get_membership(world.fran, world.cohort.slug), email=email, role=role, institution=world.irwell)


def test_a_facilitator_invites_someone_and_the_email_carries_a_single_use_link(
    world, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.fran).post(
            reverse("cohort:invite", kwargs={"cohort": "gm"}),
            {"email": "New.Person@Example.org", "role": "member", "institution": world.irwell.pk},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.org"
    assert len(mail.outbox) == 1
    assert "/invitations/" in mail.outbox[0].body
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    assert token not in invitation.token_hash  # only a hash is stored


def test_a_new_person_accepts_and_gets_an_account_with_the_role(world) -> None:
    _invitation, token = invite_alice_colleague(world)
    client = client_for(None)
    response = client.post(
        reverse("cohort:accept_invitation", kwargs={"token": token}),
        {
            "display_name": "Nia New",
            "time_zone": "Europe/London",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    assert user.display_name == "Nia New"
    membership = Membership.objects.get(user=user, cohort=world.cohort)
    assert (membership.role, membership.institution) == (Role.MEMBER, world.irwell)
    assert client.get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 200


def test_accepting_attaches_the_role_to_an_existing_account(world) -> None:
    _invitation, token = invite(get_membership(world.olga, "yorks"), email=world.alice.email, role=Role.OBSERVER)
    client = client_for(world.alice)
    url = reverse("cohort:accept_invitation", kwargs={"token": token})
    assert "Accept and open the cohort" in client.get(url).content.decode()
    client.post(url)
    assert Membership.objects.get(user=world.alice, cohort=world.other_cohort).role == Role.OBSERVER
    assert Membership.objects.filter(user=world.alice).count() == 2


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (
            lambda inv: Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(minutes=1)),
            "expired",
        ),
        (lambda inv: Invitation.objects.filter(pk=inv.pk).update(accepted_at=timezone.now()), "already been accepted"),
        (lambda inv: Invitation.objects.filter(pk=inv.pk).update(revoked_at=timezone.now()), "withdrawn"),
    ],
    ids=["expired", "used", "withdrawn"],
)
def test_an_unusable_invitation_gets_a_clear_page_and_creates_nothing(world, spoil, message) -> None:
    invitation, token = invite_alice_colleague(world)
    spoil(invitation)
    response = client_for(None).post(
        reverse("cohort:accept_invitation", kwargs={"token": token}),
        {
            "display_name": "X",
            "time_zone": "Europe/London",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 404
    assert message in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_a_tampered_link_gets_a_clear_page(world) -> None:
    _invitation, token = invite_alice_colleague(world)
    response = client_for(None).get(reverse("cohort:accept_invitation", kwargs={"token": token[:-2] + "xx"}))
    assert response.status_code == 404
    assert "whole link" in response.content.decode()


def test_a_lead_invites_only_members_of_their_own_institution(world) -> None:
    client = client_for(world.lena)
    response = client.post(
        reverse("cohort:invite", kwargs={"cohort": "gm"}), {"email": "x@example.org", "role": "facilitator"}
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    client.post(
        reverse("cohort:invite", kwargs={"cohort": "gm"}),
        {"email": "x@example.org", "role": "member", "institution": world.medlock.pk},
    )
    assert Invitation.objects.get().institution == world.irwell


def test_inviting_someone_already_in_the_cohort_is_refused(world) -> None:
    response = client_for(world.fran).post(
        reverse("cohort:invite", kwargs={"cohort": "gm"}),
        {"email": world.bob.email, "role": "member", "institution": world.medlock.pk},
    )
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_mismatched_password_gets_a_message_and_no_account(world) -> None:
    _invitation, token = invite_alice_colleague(world)
    response = client_for(None).post(
        reverse("cohort:accept_invitation", kwargs={"token": token}),
        {
            "display_name": "Nia",
            "time_zone": "Europe/London",
            "password1": "a-long-pass-phrase",
            "password2": "different-phrase",
        },
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


# --- an invitation to an address at an "SSO only" domain (finding 5) ---------------------------------


@pytest.fixture
def medlock_sso_only(world):
    """Medlock's SAML provider for medlock.example, SSO only (connected as the operator would)."""
    from cohort.sso import services as sso_services
    from cohort.sso.models import IdentityProvider
    from tests.cohort.sso.support import metadata

    provider = IdentityProvider(
        institution=world.medlock, kind="saml", slug="medlock-saml", name="Medlock Login", sso_only=True
    )
    for name, value in sso_services.parse_metadata(metadata()).items():
        setattr(provider, name, value)
    provider.metadata_xml = metadata()
    return sso_services.save_provider(None, provider, ["medlock.example"])


def invite_to_medlock(world, email="newbie@medlock.example"):
    return invite(
        get_membership(world.fran, world.cohort.slug), email=email, role=Role.MEMBER, institution=world.medlock
    )


def test_an_sso_only_invitation_offers_the_institutions_sign_in_and_no_password(world, medlock_sso_only) -> None:
    _invitation, token = invite_to_medlock(world)
    client = Client(HTTP_HOST="127.0.0.1")
    url = reverse("cohort:accept_invitation", kwargs={"token": token})
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'type="password"' not in page
    assert "Medlock Metropolitan University signs its people in with their institution's account" in page
    assert "Continue with Medlock Login" in page
    assert f'action="{reverse("account_login")}"' in page
    assert f'name="next" value="{url}"' in page
    assert "https://idp.irwell.example" in response.headers["Content-Security-Policy"]

    # The button: the e-mail-first log-in sends them to the provider, to come back to the invitation.
    response = client.post(reverse("account_login"), {"login": "newbie@medlock.example", "next": url})
    assert response.status_code == 302
    assert response["Location"].startswith("https://idp.irwell.example/saml/sso?SAMLRequest=")


def test_an_sso_only_invitation_refuses_a_password_and_creates_no_account(world, medlock_sso_only) -> None:
    invitation, token = invite_to_medlock(world)
    client = client_for(None)
    response = client.post(
        reverse("cohort:accept_invitation", kwargs={"token": token}),
        {
            "display_name": "Newbie",
            "time_zone": "Europe/London",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 400
    assert "Continue with Medlock Login" in response.content.decode()
    assert not User.objects.filter(email="newbie@medlock.example").exists()
    assert "_auth_user_id" not in client.session
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_invitation_accepted_through_sso_leads_its_person_to_the_cohort(world, medlock_sso_only) -> None:
    from cohort.services import accept_invitation
    from tests.factories import make_user

    invitation, token = invite_to_medlock(world)
    newbie = make_user("Newbie", email="newbie@medlock.example")
    accept_invitation(invitation, newbie)  # as signing in through the provider does
    response = client_for(newbie).get(reverse("cohort:accept_invitation", kwargs={"token": token}))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", kwargs={"cohort": "gm"})
    # Anyone else still gets the used-invitation page.
    assert client_for(world.alice).get(reverse("cohort:accept_invitation", kwargs={"token": token})).status_code == 404
