"""axe-core (from npm) finds no serious or critical violation on any page of the access matrix, at
phone (320 px) and desktop (1280 px) widths, seen by a user allowed to see it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import client_for
from tests.matrix import ACTOR_USERS, all_cases

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [case for case in all_cases() if case.method == "get" and not case.public and case.allowed]
WIDTHS = (320, 1280)
# The sweep is split into groups so that parallel test workers share it.
GROUPS = 4


def session_cookie(user) -> str:
    client = client_for(user)
    return client.cookies["sessionid"].value


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("group", range(GROUPS))
def test_no_page_has_a_serious_or_critical_accessibility_violation(
    group: int, browser, live_server_asgi, transactional_db, world
) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make install` (npm install)")
    problems: list[str] = []
    cookies: dict[str, str] = {}
    context = browser.new_context(base_url=live_server_asgi, bypass_csp=True)
    try:
        page = context.new_page()
        for case in PAGES[group::GROUPS]:
            actor = sorted(case.allowed)[0]
            user = getattr(world, ACTOR_USERS[actor])
            if actor not in cookies:
                cookies[actor] = session_cookie(user)
            context.clear_cookies()
            context.add_cookies([{"name": "sessionid", "value": cookies[actor], "url": live_server_asgi}])
            url = reverse(case.name, kwargs=case.kwargs(world))
            probe = context.request.get(url, max_redirects=0)
            if "text/html" not in probe.headers.get("content-type", ""):
                continue  # a download (calendar, PDF, CSV, media): not a page
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(url)
                assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
                assert "/accounts/login/" not in page.url, f"{actor} was sent to log in from {url}"
                problems += [f"{url} @{width}px: {p}" for p in serious_violations(page)]
        if group == 0:
            context.clear_cookies()
            page.goto(reverse("account_login"))
            problems += [f"log-in page: {p}" for p in serious_violations(page)]
    finally:
        context.close()
    assert problems == []
