"""Reviewed clips and a published summary in the demo cohort. Must be idempotent."""

from __future__ import annotations

from cohort.demo import DemoWorld


def seed(world: DemoWorld) -> None:
    return None
