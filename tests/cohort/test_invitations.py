from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
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
