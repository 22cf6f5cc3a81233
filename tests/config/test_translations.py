"""Every word a person reads can be read in Welsh (issue #21).

- Templates: text between tags, and the attributes people read (title, alt, placeholder, aria-label…),
  is inside {% translate %} / {% blocktranslate %}; string literals passed to tags are `_("…")`.
- Python: strings that reach a person — messages, form and model labels, validation errors, choices,
  e-mail subjects — are wrapped in gettext (or gettext_lazy, ngettext…).
- JavaScript: text put on the page goes through gettext() from Django's JavaScript catalogue.
- The Welsh catalogue has a translation, not fuzzy, for every message the code has today.

Each check enumerates every file, so a new page or module is covered the day it is written.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
APPS = ("cohort", "config", "meetings", "discussions", "media_feedback")
TEMPLATE_DIRS = [ROOT / "templates"]
LOCALE = ROOT / "locale"

# Words that are the same in every language: names, not text to translate.
NAMES = {"QM Cohort", "NNECL", "English", "Cymraeg", "Microsoft Entra ID", "SAML", "OpenID Connect"}
# Attributes whose values people read (screen readers included).
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription", "summary"}
WORD = re.compile(r"[A-Za-z]{2,}")
MASK = "\x00"


def _has_words(text: str) -> bool:
    text = text.replace(MASK, " ")
    for name in NAMES:
        text = text.replace(name, " ")
    text = re.sub(r"&[a-zA-Z]+;|&#\d+;", " ", text)
    return bool(WORD.search(text))


def template_files() -> list[Path]:
    files: list[Path] = []
    for directory in TEMPLATE_DIRS:
        files += [p for p in directory.rglob("*") if p.suffix in {".html", ".txt", ".ics", ".xml"}]
    for app in APPS:
        files += [p for p in (ROOT / app).rglob("templates/**/*") if p.suffix in {".html", ".txt"}]
    return sorted(files)


class _VisibleText(HTMLParser):
    """Text nodes and read attributes of a template whose template tags are masked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self.skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "code", "kbd", "samp"}:  # code, and values typed as they are
            self.skip += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES) and _has_words(value):
                self.found.append(f'{name}="{value}"')
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            value = values.get("value")
            if value and _has_words(value):
                self.found.append(f'value="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "code", "kbd", "samp"} and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and _has_words(data):
            self.found.append(data.strip())


# A string literal in a tag or variable: fine when it is _("…") or when it is not prose (a template
# name, a URL name, a date format, a CSS class).
LITERAL = re.compile(r"""(?<![\w(])(["'])(.*?)\1""")
NOT_PROSE = re.compile(r"^[\w./:#?=&%-]*$")
DATE_FILTER = re.compile(r"""\|\s*(date|time)\s*:\s*$""")
TAGS_WITHOUT_PROSE = {"load", "url", "static", "extends", "include", "block", "endblock", "csrf_token", "now"}


def _unmarked_literals(token: str) -> list[str]:
    bits = token.split()
    if bits and bits[0] in {"translate", "trans", "blocktranslate", "blocktrans"}:
        return []
    found = []
    for match in LITERAL.finditer(token):
        before = token[: match.start()]
        text = match.group(2)
        if before.endswith("_("):
            continue
        if DATE_FILTER.search(before) or NOT_PROSE.match(text) or not _has_words(text):
            continue
        if " " not in text.strip():
            continue  # a single word literal is a key, a class or a format, not a sentence
        if bits and bits[0] in TAGS_WITHOUT_PROSE and not re.search(r"\bwith\b", token):
            continue
        found.append(text)
    return found


def unmarked_in_template(path: Path) -> list[str]:
    source = path.read_text()
    masked: list[str] = []
    literals: list[str] = []
    inside = None  # "blocktranslate", "comment" or "verbatim"
    for token in Lexer(source).tokenize():
        content = token.contents.strip()
        head = content.split()[0] if content else ""
        if inside:
            if token.token_type is TokenType.BLOCK and head == f"end{inside}":
                inside = None
            masked.append(MASK)
            continue
        if token.token_type is TokenType.BLOCK and head in {"blocktranslate", "blocktrans"}:
            inside = "blocktranslate" if head == "blocktranslate" else "blocktrans"
            literals += _unmarked_literals(content)
        elif token.token_type is TokenType.BLOCK and head in {"comment", "verbatim"}:
            inside = head
        if token.token_type is TokenType.TEXT:
            masked.append(token.contents)
        else:
            masked.append(MASK)
            if token.token_type in {TokenType.BLOCK, TokenType.VAR}:
                literals += _unmarked_literals(content)
    text = "".join(masked)
    if path.suffix == ".html":
        parser = _VisibleText()
        parser.feed(text)
        found = parser.found
    else:  # plain-text e-mails and calendar files: every line is read
        found = [line.strip() for line in text.splitlines() if _has_words(line)]
    return found + [f"literal {t!r}" for t in literals]


def test_every_template_string_is_marked_for_translation() -> None:
    problems = {}
    for path in template_files():
        found = unmarked_in_template(path)
        if found:
            problems[str(path.relative_to(ROOT))] = found[:5]
    assert not problems, "text not marked for translation (use {% translate %} / {% blocktranslate %}):\n" + "\n".join(
        f"{name}: {found}" for name, found in problems.items()
    )


# Python: where a string reaches a person.
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "format_lazy",
}
READ_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "subject",
    "title",
    "heading",
    "button",
    "back_label",
    "undo",
    "consequences",
    "message",
    "summary",
    "description",
}
MESSAGE_FUNCTIONS = {"success", "info", "warning", "error", "debug", "add_message"}
RAISED = {"ValidationError"}
MODEL_FIELDS = re.compile(
    r"(Char|Text|Email|URL|Slug|Integer|PositiveSmallInteger|PositiveInteger|Boolean|Date|DateTime|Time|File|Decimal|Float|UUID|Duration|JSON|Foreign|OneToOne|ManyToMany)Field$"
)


