"""Helpers the tests of this package share (imported by name; conftest.py holds only fixtures)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


PHONE = {"width": 320, "height": 720}


DESKTOP = {"width": 1280, "height": 900}


def log_in(page: object, email: str, password: str, totp_user: object = None) -> None:
    """Log in through the real log-in form (and the two-factor step for staff), with the keyboard."""
    page.goto("/accounts/login/")  # type: ignore[attr-defined]
    tab_to(page, "Email")
    page.keyboard.type(email)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    # The e-mail first, then the password step, which puts the focus in the password field.
    page.locator("input[name=password]").wait_for()  # type: ignore[attr-defined]
    page.keyboard.type(password)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    if totp_user is not None:
        from tests.factories import totp_code

        page.get_by_label("Code").wait_for()  # type: ignore[attr-defined]
        tab_to(page, "Code")
        page.keyboard.type(totp_code(totp_user))  # type: ignore[attr-defined, arg-type]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
    try:  # a loaded machine (a clip being transcribed next door) can take a while to answer
        page.wait_for_url(lambda url: "/accounts/" not in url, timeout=30_000)  # type: ignore[attr-defined]
    except Exception as error:
        shown = page.locator("body").inner_text(timeout=5_000)  # type: ignore[attr-defined]
        raise AssertionError(f"{email} is still at {page.url} after logging in: {shown[:300]!r}") from error  # type: ignore[attr-defined]


def screenshot(page: object, name: str, *, widths: tuple[int, ...] = (320, 1280)) -> list[Path]:
    """Save full-page screenshots at phone and desktop widths under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    paths = []
    original = page.viewport_size  # type: ignore[attr-defined]
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        paths.append(path)
    if original:
        page.set_viewport_size(original)  # type: ignore[attr-defined]
    return paths


# The focused element's accessible name, roughly as a screen reader computes it, and whether Tab has
# already been there (then it has gone round the whole page). An element keeps focus over several Tabs
# when it has stops of its own (a date field's day, month, year and picker): that is not going round.
_FOCUS_PROBE = """([wanted, exact, kind, first]) => {
  if (first || !window.__tabToSeen) { window.__tabToSeen = new WeakSet(); window.__tabToLast = null; }
  const el = document.activeElement;
  if (!el || el === document.body) return { name: "(page)", matched: false, round: false };
  const clean = (s) => (s || "").replace(/\\s+/g, " ").trim();
  const text = (ids) => ids.split(/\\s+/).map((id) => document.getElementById(id)).filter(Boolean)
    .map((n) => n.textContent).join(" ");
  const fromContent = ["A", "BUTTON", "SUMMARY", "OPTION"].includes(el.tagName)
    || ["button", "link", "tab", "option", "menuitem", "radio", "checkbox", "switch"].includes(el.getAttribute("role"));
  let name = el.getAttribute("aria-labelledby") ? text(el.getAttribute("aria-labelledby")) : "";
  if (!clean(name)) name = el.getAttribute("aria-label") || "";
  if (!clean(name) && el.labels && el.labels.length) name = Array.from(el.labels).map((l) => l.textContent).join(" ");
  if (!clean(name) && el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type)) name = el.value;
  if (!clean(name) && fromContent) name = el.textContent;
  if (!clean(name)) name = el.getAttribute("title") || el.getAttribute("placeholder") || "";
  name = clean(name).replace(/:$/, "");  // a label's colon (Django adds one) is not part of the name
  const label = name || `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}>`;
  const round = el !== window.__tabToLast && window.__tabToSeen.has(el);
  window.__tabToSeen.add(el);
  window.__tabToLast = el;
  const [have, want] = [name.toLowerCase(), wanted.toLowerCase()];
  const isKind = !kind || (el.tagName === "INPUT" ? el.type : el.tagName.toLowerCase()) === kind;
  return { name: label, matched: isKind && (exact ? have === want : have.includes(want)), round };
}"""


