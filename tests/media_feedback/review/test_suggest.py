"""Area suggestions (the phrase lexicon and the sentence classifier), measured on labelled statements.

area_statements.csv holds three parts of 150 short statements, each 20 per area (half in a student's
voice, half in a staff member's) plus 10 about nothing in the framework:
- "tuning" was written with the lexicon and is among the classifier's examples (figures in-sample);
- "validation" was written apart from both, and chose how the two are added up;
- "held-out" was written by someone who saw only the areas' descriptions and is never used to change
  anything.
`bench/suggest.py` prints the same figures with the confusion tables.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from media_feedback.review import suggest
from media_feedback.review.suggest import LEXICON, suggest_areas

STATEMENTS = Path(__file__).with_name("area_statements.csv")


def statements(split: str) -> list[dict[str, str]]:
    with STATEMENTS.open(newline="") as f:
        return [row for row in csv.DictReader(f) if row["split"] == split]


@cache
def suggested(split: str) -> list[tuple[str, list[str]]]:
    """(labelled area, suggested areas) for each statement of a part, its sentences embedded at once."""
    from media_feedback.review import embedding

    rows = statements(split)
    embedding.encode([u for r in rows for u in suggest.sentences(r["statement"])])
    return [(r["area"], [s.area_slug for s in suggest_areas(r["statement"])]) for r in rows]


def test_the_set_has_twenty_statements_per_area_and_voice_in_each_part() -> None:
    for split in ("tuning", "validation", "held-out"):
        rows = statements(split)
        for slug in LEXICON:
            voices = [r["voice"] for r in rows if r["area"] == slug]
            assert voices.count("student") == voices.count("staff") == 10, (split, slug)


@pytest.mark.parametrize(
    ("split", "top1", "top2"),
    [
        # Measured when the classifier was added, and again after phrases were counted only in sentences
        # the classifier finds about the framework and run-on sentences were read clause by clause:
        # held-out 90.7% and 94.3%, one statement about an area without a suggestion (the lexicon alone:
        # 77.1%, 85.7%, 10); validation 85.0% and 95.0%, none (the lexicon alone: 67.1%, 78.6%, 15).
        ("held-out", 0.88, 0.93),
        ("validation", 0.83, 0.93),
    ],
)
def test_on_statements_neither_part_was_written_with_the_first_suggestion_is_mostly_right(
    split: str, top1: float, top2: float
) -> None:
    about = [(area, found) for area, found in suggested(split) if area]
    right = sum(found[:1] == [area] for area, found in about) / len(about)
    in_two = sum(area in found[:2] for area, found in about) / len(about)
    silent = sum(not found for _, found in about)
    assert right >= top1 and in_two >= top2 and silent <= 1, (right, in_two, silent)


def test_a_statement_about_nothing_in_the_framework_mostly_gets_no_suggestion() -> None:
    noise = [found for split in ("validation", "held-out") for area, found in suggested(split) if not area]
    assert len(noise) == 20 and sum(bool(found) for found in noise) <= 2, noise
    assert suggest_areas("The weather was grey and the trains were late.") == []


def test_each_suggestion_names_the_phrases_and_the_sentence_that_led_to_it() -> None:
    [first, *_] = suggest_areas(
        "Thanks for asking. I had nowhere to go over Christmas when the halls closed. Anyway, that's me."
    )
    assert first.area_slug == "student-wellbeing"
    assert first.reason == (
        "Mentions “nowhere to go”, “christmas”, “halls”, in “I had nowhere to go over Christmas when the halls closed.”"
    )


def test_a_sentence_the_lexicon_has_no_phrase_for_is_still_read() -> None:
    text = "Some weeks I skipped meals so the electric would not get cut off."
    assert suggest.read(suggest.tokens(text)) == []
    [first, *_] = suggest_areas(text)
    assert first.area_slug == "student-wellbeing"
    assert first.matched == () and first.reason == f"Speaks to it in “{text}”"


def test_a_long_transcript_is_read_sentence_by_sentence_and_without_punctuation_in_parts() -> None:
    words = [
        *("so yeah " * 30).split(),
        "the",
        "hardship",
        "fund",
        "paid",
        "my",
        "rent",
        "when",
        "my",
        "loan",
        "was",
        "late",
    ]
    parts = suggest.sentences(" ".join(words))
    assert [len(p.split()) for p in parts] == [40, 31]
    assert [s.area_slug for s in suggest_areas(" ".join(words))][:1] == ["student-wellbeing"]


def test_text_in_welsh_is_left_to_the_lexicon() -> None:
    """The classifier's model reads English only: a Welsh transcript gets only what the (English)
    lexicon finds in it, as before the classifier."""
    welsh = "Doedd gen i unman i fynd dros y Nadolig pan gaeodd y neuaddau."
    assert suggest_areas(welsh, language="cy") == []
    english = "I could not pay the rent for my room."
    assert [s.area_slug for s in suggest_areas(english, language="cy")] == ["student-wellbeing"]


def test_words_that_only_say_who_is_speaking_suggest_nothing() -> None:
    """A third of all statements used to be suggested as culture and leadership because they said
    "care experienced"."""
    text = "As a care experienced student who is estranged, I wanted to say something."
    assert suggest_areas(text) == [] and suggest_areas(text, language="cy") == []


def test_a_phrase_is_read_in_its_context() -> None:
    """The lexicon's own reading (the classifier is not asked)."""

    def first(text: str) -> str | None:
        found = suggest_areas(text, language="cy")
        return found[0].area_slug if found else None

    assert first("The attainment gap for care leavers is closing.") == "continuous-improvement"
    assert first("My placement year at a bank got me a graduate job.") == "student-success"
    assert first("My care placement broke down and I moved again.") is None
    assert first("The support on offer was good.") is None
    assert first("I got an offer even though my grades were lower.") == "admissions"
    assert first("My social worker did a great job.") == "collaborative-and-partnership-working"


def test_one_hint_alone_is_not_a_suggestion() -> None:
    for language in ("en", "cy"):
        assert suggest_areas("We painted the common room.", language=language) == []
        assert [s.area_slug for s in suggest_areas("I could not pay the rent for my room.", language=language)][:1] == [
            "student-wellbeing"
        ]


def test_the_sentence_quoted_holds_the_phrases_named_and_small_talk_lends_them_nothing() -> None:
    """From the re-test: "arrived" in a sentence about the bursary was quoted with another sentence,
    and a run-on sentence of small talk hid the one about a student's mental health."""
    text = (
        "Hi, how are you doing today? I had pasta for lunch. Honestly, the bursary for care leavers "
        "arrived late and I nearly could not pay my rent. Thanks."
    )
    for found in suggest_areas(text):
        assert found.sentence == (
            "Honestly, the bursary for care leavers arrived late and I nearly could not pay my rent."
        ), found
    run_on = (
        "The weather is nice, my tutor helped me when I was struggling with my mental health and I did "
        "not feel alone, I like pizza."
    )
    [first, *_] = suggest_areas(run_on)
    assert first.area_slug == "student-wellbeing"
    assert first.sentence.startswith("my tutor helped me") and "pizza" not in first.sentence
    assert suggest_areas("My parcel came late, so I had pasta for lunch and played football after.") == []
