from __future__ import annotations

from django.core.management.base import BaseCommand

import discussions.demo
import media_feedback.demo
import media_feedback.review.demo
import meetings.consultations.demo
import meetings.demo
from cohort import demo
from cohort.assessment import demo as assessment_demo
from cohort.demo import DEMO_PASSWORD
from cohort.sso import demo as sso_demo

# The self-assessments come first: the action items other apps add join the current cycle.
APP_SEEDS = [
    assessment_demo.seed,
    meetings.demo.seed,
    meetings.consultations.demo.seed,
    discussions.demo.seed,
    media_feedback.demo.seed,
    media_feedback.review.demo.seed,
    sso_demo.seed,
]


class Command(BaseCommand):
    help = "Load the demo cohort (idempotent) and print its log-ins."

    def handle(self, *args: object, **options: object) -> None:
        world = demo.seed()
        for seed in APP_SEEDS:
            seed(world)
        self.stdout.write(self.style.SUCCESS(f"Demo cohort ready: {world.cohort.name}"))
        self.stdout.write(f"Every demo account has the password: {DEMO_PASSWORD}")
        for label, email in world.logins():
            self.stdout.write(f"  {label:<45} {email}")
        self.stdout.write("Two-factor code for the facilitator or assessor: .venv/bin/python manage.py demo_totp EMAIL")
