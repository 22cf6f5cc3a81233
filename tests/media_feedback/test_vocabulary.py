"""The speech model is told which words to expect: the call's questions, the field's terms and the
framework's; a student's clip full of those words comes back with them spelled right."""

from __future__ import annotations

import pytest

from cohort.models import Area
from media_feedback import tasks, vocabulary
from media_feedback.models import Clip
from tests.media_feedback.factories import consent
from tests.media_feedback.make_fixtures import speech_wav


def words_in(text: str) -> int:
    return len(text.split())


def test_the_hints_put_the_questions_and_the_fields_terms_first_and_keep_within_the_budget() -> None:
    hints = vocabulary.hint_text(
        questions=["What helped you most?", "", "What would you change?"],
        areas=[
            ("Student wellbeing", ["Accommodation is available all year round, including vacations."]),
            ("Admissions", ["Admissions policy considers estrangement as context."]),
        ],
        count_tokens=words_in,
        budget=1000,
    )
    phrases = hints.split(", ")
    assert phrases[:2] == ["What helped you most", "What would you change"]
    assert "care leavers' bursary" in phrases and "personal adviser" in phrases and "NNECL" in phrases
    assert "Student wellbeing" in phrases and "Admissions" in phrases
    # Words of the criteria join only if the model would find them hard (here: counted as one piece
    # each, so none), and never twice.
    assert "accommodation" not in phrases and len(phrases) == len(set(phrases))

    short = vocabulary.hint_text(questions=["What helped you most?"], areas=[], count_tokens=words_in, budget=12)
    assert words_in(short) <= 12
    assert short.startswith("What helped you most, care leavers' bursary")


def test_rare_words_of_the_criteria_are_added_by_the_models_own_count() -> None:
    def pieces(text: str) -> int:  # a stand-in tokenizer: long words take two pieces
        return sum(2 if len(w) > 9 else 1 for w in text.split())

    hints = vocabulary.hint_text(
        questions=[],
        areas=[("Student success", ["Employability support and internships reach these students' tutors."])],
        count_tokens=pieces,
    )
    assert hints.endswith("Student success, employability, internships")


@pytest.mark.django_db
def test_a_calls_hints_hold_its_questions_and_its_areas(feedback_call) -> None:
    model = tasks.load_model(tasks.model_path())
    hints = tasks.call_hints(feedback_call, tasks.token_counter(model))
    assert hints.startswith("What helped you most, What would you change, care leavers' bursary")
    # A call about no area in particular: the whole framework's titles.
    for title in ("Culture and leadership", "Student wellbeing", "Collaborative and partnership working"):
        assert title in hints
    assert tasks.token_counter(model)(" " + hints) <= vocabulary.HINT_TOKENS
    # A call about some areas: only theirs.
    feedback_call.areas.set(Area.objects.filter(slug="admissions"))
    hints = tasks.call_hints(feedback_call, tasks.token_counter(model))
    assert "Admissions" in hints and "Student wellbeing" not in hints


@pytest.mark.usefixtures("immediate_tasks")
def test_a_clip_full_of_the_fields_words_is_transcribed_with_them(irwell_link, tus_put, tmp_path) -> None:
    said = "As an estranged student I applied for the care leavers' bursary, and my personal adviser helped."
    clip, _ = consent(irwell_link)
    tus_put(clip, speech_wav(tmp_path / "domain.wav", said).read_bytes())
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY
    text = clip.transcript.text.lower()
    for word in ("estranged", "bursary", "personal adviser"):
        assert word in text, text
