"""An award date lies between the self-assessment's (last) submission and today, both included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cohort.access import get_membership
from cohort.assessment import services as assessment
from cohort.models import SelfAssessment
from tests.cohort.assessment.factories import self_assessment

pytestmark = pytest.mark.django_db

SUBMITTED = datetime(2026, 10, 5, 23, 30, tzinfo=UTC)  # 6 October in London (summer time)
TODAY = "2026-11-02 09:00Z"


@pytest.fixture
def recommended(world) -> SelfAssessment:
    sa = self_assessment(world.cohort, world.irwell)
    SelfAssessment.objects.filter(pk=sa.pk).update(status=SelfAssessment.Status.RECOMMENDED, submitted_at=SUBMITTED)
    sa.refresh_from_db()
    return sa


@pytest.mark.parametrize("day", [date(2026, 10, 6), date(2026, 11, 2)], ids=["the day of submission", "today"])
def test_the_award_may_be_dated_from_the_submission_to_today(recommended, world, day) -> None:
    with time_machine.travel(TODAY, tick=False):
        awarded = assessment.record_award(get_membership(world.fran, world.cohort.slug), recommended, awarded_on=day)
    assert awarded.awarded_on == day


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2026, 10, 5), "cannot be before the self-assessment was submitted (6 October 2026)"),
        (date(2020, 1, 1), "cannot be before the self-assessment was submitted (6 October 2026)"),
        (date(2026, 11, 3), "cannot be in the future"),
    ],
    ids=["the day before submission", "1 January 2020", "tomorrow"],
)
def test_an_award_dated_outside_is_refused_and_nothing_is_recorded(recommended, world, day, message) -> None:
    with time_machine.travel(TODAY, tick=False), pytest.raises(ValidationError) as refused:
        assessment.record_award(get_membership(world.fran, world.cohort.slug), recommended, awarded_on=day)
    assert message in refused.value.message_dict["awarded_on"][0]
    recommended.refresh_from_db()
    assert (recommended.status, recommended.awarded_on) == (SelfAssessment.Status.RECOMMENDED, None)
