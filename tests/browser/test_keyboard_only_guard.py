"""Every journey in the browser tests is driven by the keyboard alone (issue #9): this reads their source,
without a browser, and fails on any Playwright call that points, or that puts focus or text somewhere
without going there by Tab (a locator's `.press()` or `.type()` focuses its element first)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent
# Pointer actions, and shortcuts that set a control's state without the keyboard.
POINTER = {
    "click",
    "dblclick",
    "hover",
    "tap",
    "drag_to",
    "drag_and_drop",
    "fill",
    "clear",
    "check",
    "uncheck",
    "set_checked",
    "select_option",
    "select_text",
    "set_input_files",
    "dispatch_event",
    "focus",
}
POINTER_DEVICES = {"mouse", "touchscreen"}
# Keys and text are fine from `page.keyboard`; from a locator they first focus its element.
KEYBOARD_ONLY = {"press", "type", "press_sequentially", "insert_text"}
# Script that does the same from inside the page.
SCRIPT = re.compile(r"\.(click|focus|dispatchEvent)\s*\(|\.checked\s*=[^=]|\.value\s*=[^=]")


def pointer_uses(source: str) -> list[str]:
    """`line: what` for each pointer-only (or focus-skipping) use in a test module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr in POINTER_DEVICES:
                found.append(f"{node.lineno}: .{node.attr}")
            elif node.attr in POINTER:
                found.append(f"{node.lineno}: .{node.attr}()")
            elif node.attr in KEYBOARD_ONLY and not (
                isinstance(node.value, ast.Attribute) and node.value.attr == "keyboard"
            ):
                found.append(f"{node.lineno}: .{node.attr}() on something other than the keyboard")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SCRIPT.search(node.value):
            found.append(f"{node.lineno}: script {SCRIPT.search(node.value).group(0)!r}")  # type: ignore[union-attr]
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def browser_test_modules() -> list[Path]:
    return sorted(p for p in BROWSER_TESTS.glob("*.py") if p.name != Path(__file__).name)


def test_the_journeys_are_there_to_check() -> None:
    names = {p.name for p in browser_test_modules()}
    assert {"conftest.py", "test_login_journey.py", "test_keyboard_journey.py"} <= names
    assert len([n for n in names if n.endswith("_journey.py")]) >= 8


@pytest.mark.parametrize("module", browser_test_modules(), ids=lambda p: p.name)
def test_a_browser_test_uses_the_keyboard_alone(module: Path) -> None:
    assert pointer_uses(module.read_text()) == [], (
        f"{module.name} drives the page without the keyboard; reach controls with tab_to() and use "
        "page.keyboard (Enter, Space, arrow keys, typing) instead"
    )


@pytest.mark.parametrize(
    "line",
    [
        'page.get_by_role("button", name="Post").click()',
        'page.get_by_label("Email").fill("a@example.org")',
        'page.get_by_label("Accept").check()',
        'page.locator("#area").select_option(label="Admissions")',
        'page.get_by_label("File").set_input_files("clip.mp4")',
        "page.mouse.click(10, 10)",
        'page.get_by_text("Menu").hover()',
        'page.get_by_label("Text").press("Control+End")',
        'page.get_by_label("Text").type("hello")',
        "page.evaluate(\"document.querySelector('button').click()\")",
    ],
)
def test_the_guard_catches_pointer_and_focus_skipping_calls(line: str) -> None:
    assert pointer_uses(line) != []


@pytest.mark.parametrize(
    "line",
    [
        'page.keyboard.press("Enter")',
        'page.keyboard.type("hello")',
        'tab_to(page, "Post", exact=True)',
        'chooser.value.set_files("clip.mp4")',
        'page.get_by_text("Saved").is_visible()',
    ],
)
def test_the_guard_lets_the_keyboard_through(line: str) -> None:
    assert pointer_uses(line) == []
