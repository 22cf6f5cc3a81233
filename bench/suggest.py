"""Area suggestions measured on the labelled statements in tests/media_feedback/review/area_statements.csv.

Prints, for each part of the set: the share of statements whose first suggestion is their area
(top-1), whose area is among the first two (top-2), statements about an area that got no suggestion,
statements about nothing in the framework that got one, and the confusion table of first suggestions.

The parts: "tuning" (written with the lexicon, and among the classifier's examples, so its figures are
in-sample), "validation" (written apart from both, used once to choose how the lexicon and the
classifier are added up) and "held-out" (written by someone who saw only the areas' descriptions; never
used to change anything). `--lexicon-only` measures the lexicon as it suggested before the classifier.
    .venv/bin/python bench/suggest.py [--lexicon-only] [--show-misses tuning]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
import django  # noqa: E402

django.setup()

from media_feedback.review import embedding, suggest  # noqa: E402
from media_feedback.review.suggest import LEXICON, suggest_areas  # noqa: E402

STATEMENTS = ROOT / "tests" / "media_feedback" / "review" / "area_statements.csv"
SHORT = {slug: "".join(part[0] for part in slug.split("-") if part != "and").upper() for slug in LEXICON}


def load(split: str) -> list[dict[str, str]]:
    with STATEMENTS.open(newline="") as f:
        return [row for row in csv.DictReader(f) if row["split"] == split]


def measure(rows: list[dict[str, str]], show_misses: bool) -> None:
    about = [r for r in rows if r["area"]]
    top1 = top2 = silent = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for row in about:
        found = suggest_areas(row["statement"])
        slugs = [s.area_slug for s in found]
        top1 += slugs[:1] == [row["area"]]
        top2 += row["area"] in slugs[:2]
        silent += not slugs
        confusion[row["area"], slugs[0] if slugs else "-"] += 1
        if show_misses and slugs[:1] != [row["area"]]:
            got = "; ".join(f"{SHORT[s.area_slug]} {s.score:g} ({', '.join(s.matched)})" for s in found[:3])
            print(f"  miss {SHORT[row['area']]}: {row['statement']}\n        got: {got or 'nothing'}")
    noise = [r for r in rows if not r["area"]]
    false = [r["statement"] for r in noise if suggest_areas(r["statement"])]
    n = len(about)
    print(
        f"  statements about an area: {n}; top-1 {top1 / n:.1%} ({top1}), top-2 {top2 / n:.1%} ({top2}), no suggestion {silent}"
    )
    print(f"  statements about nothing in the framework: {len(noise)}; given a suggestion: {len(false)}")
    columns = [*LEXICON, "-"]
    print("  confusion (rows: labelled area, columns: first suggestion)")
    print("        " + " ".join(f"{SHORT.get(c, '-'):>4}" for c in columns))
    for slug in LEXICON:
        print(f"  {SHORT[slug]:>5} " + " ".join(f"{confusion[slug, c] or '.':>4}" for c in columns))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-misses", choices=["tuning", "validation"], default=None)
    parser.add_argument("--lexicon-only", action="store_true")
    args = parser.parse_args()
    if args.lexicon_only:
        suggest.reads = lambda language: False
    for split in ("tuning", "validation", "held-out"):
        rows = load(split)
        started = time.monotonic()
        embedding.encode([u for r in rows for u in suggest.sentences(r["statement"])])
        print(f"{split} ({len(rows)} statements, sentences embedded in {time.monotonic() - started:.1f} s):")
        measure(rows, args.show_misses == split)


if __name__ == "__main__":
    main()
