"""What is left of a clip after its last word is read on its own; when the model rates it as near
silence, whatever the hints made of it is not put in the transcript. Speech there is kept."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from media_feedback import tasks


def _segment(text: str, start: float, end: float, no_speech_prob: float) -> Any:
    word = type("Word", (), {"word": f" {text}", "start": start, "end": end})()
    seek = round(start * tasks.FRAMES_PER_SECOND)
    return type("Segment", (), {"words": [word], "seek": seek, "no_speech_prob": no_speech_prob})()


class FakeModel:
    def __init__(self, segments: list[Any]) -> None:
        self.segments = segments
        self.options: dict[str, Any] = {}

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        self.options = options
        return self.segments, None


def transcribe_with(segments: list[Any], settings: Any) -> tuple[list[str], FakeModel]:
    model = FakeModel(segments)
    key = (os.getpid(), tasks.model_path())
    tasks._models[key] = model
    try:
        words = tasks.transcribe_audio(np.zeros(tasks.SAMPLE_RATE * 5, dtype=np.float32), "bursary")
    finally:
        tasks._models.pop(key, None)
    return [w["word"] for w in words], model


def test_a_near_silent_last_stretch_adds_no_words(settings: Any) -> None:
    settings.TRANSCRIPTION_MODEL = "/models/fake.en"
    said = _segment("accommodation.", 0.0, 4.5, no_speech_prob=0.02)
    words, model = transcribe_with([said, _segment("students.", 4.6, 4.8, no_speech_prob=0.4)], settings)
    assert words == ["accommodation."]
    assert model.options["temperature"] == 0.0 and model.options["beam_size"] == tasks.BEAM_SIZE


def test_a_last_word_the_model_hears_as_speech_is_kept(settings: Any) -> None:
    settings.TRANSCRIPTION_MODEL = "/models/fake.en"
    said = _segment("accommodation", 0.0, 4.5, no_speech_prob=0.02)
    words, _ = transcribe_with([said, _segment("please.", 4.6, 4.9, no_speech_prob=0.05)], settings)
    assert words == ["accommodation", "please."]


def test_only_the_end_of_a_clip_is_judged_so(settings: Any) -> None:
    settings.TRANSCRIPTION_MODEL = "/models/fake.en"
    middle = _segment("estranged", 2.0, 2.6, no_speech_prob=0.4)  # 3 s of the clip still to come
    words, _ = transcribe_with([_segment("I", 0.0, 0.3, no_speech_prob=0.02), middle], settings)
    assert words == ["I", "estranged"]
