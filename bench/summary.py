"""Benchmark: draft a summary from 200 reviewed clips, then render its PDF. Prints both times.

Targets: draft < 1 s, PDF < 5 s. Runs on a throwaway SQLite database (or DATABASE_URL if set):
    .venv/bin/python bench/summary.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='qm-bench-')}/bench.sqlite3"

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.core.management import call_command  # noqa: E402

logging.disable(logging.INFO)

CLIPS = 200
SENTENCES = [
    "halls closed at Christmas so I had nowhere to go",
    "the bursary helped with rent but money was always tight",
    "my tutor gave me an extension on my assignment",
    "the named contact for care leavers checked in every week",
    "I felt lonely in my first term and the counselling list was long",
    "my social worker and the university never talked to each other",
    "an outreach summer school made me think university was for me",
    "induction week was overwhelming and nobody explained the transition",
    "they sent a survey but nothing changed afterwards",
    "the careers service found me a paid placement",
]


def main() -> None:
    call_command("migrate", verbosity=0)
    from cohort.models import Role
    from media_feedback.review import services as review
    from media_feedback.review.models import ClipReview, ClipTag, Quote, Redaction
    from media_feedback.review.pdf import version_pdf
    from tests import factories
    from tests.media_feedback.review.factories import make_call, make_clip

    rng = random.Random(7)
    cohort = factories.make_cohort("Bench cohort")
    fran = factories.make_user(f"Fran {cohort.slug}")
    fran_membership = factories.member(fran, cohort, Role.FACILITATOR)
    institutions = [factories.make_institution(f"Bench {cohort.slug} {i}", f"B{cohort.slug}{i}") for i in range(8)]
    for inst in institutions:
        factories.join(cohort, inst)
    areas = list(cohort.framework.areas.all())
    call = make_call(cohort)
    started = time.perf_counter()
    for n in range(CLIPS):
        text = "My name is Sam and " + ". ".join(rng.sample(SENTENCES, 4)) + "."
        clip = make_clip(call, institutions[n % 8], text, may_quote=n % 3 != 0)
        Redaction.objects.create(clip=clip, first_word=3, last_word=3)
        for a in rng.sample(areas, 2):
            ClipTag.objects.create(clip=clip, area=a)
        if n % 5 == 0 and n % 3 != 0:
            Quote.objects.create(
                clip=clip, area=rng.choice(areas), first_word=0, last_word=12, start_seconds=0, end_seconds=6
            )
        ClipReview.objects.create(clip=clip, reviewed_at=clip.created_at, reviewed_by=fran)
    print(f"set-up: {CLIPS} reviewed clips in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    body = review.draft_markdown(call)
    draft_seconds = time.perf_counter() - started
    document = review.create_summary(fran_membership, call)
    version = review.publish_summary(fran_membership, document)
    started = time.perf_counter()
    pdf = version_pdf(version)
    pdf_seconds = time.perf_counter() - started
    print(f"draft from {CLIPS} reviewed clips: {draft_seconds:.3f} s (target < 1 s), {len(body)} characters")
    print(f"PDF of the published version: {pdf_seconds:.3f} s (target < 5 s), {len(pdf) // 1024} KiB")


if __name__ == "__main__":
    main()
