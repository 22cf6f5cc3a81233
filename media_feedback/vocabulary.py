"""The words a clip is likely to hold, given to the speech model as hints.

A small speech model knows everyday English well and this field's words badly: "estranged",
"bursary", "personal adviser" and "NNECL" come out as near-homophones. faster-whisper can be told
what to expect (`hotwords`, placed before every 30-second window it decodes), which makes those
words win when the sound allows them; it does not make the model hear them where they were not said
(bench/transcripts.py measures both).

The hints come from three places: a short list of the field's terms (below), the titles of the
framework's areas and the rarer words of their criteria, and the call's own questions. Pure
functions: the worker passes in the call's text and a way to count the model's tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# Terms of the field that students and staff say and that the model tends to miss, spelled as a
# facilitator would want to read them.
DOMAIN_TERMS = (
    "care leavers' bursary",
    "care leaver",
    "care-experienced",
    "estranged",
    "estrangement",
    "personal adviser",
    "Quality Mark",
    "NNECL",
    "local authority",
    "virtual school",
    "designated teacher",
    "corporate parent",
    "year-round accommodation",
    "hardship fund",
    "guarantor",
    "student finance",
)

# faster-whisper keeps at most 223 tokens of hints; a shorter list leaves room for the text the
# model has already heard (which it also takes as context) and keeps decoding quick.
HINT_TOKENS = 160
RARE_WORD_TOKENS = 2  # a word the model's tokenizer splits into this many pieces or more is "rare"
WORD = re.compile(r"[A-Za-z][A-Za-z'-]{4,}")


def hint_text(
    *,
    questions: Iterable[str],
    areas: Iterable[tuple[str, Iterable[str]]],
    count_tokens: Callable[[str], int],
    budget: int = HINT_TOKENS,
) -> str:
    """One line of hints within `budget` tokens: the call's questions, the field's terms, the
    framework's area titles, then rare words from its criteria (areas as (title, criteria))."""
    areas = [(title, list(criteria)) for title, criteria in areas]
    phrases: list[str] = [q.strip().rstrip("?.!") for q in questions if q.strip()]
    phrases += DOMAIN_TERMS
    phrases += [title for title, _ in areas]
    seen = {w.lower() for p in phrases for w in WORD.findall(p)}
    for _, criteria in areas:
        for statement in criteria:
            for word in WORD.findall(statement):
                key = word.lower()
                if key in seen or "'" in key:  # possessives add nothing the plain word does not
                    continue
                seen.add(key)
                if count_tokens(" " + key) >= RARE_WORD_TOKENS:
                    phrases.append(key)
    chosen: list[str] = []
    for phrase in phrases:
        candidate = ", ".join([*chosen, phrase])
        if count_tokens(" " + candidate) > budget:
            break
        chosen.append(phrase)
    return ", ".join(chosen)
