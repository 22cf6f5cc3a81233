"""Integers from outside (path segments, query parameters, websocket messages) are bounded in one
place, cohort/integers.py: a number no id can reach is "not found", never a server error."""

from __future__ import annotations

import json
import re

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cohort.integers import BoundedIntegerField, bounded_int, query_int
from tests.discussions.factories import start
from tests.discussions.live import communicator, own_loop
from tests.factories import World, sign_in
from tests.matrix import ACTOR_USERS, Case, all_cases

HUGE = [2**63, 10**30]
NUMBER_IN_ROUTE = re.compile(r"<(?:int|id):(\w+)>")


def _routes() -> dict[str, str]:
    """Every project URL name → its full route, as written in the urls modules."""
    found: dict[str, str] = {}

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name and not route.startswith(("admin/", "accounts/")):
                found[namespace + p.name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


ROUTES = _routes()
NUMBERED = [case for case in all_cases() if case.name in ROUTES and NUMBER_IN_ROUTE.search(ROUTES[case.name])]


def _client(case: Case, world: World) -> Client:
    allowed = sorted(case.allowed)
    actor = "facilitator" if "facilitator" in allowed else allowed[0] if allowed else "facilitator"
    client = Client(raise_request_exception=False)
    sign_in(client, getattr(world, ACTOR_USERS[actor]))
    return client


def _fill(route: str, kwargs: dict, number: int, which: str) -> str:
    def one(match: re.Match) -> str:
        name = match.group(2)
        if name == which:
            return str(number)
        return str(kwargs[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route).lstrip("^").rstrip("$")


def test_every_numbered_route_is_tested() -> None:
    numbered = {name for name, route in ROUTES.items() if NUMBER_IN_ROUTE.search(route)}
    assert numbered == {case.name for case in NUMBERED}
    assert len(numbered) > 30


@pytest.mark.parametrize("case", NUMBERED, ids=[case.label for case in NUMBERED])
def test_a_number_out_of_range_in_a_path_is_not_found(case: Case, world: World) -> None:
    """Finding 6: out-of-range integers in paths raised OverflowError (500) on SQLite; now 404."""
    client = _client(case, world)
    kwargs = case.kwargs(world)
    data = case.data(world) if case.data else {}
    for which in NUMBER_IN_ROUTE.findall(ROUTES[case.name]):
        for number in HUGE:
            url = _fill(ROUTES[case.name], kwargs, number, which)
            response = client.post(url, data) if case.method == "post" else client.get(url)
            assert response.status_code == 404, f"{url} answered {response.status_code}"


QUERY_CASES = [
    case for case in all_cases() if case.method == "get" and case.name in ROUTES and case.allowed and not case.public
]
QUERY_NAMES = ["call", "area", "institution", "status", "question", "thread", "reply_to", "owner", "q", "page",
               "since", "week", "month", "year", "day", "offset", "limit", "id", "criterion", "meeting"]  # fmt: skip


@pytest.mark.parametrize("case", QUERY_CASES, ids=[case.label for case in QUERY_CASES])
def test_a_number_out_of_range_in_a_query_is_never_a_server_error(case: Case, world: World) -> None:
    """Finding 6: out-of-range integers in query strings (?call=, ?area=, ...) raised OverflowError
    (500) on SQLite; now the page answers as it would to any unknown value."""
    client = _client(case, world)
    path = _fill(ROUTES[case.name], case.kwargs(world), 0, "")
    for value in (str(2**63), f"-{10**30}"):
        response = client.get(path, {name: value for name in QUERY_NAMES})
        assert response.status_code < 500, f"{path}?…={value} answered {response.status_code}"


def test_a_calendar_feed_token_with_a_huge_number_is_not_found(world: World) -> None:
    """Finding 6: the feed token's user number went to the database unbounded (OverflowError, 500)."""
    client = Client(raise_request_exception=False)
    for number in HUGE:
        response = client.get(reverse("meetings:feed", kwargs={"token": f"{number}-{'0' * 40}"}))
        assert response.status_code == 404


def test_the_bounds_themselves() -> None:
    assert bounded_int("9223372036854775807") == 2**63 - 1
    assert bounded_int(str(2**63)) is None
    assert bounded_int("١٢") is None  # digits, but not ASCII ones
    assert bounded_int(True) is None
    assert bounded_int("-5") is None
    assert bounded_int("-5", minimum=-10) == -5
    assert query_int({"call": " 12 "}, "call") == 12
    assert query_int({}, "call") is None
    field = BoundedIntegerField()
    with pytest.raises(ValidationError):
        field.clean(str(10**30))


@pytest.mark.django_db(transaction=True)
@own_loop
async def test_a_theme_page_resuming_from_a_huge_time_stays_open(world: World, settings) -> None:
    """Finding 6: a theme socket's `since` past the year 9999 closed the socket with 1011 (server error)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    thread = await sync_to_async(start)(world.alice, world.cohort)
    comm = await communicator(world.bob, f"/ws/c/gm/themes/{thread.theme_id}/")
    assert (await comm.connect())[0]
    for since in HUGE:
        await comm.send_to(text_data=json.dumps({"type": "resume", "since": since}))
    assert await comm.receive_nothing(timeout=0.3)
    await comm.send_to(text_data=json.dumps({"type": "resume", "since": 0}))
    assert "Defining care experience" in await comm.receive_from(timeout=3)
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
@own_loop
async def test_a_theme_page_resuming_from_the_last_moment_of_year_9999_stays_open(world: World, settings) -> None:
    """Found by an outside tester: the largest `since` allowed was computed through a float and meant
    the year 10000, so the top of the range still closed the socket with 1011."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    thread = await sync_to_async(start)(world.alice, world.cohort)
    comm = await communicator(world.bob, f"/ws/c/gm/themes/{thread.theme_id}/")
    assert (await comm.connect())[0]
    await comm.send_to(text_data=json.dumps({"type": "resume", "since": 253402300799999999}))
    assert await comm.receive_nothing(timeout=0.5)  # nothing changed after that moment, and no close
    await comm.disconnect()
