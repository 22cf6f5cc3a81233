"""Suggesting framework areas for a transcript from a keyword and phrase lexicon per area.

A suggestion carries the words that matched, shown to the facilitator as its reason. Terms are
lower case; a trailing `*` matches any ending ("accommodat*" matches "accommodation"); a term of
several words matches those words in a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

LEXICON: dict[str, list[str]] = {
    "culture-and-leadership": [
        "senior", "leadership", "leaders", "vice chancellor", "principal", "named contact", "named person",
        "champion", "culture", "stigma*", "judg*", "label*", "understood", "taken seriously", "care leaver policy",
        "commitment", "listened to", "listen*", "assumptions", "staff training", "trained", "inclusive",
        "nobody knew", "didn't know what care", "care experienced", "estrang*",
    ],
    "continuous-improvement": [
        "feedback", "survey*", "data", "evaluat*", "improv*", "asked us", "ask us", "asked me what",
        "nothing changed", "changed after", "monitor*", "track*", "outcomes", "consult*", "student voice",
        "focus group", "review*", "better next year", "lessons",
    ],
    "pre-entry-activity": [
        "open day*", "outreach", "summer school", "taster", "before i applied", "before applying",
        "school visit*", "visited", "ucas", "personal statement", "careers advi*", "at school", "sixth form",
        "college visit", "mentor* before", "information before", "didn't know university", "campus visit",
        "applying", "application",
    ],
    "admissions": [
        "admission*", "offer", "contextual", "interview*", "entry requirement*", "grades", "clearing",
        "enrol*", "applied", "accepted", "guaranteed", "reduced offer", "induction", "transition",
        "first week", "welcome week", "freshers", "moving in", "started", "starting",
    ],
    "student-wellbeing": [
        "mental health", "wellbeing", "counsell*", "anxi*", "lonely", "loneliness", "isolat*", "stress*",
        "accommodation", "housing", "halls", "rent", "year-round", "all year", "christmas", "holidays",
        "nowhere to go", "money", "bursar*", "grant", "hardship", "afford*", "food", "belong*", "friends",
        "support worker", "therap*", "panic", "struggl*", "homeless*", "bills", "debt",
    ],
    "student-success": [
        "grades", "assignment*", "exam*", "deadline*", "extension*", "lectur*", "tutor*", "study skills",
        "attainment", "marks", "degree", "graduat*", "placement*", "internship*", "career*", "job*",
        "employ*", "progress*", "dropp* out", "drop out", "pass*", "continu*", "academic", "dissertation",
        "second year",
    ],
    "collaborative-and-partnership-working": [
        "social worker", "local authority", "council", "leaving care", "personal adviser", "pa ",
        "virtual school", "foster*", "carer*", "partner*", "charit*", "other universities", "other colleges",
        "together", "joined up", "passed between", "work with", "worked with", "network", "signpost*",
        "referr*", "nhs", "housing association",
    ],
}  # fmt: skip

_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Suggestion:
    area_slug: str
    matched: tuple[str, ...]  # distinct words or phrases of the transcript that matched, in order

    @property
    def score(self) -> int:
        return len(self.matched)

    @property
    def reason(self) -> str:
        return "Mentions " + ", ".join(f"“{m}”" for m in self.matched)


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _term_matches(term_words: list[str], words: list[str], at: int) -> bool:
    if at + len(term_words) > len(words):
        return False
    for offset, pattern in enumerate(term_words):
        word = words[at + offset]
        if pattern.endswith("*"):
            if not word.startswith(pattern[:-1]):
                return False
        elif word != pattern:
            return False
    return True


_COMPILED: dict[str, list[list[str]]] = {
    slug: [term.lower().replace("’", "'").split() for term in terms if term.strip()] for slug, terms in LEXICON.items()
}


def _index(terms: list[list[str]]) -> tuple[dict[str, list[list[str]]], list[list[str]]]:
    """Terms by their exact first word, and the terms whose first word has a wildcard."""
    exact: dict[str, list[list[str]]] = {}
    wild: list[list[str]] = []
    for term in terms:
        if term[0].endswith("*"):
            wild.append(term)
        else:
            exact.setdefault(term[0], []).append(term)
    return exact, wild


_INDEX = {slug: _index(terms) for slug, terms in _COMPILED.items()}


def matches(words: list[str], slug: str) -> list[str]:
    """The distinct phrases of `words` that match the area's terms, in the order they occur."""
    exact, wild = _INDEX.get(slug, ({}, []))
    found: list[str] = []
    for at, word in enumerate(words):
        candidates = exact.get(word, [])
        candidates = candidates + [t for t in wild if word.startswith(t[0][:-1])] if wild else candidates
        for term in candidates:
            if _term_matches(term, words, at):
                phrase = " ".join(words[at : at + len(term)])
                if phrase not in found:
                    found.append(phrase)
    return found


def suggest_areas(text: str, *, only: Iterable[str] | None = None) -> list[Suggestion]:
    """Areas the text speaks to, strongest first (more distinct matches first, then framework order)."""
    words = tokens(text)
    slugs = list(only) if only is not None else list(LEXICON)
    suggestions = [Suggestion(slug, tuple(found)) for slug in slugs if (found := matches(words, slug))]
    order = {slug: i for i, slug in enumerate(LEXICON)}
    return sorted(suggestions, key=lambda s: (-s.score, order.get(s.area_slug, 99)))
