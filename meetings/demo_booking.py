"""Consultations in the demo cohort (`manage.py seed_demo`). Must be idempotent."""

from __future__ import annotations

from cohort.demo import DemoWorld


def seed(world: DemoWorld) -> None:
    return None