def python_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = set(path.relative_to(ROOT).parts)
            if parts & {"migrations", "management"} or path.name in {"demo.py", "settings.py"}:
                continue
            files.append(path)
    return sorted(files)


def _is_prose(node: ast.AST) -> bool:
    """A literal (or an f-string, a concatenation or %-format of literals) with words in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _has_words(node.value) and not NOT_PROSE.match(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_is_prose(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _is_prose(node.left) or _is_prose(node.right)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_is_prose(e) for e in node.elts)
    if isinstance(node, ast.IfExp):
        return _is_prose(node.body) or _is_prose(node.orelse)
    return False


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


class _Reached(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.in_choices = 0

    def _flag(self, node: ast.AST) -> None:
        if _is_prose(node):
            self.found.append((node.lineno, ast.unparse(node)[:80]))  # type: ignore[attr-defined]

    def visit_Call(self, node: ast.Call) -> None:
        name = _callee(node)
        if name in GETTEXT:
            return  # marked; its arguments are the msgid
        if name in MESSAGE_FUNCTIONS and isinstance(node.func, ast.Attribute) and len(node.args) >= 2:
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "messages":
                self._flag(node.args[-1] if name != "add_message" else node.args[2])
        if name in RAISED and node.args:
            self._flag(node.args[0])
        if name == "add_error" and len(node.args) >= 2:
            self._flag(node.args[1])
        if MODEL_FIELDS.search(name) and node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr)):
            self._flag(node.args[0])  # a model field's verbose name, given first
        for keyword in node.keywords:
            if keyword.arg in READ_KEYWORDS:
                self._flag(keyword.value)
            if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                for value in keyword.value.values:
                    self._flag(value)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {ast.unparse(b) for b in node.bases}
        if any(b.endswith(("TextChoices", "IntegerChoices", "Choices")) for b in bases):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    self._flag(statement.value.elts[-1])
        self.generic_visit(node)


def unmarked_in_python(path: Path) -> list[tuple[int, str]]:
    visitor = _Reached()
    visitor.visit(ast.parse(path.read_text()))
    return visitor.found


def test_every_python_string_a_person_reads_is_marked_for_translation() -> None:
    problems = {}
    for path in python_files():
        found = unmarked_in_python(path)
        if found:
            problems[str(path.relative_to(ROOT))] = found[:5]
    assert not problems, "strings people read, not marked for translation (wrap them in _()):\n" + "\n".join(
        f"{name}: {found}" for name, found in problems.items()
    )


# JavaScript: text put into the page.
JS_SINKS = re.compile(
    r"""(?:\.(?:textContent|innerText|title|placeholder|alt)\s*=\s*|setAttribute\(\s*["'](?:aria-label|title|alt|placeholder)["']\s*,\s*|\b(?:alert|confirm)\()\s*(["'`])((?:(?!\1).)*)\1"""
)


def test_every_javascript_string_put_on_the_page_is_marked_for_translation() -> None:
    problems = {}
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        found = [
            m.group(2)
            for m in JS_SINKS.finditer(path.read_text())
            if _has_words(re.sub(r"\$\{[^}]*\}", "", m.group(2)))
        ]
        if found:
            problems[path.name] = found[:5]
    assert not problems, "JavaScript text not going through gettext():\n" + "\n".join(
        f"{name}: {found}" for name, found in problems.items()
    )


def _msgid(block: str) -> str:
    """The msgid of one entry of a .po file, its quoted lines joined and unescaped."""
    found = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
    if not found:
        return ""
    return "".join(ast.literal_eval(line) for line in found.group(1).split("\n") if line.strip())


def _require_gettext() -> None:
    """GNU gettext builds the catalogues (the set-up compiles them with msgfmt): without it these checks
    cannot run, and that is a failure of the machine's set-up, not a reason to skip."""
    missing = [tool for tool in ("xgettext", "msgcmp", "msgattrib", "msgfmt") if shutil.which(tool) is None]
    assert not missing, f"GNU gettext is missing ({', '.join(missing)}): install Debian's gettext (.ci/run does)"


def _catalogue(domain: str) -> Path:
    return LOCALE / "cy" / "LC_MESSAGES" / f"{domain}.po"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_welsh_catalogue_translates_every_message(domain: str, tmp_path: Path) -> None:
    """Extracts the messages afresh from the code (as `make messages` does) and compares: every one
    needs a Welsh translation in locale/cy, and none may be fuzzy."""
    from django.core.management import call_command
    from django.test import override_settings

    _require_gettext()
    # A copy of the code beside an empty catalogue, so that extracting never touches the real one.
    project = tmp_path / "project"
    skip = shutil.ignore_patterns("__pycache__", "migrations", "*.pyc", "*.mo", "*.po")
    for part in (*APPS, "templates", "static"):
        shutil.copytree(ROOT / part, project / part, ignore=skip)
    fresh = project / "locale"
    (fresh / "cy" / "LC_MESSAGES").mkdir(parents=True)
    here = Path.cwd()
    try:
        os.chdir(project)
        with override_settings(LOCALE_PATHS=[fresh]):
            call_command(
                "makemessages",
                locale=["cy"],
                domain=domain,
                extensions=["html", "txt", "py", "ics"] if domain == "django" else ["js"],
                verbosity=0,
            )
    finally:
        os.chdir(here)
    extracted = fresh / "cy" / "LC_MESSAGES" / f"{domain}.po"
    committed = _catalogue(domain)
    assert committed.exists(), f"{committed.relative_to(ROOT)} is missing: run `make messages` and translate"
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(committed)], capture_output=True, text=True
    )
    assert "msgid" not in fuzzy.stdout.split("\n\n", 1)[-1], f"fuzzy Welsh messages:\n{fuzzy.stdout[:3000]}"
    compared = subprocess.run(["msgcmp", str(committed), str(extracted)], capture_output=True, text=True)
    assert compared.returncode == 0, (
        "messages without Welsh (run `make messages`, then translate):\n" + compared.stderr[:4000]
    )
    checked = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(committed)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_log_in_and_two_factor_pages_of_django_allauth_are_in_welsh_too() -> None:
    """allauth ships no Welsh: locale/libraries holds it. Every message of the parts the product uses
    (accounts, two-factor, single sign-on) has Welsh, also after an upgrade brings new ones."""
    import allauth

    _require_gettext()
    library = LOCALE / "libraries" / "cy" / "LC_MESSAGES" / "django.po"
    # Any of allauth's own catalogues lists every message it has (German is complete upstream).
    upstream = Path(allauth.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
    unused = ("usersessions", "idp/", "openid/", "headless", "socialaccount/providers/")
    wanted = subprocess.run(
        ["msgattrib", "--no-obsolete", "--clear-fuzzy", str(upstream)], capture_output=True, text=True
    )
    blocks = [
        block
        for block in wanted.stdout.split("\n\n")[1:]
        if not all(
            any(u in ref for u in unused) for ref in re.findall(r"^#: (.*)$", block, re.M) for ref in ref.split()
        )
    ]
    assert blocks, "allauth's catalogue could not be read"
    ours = {_msgid(block) for block in library.read_text().split("\n\n")}
    missing = [m[:80] for m in (_msgid(block) for block in blocks) if m and m not in ours]
    assert not missing, f"allauth messages without Welsh in {library.relative_to(ROOT)}: {missing[:10]}"
    untranslated = subprocess.run(["msgattrib", "--untranslated", str(library)], capture_output=True, text=True)
    assert "msgid" not in untranslated.stdout.split("\n\n", 1)[-1], untranslated.stdout[:2000]
