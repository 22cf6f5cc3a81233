from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from media_feedback.review import classifier, embedding


class Command(BaseCommand):
    help = (
        "Fit the area classifier on media_feedback/review/examples.csv and the framework's criteria, and "
        "write media_feedback/review/area_model.npz (run after changing either)."
    )

    def handle(self, *args: object, **options: object) -> None:
        examples = classifier.training_set()
        started = time.monotonic()
        x = embedding.encode([classifier.without_who(text) for _label, text in examples])
        self.stdout.write(f"{len(examples)} examples embedded in {time.monotonic() - started:.0f} s")
        classes, w, b = classifier.fit(x, [label for label, _text in examples])
        classifier.save(classes, w, b, classifier.digest(examples))
        self.stdout.write(f"wrote {classifier.MODEL.name}: classes {', '.join(c or '(nothing)' for c in classes)}")