def tab_to(
    page: object, name: str, *, exact: bool = False, kind: str | None = None, limit: int = 80, backwards: bool = False
) -> str:
    """Press Tab (Shift+Tab if `backwards`) until the focused element's accessible name contains `name`
    (equals it if `exact`; case-insensitive) and, given a `kind` (an input's type such as "radio", or
    a tag such as "a", "select", "summary"), it is one of those, as a keyboard-only user would. One
    script call per press. Fails at once, naming the stops it passed, when focus has gone round the
    whole page, or after `limit` presses. Returns the name it reached."""
    key = "Shift+Tab" if backwards else "Tab"
    trail: list[str] = []
    for step in range(limit):
        page.keyboard.press(key)  # type: ignore[attr-defined]
        focus = page.evaluate(_FOCUS_PROBE, [name, exact, kind, step == 0])  # type: ignore[attr-defined]
        if focus["matched"]:
            return str(focus["name"])
        if focus["round"]:
            where = page.url  # type: ignore[attr-defined]
            raise AssertionError(f"{key} went round {where} without reaching {kind or ''} {name!r}; its stops: {trail}")
        if not trail or trail[-1] != focus["name"]:
            trail.append(focus["name"])
    where = page.url  # type: ignore[attr-defined]
    raise AssertionError(f"{key} did not reach {kind or ''} {name!r} in {limit} presses on {where}; it passed: {trail}")


def focused_name(page: object) -> str:
    """The accessible name of the element that has focus ("(page)" when nothing does)."""
    return str(page.evaluate(_FOCUS_PROBE, ["", False, None, True])["name"])  # type: ignore[attr-defined]


def skip_to_main(page: object) -> None:
    """On a freshly loaded page, follow the skip link so that Tab goes on from the main content. (A page
    whose address ends in #main, as after a form posted from one, already starts there.)"""
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    if page.evaluate("document.activeElement.closest('main') !== null"):  # type: ignore[attr-defined]
        page.keyboard.press("Shift+Tab")  # type: ignore[attr-defined]  # so that the next Tab comes back here
        return
    assert focused_name(page) == "Skip to main content", f"the first Tab went to {focused_name(page)!r}"
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert page.evaluate("document.activeElement.id") == "main", "the skip link did not move focus to <main>"  # type: ignore[attr-defined]


def activate(
    page: object, name: str, *, exact: bool = False, kind: str | None = None, navigates: bool = True, limit: int = 80
) -> None:
    """Tab to a link or button and press Enter; if `navigates`, wait for the page that this loads."""
    tab_to(page, name, exact=exact, kind=kind, limit=limit)
    if navigates:
        with page.expect_navigation():  # type: ignore[attr-defined]
            page.keyboard.press("Enter")  # type: ignore[attr-defined]
    else:
        page.keyboard.press("Enter")  # type: ignore[attr-defined]


def choose(page: object, name: str, *, key: str = "ArrowDown", limit: int = 20) -> None:
    """In a radio group (focus on one of its radios), press the arrow key until `name` is checked (or
    Space, if focus is already on it)."""
    for _ in range(limit):
        if name.lower() in focused_name(page).lower():
            if not page.evaluate("document.activeElement.checked"):  # type: ignore[attr-defined]
                page.keyboard.press("Space")  # type: ignore[attr-defined]
            return
        page.keyboard.press(key)  # type: ignore[attr-defined]
    raise AssertionError(f"{key} never reached {name!r}; focus is on {focused_name(page)!r}")


def choose_file(page: object, path: Path | str) -> None:
    """With focus on a file field, press Space (which opens the system's file dialog) and pick `path`."""
    with page.expect_file_chooser() as chooser:  # type: ignore[attr-defined]
        page.keyboard.press("Space")  # type: ignore[attr-defined]
    chooser.value.set_files(str(path))


def type_date(page: object, day: date) -> None:
    """Type a date into the focused date field. Debian's Chromium ships only the en-US locale, so its
    date fields read month/day/year whatever the page's language."""
    page.keyboard.type(day.strftime("%m%d%Y"))  # type: ignore[attr-defined]
    value = page.evaluate("document.activeElement.value")  # type: ignore[attr-defined]
    assert value == day.isoformat(), f"typed {day.isoformat()} into a date field, which holds {value!r}"


def type_time(page: object, hour: int, minute: int) -> None:
    """Type a time into the focused time field (12-hour clock with AM/PM in en-US)."""
    page.keyboard.type(f"{(hour % 12) or 12:02d}{minute:02d}{'P' if hour >= 12 else 'A'}")  # type: ignore[attr-defined]
    value = page.evaluate("document.activeElement.value")  # type: ignore[attr-defined]
    assert value == f"{hour:02d}:{minute:02d}", f"typed {hour}:{minute:02d} into a time field, which holds {value!r}"
