from __future__ import annotations

from django.core import mail
from django.urls import reverse

from tests.factories import client_for


def test_repeated_failed_log_ins_lock_that_address_out_of_the_account(world, client) -> None:
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": world.alice.email, "password": "wrong-password"})
        assert response.status_code == 200
    # Even the right password is refused from this address while the lock lasts.
    response = client.post(url, {"login": world.alice.email, "password": "correct-horse-battery-staple"})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert mail.outbox == []  # one address's failures alone e-mail no one (or anyone could flood an inbox)


def test_a_correct_password_logs_in_before_any_lock(world, client) -> None:
    response = client.post(
        reverse("account_login"), {"login": world.alice.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert mail.outbox == []


def test_invitation_links_are_rate_limited_with_a_clear_message(db, early_in_a_minute) -> None:
    client = client_for(None)
    url = reverse("cohort:accept_invitation", kwargs={"token": "not-a-real-token"})
    statuses = [client.get(url).status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429
    assert "too many attempts" in client.get(url).content.decode()


def test_a_made_up_forwarded_address_does_not_escape_the_limit(db, settings, early_in_a_minute) -> None:
    settings.TRUSTED_PROXY_COUNT = 0  # no proxy in front: the header is the client's own invention
    client = client_for(None)
    url = reverse("cohort:accept_invitation", kwargs={"token": "not-a-real-token"})
    statuses = [client.get(url, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(21)]
    assert statuses[20] == 429


def test_behind_the_proxy_each_client_has_its_own_limit_whatever_it_sends(db, settings, early_in_a_minute) -> None:
    settings.TRUSTED_PROXY_COUNT = 1  # the proxy appends the address it saw
    client = client_for(None)
    url = reverse("cohort:accept_invitation", kwargs={"token": "not-a-real-token"})
    for i in range(20):
        assert client.get(url, HTTP_X_FORWARDED_FOR=f"made-up-{i}, 198.51.100.7").status_code == 404
    assert client.get(url, HTTP_X_FORWARDED_FOR="made-up, 198.51.100.7").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 404
