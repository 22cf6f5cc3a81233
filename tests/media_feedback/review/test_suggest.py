"""Area suggestions from the weighted phrase lexicon, measured on labelled statements.

area_statements.csv holds 300 short statements, 20 per area in a student's and a staff voice plus 20
about nothing in the framework. The tuning half was written with the lexicon; the held-out half was
written by someone who saw only the areas' descriptions, never the lexicon, and is not used to change
it. `bench/suggest.py` prints the same figures with the confusion table.
"""

from __future__ import annotations

import csv
from pathlib import Path

from media_feedback.review.suggest import LEXICON, suggest_areas

STATEMENTS = Path(__file__).with_name("area_statements.csv")


def statements(split: str) -> list[dict[str, str]]:
    with STATEMENTS.open(newline="") as f:
        return [row for row in csv.DictReader(f) if row["split"] == split]


def test_the_set_has_twenty_statements_per_area_and_voice_in_each_half() -> None:
    for split in ("tuning", "held-out"):
        rows = statements(split)
        for slug in LEXICON:
            voices = [r["voice"] for r in rows if r["area"] == slug]
            assert voices.count("student") == voices.count("staff") == 10, (split, slug)


def test_on_statements_the_lexicon_never_saw_the_first_suggestion_is_mostly_right() -> None:
    """Measured when the held-out half arrived: top-1 77.9%, top-2 85.7% (the lexicon before this
    one: 52.9% and 67.1%). A change that makes it worse fails here."""
    rows = [r for r in statements("held-out") if r["area"]]
    found = [[s.area_slug for s in suggest_areas(r["statement"])] for r in rows]
    top1 = sum(f[:1] == [r["area"]] for f, r in zip(found, rows, strict=True)) / len(rows)
    top2 = sum(r["area"] in f[:2] for f, r in zip(found, rows, strict=True)) / len(rows)
    assert top1 >= 0.77 and top2 >= 0.85, (top1, top2)


def test_a_statement_about_nothing_in_the_framework_mostly_gets_no_suggestion() -> None:
    noise = [r["statement"] for split in ("tuning", "held-out") for r in statements(split) if not r["area"]]
    suggested = [text for text in noise if suggest_areas(text)]
    assert len(noise) == 20 and len(suggested) <= 2, suggested
    assert suggest_areas("The weather was grey and the trains were late.") == []


def test_each_suggestion_names_the_phrases_that_led_to_it() -> None:
    [first, *_] = suggest_areas("I had nowhere to go over Christmas when the halls closed.")
    assert first.area_slug == "student-wellbeing"
    assert first.reason == "Mentions “nowhere to go”, “christmas”, “halls”"


def test_words_that_only_say_who_is_speaking_suggest_nothing() -> None:
    """A third of all statements used to be suggested as culture and leadership because they said
    "care experienced"."""
    assert suggest_areas("As a care experienced student who is estranged, I wanted to say something.") == []


def test_a_phrase_is_read_in_its_context() -> None:
    def first(text: str) -> str | None:
        found = suggest_areas(text)
        return found[0].area_slug if found else None

    assert first("The attainment gap for care leavers is closing.") == "continuous-improvement"
    assert first("My placement year at a bank got me a graduate job.") == "student-success"
    assert first("My care placement broke down and I moved again.") is None
    assert first("The support on offer was good.") is None
    assert first("I got an offer even though my grades were lower.") == "admissions"
    assert first("My social worker did a great job.") == "collaborative-and-partnership-working"


def test_one_hint_alone_is_not_a_suggestion() -> None:
    assert suggest_areas("We painted the common room.") == []
    assert [s.area_slug for s in suggest_areas("I could not pay the rent for my room.")] == ["student-wellbeing"]
