"""The NumPy forward pass of all-MiniLM-L6-v2 gives the model's own embeddings, and the stored area
classifier is the one its examples give."""

from __future__ import annotations

import numpy as np
import pytest

from media_feedback.review import classifier, embedding

# Computed with sentence-transformers 6.3.0 and PyTorch 2.13 (CPU) from the same wheel's files, in an
# environment of their own: the first six dimensions and the last of each normalised embedding.
REFERENCE = {
    "Nobody told me about the care leavers' bursary until my second year.": (
        [0.04318, 0.03778, 0.03401, 0.03979, 0.02401, 0.00821],
        0.05758,
    ),
    "The weather was grey and the trains were late.": (
        [-0.01175, 0.07278, 0.13103, 0.14599, 0.05721, 0.01885],
        0.05457,
    ),
}


def test_the_embeddings_are_the_models_own() -> None:
    texts = list(REFERENCE)
    found = embedding.encode(texts)
    assert found.shape == (2, 384)
    for row, text in zip(found, texts, strict=True):
        first, last = REFERENCE[text]
        assert row[:6] == pytest.approx(first, abs=2e-5)
        assert row[383] == pytest.approx(last, abs=2e-5)
        assert float(np.linalg.norm(row)) == pytest.approx(1.0, abs=1e-5)


def test_sentences_that_mean_the_same_are_close_and_others_are_not() -> None:
    rent, holidays, weather = embedding.encode(
        [
            "I couldn't afford the rent over the summer.",
            "Paying for accommodation in the holidays was impossible for me.",
            "The weather was grey and the trains were late.",
        ]
    )
    assert float(rent @ holidays) == pytest.approx(0.5694, abs=1e-3)
    assert float(rent @ weather) == pytest.approx(0.0863, abs=1e-3)


def test_a_batch_gives_what_each_text_gives_alone_whatever_its_padding() -> None:
    texts = ["Short.", "A much longer sentence about the bursary, the guarantor and the summer rent."]
    together = embedding.encode(texts, batch=2)
    embedding._recent.clear()
    alone = np.vstack([embedding.encode([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_the_stored_classifier_was_fitted_on_the_examples_as_they_are() -> None:
    """After changing examples.csv or the framework's criteria, run `manage.py fit_area_model`."""
    model = classifier.load()
    assert model.digest == classifier.digest(classifier.training_set())
    assert set(model.classes) == {
        classifier.NOTHING,
        "culture-and-leadership",
        "continuous-improvement",
        "pre-entry-activity",
        "admissions",
        "student-wellbeing",
        "student-success",
        "collaborative-and-partnership-working",
    }
    assert model.w.shape == (384, 8)


def test_fitting_separates_what_can_be_separated() -> None:
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(3, 384))
    x = np.vstack([c + 0.3 * rng.normal(size=(40, 384)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = [label for label in ("a", "b", classifier.NOTHING) for _ in range(40)]
    classes, w, b = classifier.fit(x, labels, steps=300)
    weights = classifier.Weights(classes, w, b, "")
    predicted = [classes[i] for i in weights.probabilities(x).argmax(1)]
    assert predicted == labels
