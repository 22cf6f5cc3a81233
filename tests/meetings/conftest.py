"""Fixtures for group meetings: the facilitator's membership and a meeting builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cohort.access import get_membership
from cohort.models import Cohort, Membership
from meetings.models import Meeting


@pytest.fixture
def fran_m(world) -> Membership:
    return get_membership(world.fran, world.cohort.slug)


@pytest.fixture
def make_meeting(world) -> Callable[..., Meeting]:
    def make(
        *, cohort: Cohort | None = None, days: float = 10, title: str = "Admissions", minutes: int = 90, **extra
    ) -> Meeting:
        starts: datetime = timezone.now().replace(second=0, microsecond=0) + timedelta(days=days)
        return Meeting.objects.create(
            cohort=cohort or world.cohort,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            **extra,
        )

    return make
