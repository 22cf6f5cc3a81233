"""Every URL × every kind of visitor: anonymous → log in; out of scope → 404, nothing changed."""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.discussions.live import own_loop
from tests.factories import World, client_for
from tests.matrix import ACTOR_USERS, ACTORS, Case, all_cases, all_ws_cases

OWN_APPS = {"cohort", "meetings", "discussions", "media_feedback", "django_tasks_db", "account", "mfa"}
# URL namespaces and prefixes that belong to libraries, tested by them: the admin and allauth's pages.
LIBRARY_PREFIXES = ("admin/", "accounts/")

CASES = all_cases()


def project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(LIBRARY_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern):
                if not p.name:
                    raise AssertionError(f"URL pattern {route!r} has no name: name it and add it to the matrix")
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def admin_url_names() -> set[str]:
    """The admin's pages: the matrix lists a few (the rest are walked in tests/cohort/test_two_factor.py)."""
    names: set[str] = set()

    def walk(patterns: list) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif p.name:
                names.add(f"admin:{p.name}")

    walk(admin.site.get_urls())
    return names


def test_every_url_pattern_is_in_the_matrix() -> None:
    listed = {case.name for case in CASES}
    missing = project_url_names() - listed
    assert not missing, f"URL patterns missing from the access matrix (tests/<app>/matrix_cases.py): {sorted(missing)}"
    stale = listed - project_url_names() - admin_url_names()
    assert not stale, f"Matrix cases for URL patterns that no longer exist: {sorted(stale)}"


def test_every_websocket_route_is_in_the_matrix() -> None:
    from config.routing import websocket_urlpatterns

    routes = {str(p.pattern) for p in websocket_urlpatterns}
    listed = {case.route for case in all_ws_cases()}
    assert routes <= listed, f"Websocket routes missing from the access matrix: {sorted(routes - listed)}"


def snapshot() -> str:
    """A digest of every row the product owns, to prove a refused request changed nothing."""
    models = [model for model in apps.get_models() if model._meta.app_label in OWN_APPS]
    digest = hashlib.sha256()
    if connection.vendor == "postgresql":
        # The same rows in one query instead of one per table (the matrix takes a snapshot twice for each
        # refused request, and the round trips were most of its time): each table's rows, every column of
        # each as text (`r::text`), in a stable order.
        tables = list(dict.fromkeys(model._meta.db_table for model in models))
        query = " UNION ALL ".join(
            f"SELECT %s, (SELECT string_agg(r::text, E'\\n' ORDER BY r::text) FROM {connection.ops.quote_name(t)} r)"
            for t in tables
        )
        with connection.cursor() as cursor:
            cursor.execute(query, tables)
            for table, rows in cursor.fetchall():
                digest.update(f"{table}:{rows}".encode())
        return digest.hexdigest()
    for model in models:
        rows = model._default_manager.order_by("pk").values_list()
        digest.update(f"{model._meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


def request(case: Case, world: World, actor: str):
    user = getattr(world, ACTOR_USERS[actor]) if actor != "anonymous" else None
    client = client_for(user)
    url = reverse(case.name, kwargs=case.kwargs(world))
    data = case.data(world) if case.data else {}
    if case.method == "post":
        return client.post(url, data)
    return client.get(url, data)


PARAMS = [pytest.param(case, actor, id=f"{case.label}-{actor}") for case in CASES for actor in ACTORS]


@pytest.mark.parametrize(("case", "actor"), PARAMS)
def test_access(case: Case, actor: str, world: World) -> None:
    if actor == "anonymous":
        kwargs = case.kwargs(world)
        url = reverse(case.name, kwargs=kwargs)
        data = case.data(world) if case.data else {}
        before = snapshot()
        client = client_for(None)
        response = client.post(url, data) if case.method == "post" else client.get(url, data)
        if case.public:
            assert response.status_code == case.public_status
        else:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse(settings.LOGIN_URL))
            assert snapshot() == before
        return
    if actor in case.allowed:
        response = request(case, world, actor)
        assert response.status_code != 404, f"{actor} should reach {case.name}"
        assert response.status_code < 500
        return
    # Build the case's objects first, then prove the refused request changes none of them.
    kwargs = case.kwargs(world)
    data = case.data(world) if case.data else {}
    user = getattr(world, ACTOR_USERS[actor])
    client = client_for(user)
    url = reverse(case.name, kwargs=kwargs)
    before = snapshot()
    response = client.post(url, data) if case.method == "post" else client.get(url, data)
    assert response.status_code == 404, f"{actor} should get 404 from {case.name}, got {response.status_code}"
    assert snapshot() == before


WS_PARAMS = [
    pytest.param(case, actor, id=f"ws:{case.id or case.route}-{actor}") for case in all_ws_cases() for actor in ACTORS
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("case", "actor"), WS_PARAMS)
@own_loop
async def test_websocket_access(case, actor: str, world: World) -> None:
    """Allowed actors connect; everyone else (anonymous included) is refused before the handshake."""
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    path = await sync_to_async(case.path)(world)
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if actor != "anonymous":
        user = getattr(world, ACTOR_USERS[actor])
        client = await sync_to_async(client_for)(user)
        headers.append(
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())
        )
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    if actor in case.allowed:
        assert connected, f"{actor} should connect to {case.route}"
        await communicator.disconnect()
    else:
        assert not connected, f"{actor} should be refused by {case.route}"
