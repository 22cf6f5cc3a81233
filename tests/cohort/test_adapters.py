"""Finding 9 of issue 17 (log-in locks): anyone could lock anyone's account for 15 minutes with five bad
passwords. Locks are per account and address; an account attacked from many addresses is locked for
everyone, and its owner e-mailed a link that unlocks it on their browser."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from cohort.adapters import ACCOUNT_LOCK_FAILURES, LOCKOUT_ATTEMPTS
from tests.factories import PASSWORD


def attempt(address: str, email: str, password: str = "wrong-password", client: Client | None = None):
    client = client or Client(REMOTE_ADDR=address)
    return client, client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(world) -> None:
    """Finding 9: five bad passwords from anywhere locked the account for everyone for 15 minutes."""
    for _ in range(LOCKOUT_ATTEMPTS + 2):
        _, response = attempt("203.0.113.9", world.alice.email)
    assert "Too many failed login attempts" in response.content.decode()  # the stranger's address is locked
    owner, response = attempt("198.51.100.20", world.alice.email, PASSWORD)
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(world.alice.pk)
    assert mail.outbox == []


def test_an_account_attacked_from_many_addresses_is_locked_and_its_owner_gets_an_unlock_link(world) -> None:
    """Finding 9: an attack from many addresses locks the account, and the owner's e-mailed link
    (signed, expiring) opens it again on their browser while the attack goes on."""
    for n in range(ACCOUNT_LOCK_FAILURES):
        attempt(f"203.0.113.{n // LOCKOUT_ATTEMPTS}", world.alice.email)
    owner = Client(REMOTE_ADDR="198.51.100.20")
    _, response = attempt("198.51.100.20", world.alice.email, PASSWORD, client=owner)
    assert "Log-in to this account is paused" in response.content.decode()
    assert "_auth_user_id" not in owner.session
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.alice.email]
    found = re.search(r"https?://[^/\s]+(/unlock/\S+/)", str(mail.outbox[0].body))
    assert found, "the e-mail carries the unlock link"
    path = found.group(1).lstrip("/")
    page = owner.get(f"/{path}")
    assert page.status_code == 200 and "Unlock log-in to your account" in page.content.decode()
    assert attempt("203.0.113.99", world.alice.email, PASSWORD)[1].status_code == 200  # a GET unlocked nothing
    response = owner.post(f"/{path}")
    assert response["Location"] == reverse("account_login")
    for n in range(ACCOUNT_LOCK_FAILURES):  # the attack goes on, and locks the account again
        attempt(f"192.0.2.{n // LOCKOUT_ATTEMPTS}", world.alice.email)
    _, response = attempt("198.51.100.20", world.alice.email, PASSWORD, client=owner)
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(world.alice.pk)
    _, stranger = attempt("192.0.2.200", world.alice.email, PASSWORD)
    assert "Log-in to this account is paused" in stranger.content.decode()


def test_a_made_up_or_altered_unlock_link_says_it_cannot_be_used(world) -> None:
    response = Client().get(reverse("cohort:unlock_account", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 404
    assert "This unlock link cannot be used" in response.content.decode()
