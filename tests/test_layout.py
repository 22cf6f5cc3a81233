"""The layout shows the architecture, and keeps showing it as code is added:

- every module of the project imports on its own, first, in any order (no import circles);
- no project code imports project code inside a function to dodge a circle;
- no app folds a second app into itself by file-name prefix, and no models module hides what it
  registers behind `import *`;
- the import contracts in `.importlinter` hold (the direction: apps on cohort, sub-domains on their core).
"""

from __future__ import annotations

import ast
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[1]
APPS = ["cohort", "meetings", "discussions", "media_feedback", "config"]

# Imports inside functions that are deliberate, with the reason. Anything else fails the suite.
LAZY_IMPORTS_ALLOWED = {
    # Django's idiom: signal receivers connect when the app is ready.
    ("cohort/apps.py", "cohort"),
}
LAZY_REASON = re.compile(r"#.*(lazy|heavy|only in the worker|worker only|PyAV|NumPy)", re.IGNORECASE)


def project_modules() -> list[str]:
    modules = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules.append(".".join(parts))
    return modules


def _import_in_order(order: list[str]) -> subprocess.CompletedProcess[str]:
    script = (
        "import importlib, os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "import django\n"
        "django.setup()\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *order],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "HOME": str(ROOT)},
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_every_module_imports_in_any_order(seed: int) -> None:
    order = project_modules()
    random.Random(seed).shuffle(order)
    result = _import_in_order(order)
    assert result.returncode == 0, result.stderr[-3000:]


def test_no_project_import_hides_inside_a_function() -> None:
    found = []
    for module in project_modules():
        path = ROOT / (module.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT / module.replace(".", "/") / "__init__.py"
        source = path.read_text()
        lines = source.splitlines()
        tree = ast.parse(source)
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    if name.split(".")[0] not in APPS:
                        continue
                    rel = str(path.relative_to(ROOT))
                    if (rel, name) in LAZY_IMPORTS_ALLOWED or LAZY_REASON.search(lines[node.lineno - 1]):
                        continue
                    found.append(f"{rel}:{node.lineno} imports {name} inside {func.name}()")
    assert found == [], "Move the code so imports run one way:\n" + "\n".join(found)


def test_no_app_folds_a_second_app_in_by_file_name_prefix() -> None:
    prefixed = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if re.match(r"(booking|review|assessment|audit)_", path.name)
    ]
    assert prefixed == []


def test_models_modules_import_sub_domain_models_by_name() -> None:
    star = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in ROOT.glob("*/models.py")
        for line in path.read_text().splitlines()
        if re.match(r"^from .* import \*", line)
    ]
    assert star == []


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]


# A route's numbers that are not row ids: a summary's version number within its document.
NOT_IDS = {"number"}


def test_every_route_names_its_ids_the_same_way() -> None:
    """An id in a path is `<thing>_id` (`<id:meeting_id>`, `<uuid:clip_id>`); slugs and tokens say what they are.
    Numbers use the bounded `id` converter (cohort/integers.py), never Django's unbounded `int`."""
    odd = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and not route.startswith(("admin/", "accounts/")):
                if "<int:" in route:
                    odd.append(f"{route}: use <id:…>, the bounded converter")
                for converter, name in re.findall(r"<(id|int|uuid):(\w+)>", route):
                    if not name.endswith("_id") and name not in NOT_IDS:
                        odd.append(f"{route}: <{converter}:{name}>")

    walk(get_resolver().url_patterns, "")
    assert odd == []
