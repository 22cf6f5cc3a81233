"""The access matrix: every URL pattern of the project × every kind of visitor.

Each app lists its URL patterns in `tests/<app>/matrix_cases.py` as `CASES` (and websocket routes as
`WS_CASES`). `tests/test_access_matrix.py` fails when a pattern exists that no case lists, so every
new URL has to say who may reach it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ACTORS = ["anonymous", "member", "lead", "other_member", "other_facilitator", "facilitator", "assessor", "observer"]
# Actor → the World attribute holding that user.
ACTOR_USERS = {
    "member": "alice",
    "lead": "lena",
    "other_member": "bob",
    "other_facilitator": "olga",
    "facilitator": "fran",
    "assessor": "alex",
    "observer": "oscar",
}
EVERYONE_IN_COHORT = frozenset({"member", "lead", "other_member", "facilitator", "assessor", "observer"})
INSTITUTION_PRIVATE = frozenset({"member", "lead", "facilitator", "assessor"})  # Irwell's own, its assessor
FACILITATOR_ONLY = frozenset({"facilitator"})
ANY_SIGNED_IN = frozenset(ACTORS) - {"anonymous"}

Kwargs = Callable[[Any], dict[str, Any]]


@dataclass
class Case:
    """One URL pattern: how to fill it in for a World, and who may reach it.

    `allowed`: actors that are served (anything but 404 and 5xx). Everyone else signed in gets 404 and
    the database stays as it was; anonymous visitors are sent to log in, unless `public` (a link that
    carries its own secret token), where `public_status` says what anyone with the link gets.
    """

    name: str
    kwargs: Kwargs = lambda w: {"cohort": w.cohort.slug}
    allowed: frozenset[str] = EVERYONE_IN_COHORT
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] | None = None
    public: bool = False
    public_status: int = 200
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.id or f"{self.name}:{self.method}"


@dataclass
class WsCase:
    """One websocket route: the path for a World, and who may connect."""

    route: str  # the route pattern as written in routing.py
    path: Callable[[Any], str]
    allowed: frozenset[str] = EVERYONE_IN_COHORT
    id: str = ""


APPS = ["cohort", "config", "meetings", "discussions", "media_feedback"]


def _case_modules() -> list[ModuleType]:
    """Every `tests/<app>/**/matrix_cases*.py`: an app's rows, and each of its sub-domains' rows."""
    here = Path(__file__).resolve().parent
    modules = []
    for app in APPS:
        for path in sorted((here / app).rglob("matrix_cases*.py")):
            dotted = ".".join(path.relative_to(here).with_suffix("").parts)
            modules.append(importlib.import_module(f"tests.{dotted}"))
    return modules


def all_cases() -> list[Case]:
    return [case for module in _case_modules() for case in getattr(module, "CASES", [])]


def all_ws_cases() -> list[WsCase]:
    return [case for module in _case_modules() for case in getattr(module, "WS_CASES", [])]
