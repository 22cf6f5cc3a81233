"""Every page of the access matrix, seen by the role that sees most of it (public pages by anyone),
in English and in Welsh: the page itself never scrolls sideways at 320, 390 and 1280 px, and axe-core
(from npm) finds no serious or critical violation, in English at phone (320 px) and desktop (1280 px)
widths, in Welsh at the phone width (the same page with longer words, where they crowd it most). In
Welsh the page says it is Welsh (`<html lang="cy">`), so English text within it needs its own `lang`."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import client_for
from tests.matrix import ACTOR_USERS, all_cases

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [case for case in all_cases() if case.method == "get" and (case.public or case.allowed)]
# Sideways scroll is checked at every width in both languages. Axe runs in English at the first and the
# last width; in Welsh at the first only: what changes with the width (the collapsed menu, reflowed
# tables) is the same markup in both languages, so English covers it, and the narrowest width is where
# Welsh's longer words would crowd the page (to keep the sweep fast).
WIDTHS = (320, 390, 1280)
AXE_WIDTHS = {"en-gb": (320, 1280), "cy": (320,)}
# Who looks at a page: the first of these it allows (the facilitator sees most of nearly every page).
VIEWERS = ("facilitator", "lead", "assessor", "member", "observer", "other_facilitator", "other_member")
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


# What sticks out of the page: the outermost elements whose right edge passes the window's, outside
# any box that scrolls on its own.
WIDE_ELEMENTS = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    // Its box, or what spills out of its box (text that does not wrap), passes the window's edge...
    const rect = el.getBoundingClientRect();
    const spills = getComputedStyle(el).overflowX === "visible" ? rect.left + el.scrollWidth : rect.right;
    if (Math.max(rect.right, spills) <= width + 1) continue;
    // ...and no box around it scrolls on its own.
    let inside = el.parentElement, contained = false;
    while (inside && inside !== document.body) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(inside).overflowX)) contained = true;
      inside = inside.parentElement;
    }
    if (!contained) wide.push(el);
  }
  // The innermost culprits: those with no culprit inside them.
  const culprits = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
  return culprits.slice(0, 4).map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
    `${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""}` +
    ` (${Math.round(el.getBoundingClientRect().left + el.scrollWidth)}px)`);
}"""


def sideways_scroll(page) -> str:
    """Empty if the page fits its window; otherwise how wide it is and what sticks out."""
    scroll, window = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    if scroll <= window:
        return ""
    return f"scrolls sideways ({scroll}px in {window}px): {page.evaluate(WIDE_ELEMENTS)}"


def viewer(case) -> str:
    return next((actor for actor in VIEWERS if actor in case.allowed), sorted(case.allowed)[0])


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize("group", range(GROUPS))
def test_no_page_has_a_serious_or_critical_accessibility_violation(
    group: int, language: str, browser, live_server_asgi, transactional_db, world
) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make install` (npm install)")
    problems: list[str] = []
    cookies: dict[str, str] = {}
    context = browser.new_context(base_url=live_server_asgi, bypass_csp=True)
    try:
        page = context.new_page()
        for case in PAGES[group::GROUPS]:
            context.clear_cookies()
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server_asgi}])
            actor = "anonymous" if case.public else viewer(case)
            if actor != "anonymous":
                if actor not in cookies:
                    cookies[actor] = session_cookie(getattr(world, ACTOR_USERS[actor]))
                context.add_cookies([{"name": "sessionid", "value": cookies[actor], "url": live_server_asgi}])
            url = reverse(case.name, kwargs=case.kwargs(world))
            probe = context.request.get(url, max_redirects=0)
            if "text/html" not in probe.headers.get("content-type", "") or probe.status >= 300:
                continue  # a download (calendar, PDF, CSV, media), a redirect or a refusal: not a page
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            response = page.goto(url)
            assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
            assert "/accounts/login/" not in page.url, f"{actor} was sent to log in from {url}"
            if page.get_attribute("html", "lang") != ("cy" if language == "cy" else "en-GB"):
                problems.append(f"{url} ({actor}): <html lang> is {page.get_attribute('html', 'lang')!r}")
            for width in WIDTHS:
                # The same page at each width (resizing reflows it as a phone turned or a window widened).
                page.set_viewport_size({"width": width, "height": 900})
                if problem := sideways_scroll(page):
                    problems.append(f"{url} ({actor}) @{width}px: {problem}")
                if width in AXE_WIDTHS[language]:
                    problems += [f"{url} ({actor}) @{width}px: {p}" for p in serious_violations(page)]
        if group == 0:
            context.clear_cookies()
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server_asgi}])
            page.goto(reverse("account_login"))
            problems += [f"log-in page: {p}" for p in serious_violations(page)]
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                if problem := sideways_scroll(page):
                    problems.append(f"log-in page @{width}px: {problem}")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
