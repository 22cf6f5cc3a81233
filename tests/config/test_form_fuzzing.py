"""Property-based: whatever a signed-in user posts to any form of the product, the answer is never a
server error. Every POST route of the access matrix is fuzzed as an actor allowed to use it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.factories import sign_in
from tests.matrix import ACTOR_USERS, all_cases

POST_CASES = [case for case in all_cases() if case.method == "post" and case.allowed]

text = st.text(max_size=300) | st.sampled_from(
    ["", " ", "0", "-1", "9" * 30, "<script>x</script>", "javascript:alert(1)", "2026-02-30", "25:61", "\x00"]
)


def form_data(known: list[str]) -> st.SearchStrategy[dict[str, str | list[str]]]:
    """The case's own field names plus a few strangers, each with hostile or random values."""
    names = st.sampled_from([*known, "id", "pk", "role", "institution", "cohort", "next", "file"])
    value = text | st.lists(text, max_size=3)
    return st.dictionaries(names, value, max_size=8)


@pytest.mark.parametrize("case", POST_CASES, ids=[case.label for case in POST_CASES])
def test_no_input_to_a_form_causes_a_server_error(case, world) -> None:
    actor = sorted(case.allowed)[0]
    client = Client(raise_request_exception=False)
    sign_in(client, getattr(world, ACTOR_USERS[actor]))
    url = reverse(case.name, kwargs=case.kwargs(world))
    known = list(case.data(world)) if case.data else []

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=form_data(known))
    def post(data: dict[str, str | list[str]]) -> None:
        response = client.post(url, data)
        assert response.status_code < 500, f"{case.name} answered {response.status_code} to {data!r}"

    post()
