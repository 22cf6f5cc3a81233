from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import client_for
from tests.matrix import ACTOR_USERS, all_cases

GET_CASES = [case for case in all_cases() if case.method == "get" and case.allowed]


def assert_secure_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp  # plus the request's nonce when the page uses one
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("case", GET_CASES, ids=[case.label for case in GET_CASES])
def test_every_page_of_the_access_matrix_sends_the_security_headers(case, world) -> None:
    actor = next(iter(sorted(case.allowed)))
    client = client_for(getattr(world, ACTOR_USERS[actor]))
    response = client.get(reverse(case.name, kwargs=case.kwargs(world)))
    assert response.status_code < 500
    assert_secure_headers(response)


def test_the_log_in_page_sends_the_security_headers(client, db) -> None:
    assert_secure_headers(client.get(reverse("account_login")))


def test_inline_scripts_carry_the_requests_nonce(world) -> None:
    response = client_for(world.alice).get(reverse("home"), follow=True)
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">")[0]
        assert "src=" in tag or f'nonce="{nonce}"' in tag, f"inline script without nonce: <script{tag}>"
