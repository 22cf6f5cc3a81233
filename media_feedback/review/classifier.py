"""Which framework area a sentence is about, from its embedding: a multinomial logistic regression.

The classes are the seven areas and "nothing in the framework". `fit` learns the weights from the
labelled examples (media_feedback/review/examples.csv and the framework's own criteria, each embedded
by `embedding.encode`); `manage.py fit_area_model` runs it and writes area_model.npz beside this file,
with a digest of what it was fitted on, so a test notices when the examples change and the weights
do not.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cohort.framework_data import AREAS

NOTHING = ""  # the class of sentences about nothing in the framework

# Words that say who is speaking, not what about: nearly every example has them, so left in they would
# make any sentence with them look like it is about the framework ("As a care leaver, hello"). The
# classifier reads every text without them, when fitted and when suggesting.
_WHO = re.compile(
    r"\b(?:care[- ](?:experienced?|leavers?)|estranged|estrangement|(?:been |being )?(?:in|through|left) care)\b",
    re.IGNORECASE,
)


def without_who(text: str) -> str:
    return " ".join(_WHO.sub(" ", text).split())


MODEL = Path(__file__).with_name("area_model.npz")
EXAMPLES = Path(__file__).with_name("examples.csv")


@dataclass(frozen=True)
class Weights:
    classes: tuple[str, ...]  # area slugs, and NOTHING
    w: Any  # (384, classes)
    b: Any  # (classes,)
    digest: str  # of the examples it was fitted on

    def probabilities(self, embeddings: Any) -> Any:
        import numpy as np

        z = embeddings @ self.w + self.b
        z = np.exp(z - z.max(1, keepdims=True))
        return z / z.sum(1, keepdims=True)


def digest(examples: list[tuple[str, str]]) -> str:
    """Of the examples and of how they are read (so a change to either asks for a new fit)."""
    h = hashlib.sha256(_WHO.pattern.encode())
    for label, text in examples:
        h.update(f"{label}\t{text}\n".encode())
    return h.hexdigest()


def fit(x: Any, labels: list[str], *, c: float = 8.0, steps: int = 4000) -> tuple[tuple[str, ...], Any, Any]:
    """Weights minimising the mean cross-entropy plus an L2 penalty of 1/(2·c·n)·|w|² (the bias is not
    penalised), by Nesterov's accelerated gradient descent. Rows of x have unit length, so the step
    1/L with L = 0.5 + penalty is safe."""
    import numpy as np

    classes = tuple(sorted(set(labels)))
    x = np.ascontiguousarray(x, dtype=np.float64)
    xt = np.ascontiguousarray(x.T)
    n, d = x.shape
    y = np.zeros((n, len(classes)))
    y[np.arange(n), [classes.index(label) for label in labels]] = 1.0
    penalty = 1.0 / (c * n)
    step = 1.0 / (0.5 + penalty)
    w = np.zeros((d, len(classes)))
    b = np.zeros(len(classes))
    w_prev, b_prev = w, b
    for t in range(1, steps + 1):
        momentum = (t - 1) / (t + 2)
        vw, vb = w + momentum * (w - w_prev), b + momentum * (b - b_prev)
        z = x @ vw + vb
        z = np.exp(z - z.max(1, keepdims=True))
        p = z / z.sum(1, keepdims=True)
        gw = xt @ (p - y) / n + penalty * vw
        gb = (p - y).mean(0)
        w_prev, b_prev = w, b
        w, b = vw - step * gw, vb - step * gb
    return classes, w.astype(np.float32), b.astype(np.float32)


def save(classes: tuple[str, ...], w: Any, b: Any, examples_digest: str, path: Path = MODEL) -> None:
    import numpy as np

    np.savez(path, classes=np.array(classes), w=w, b=b, digest=np.array(examples_digest))


@cache
def load(path: Path = MODEL) -> Weights:
    import numpy as np

    with np.load(path) as f:
        return Weights(tuple(str(c) for c in f["classes"]), f["w"], f["b"], str(f["digest"]))


def training_set() -> list[tuple[str, str]]:
    """(label, text) for every example: the statements in examples.csv, then each area's title with its
    summary and each of its criteria as the framework ships them."""
    with EXAMPLES.open(newline="") as f:
        examples = [(row["area"], row["statement"]) for row in csv.DictReader(f)]
    for slug, title, summary, criteria in AREAS:
        examples.append((slug, f"{title}. {summary}"))
        examples += [(slug, statement) for statement, _notes in criteria]
    return examples
