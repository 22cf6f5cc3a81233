"""This app's rows of the access matrix for consultations (see tests/matrix.py)."""

from datetime import timedelta

from django.utils import timezone

from meetings.consultations.models import Consultation, ConsultationSettings
from meetings.consultations.slots import free_slots
from tests.matrix import INSTITUTION_PRIVATE, Case, WsCase
from tests.meetings.consultations.factories import every_day, make_consultation

HOSTS = frozenset({"facilitator", "assessor"})
CHANGERS = frozenset({"lead", "assessor", "facilitator"})  # Irwell's lead and the host side
CONSULTATION_PAGES = frozenset({"member", "lead", "other_member", "facilitator", "assessor"})


def _with_availability(w):
    every_day(w.cohort, w.alex, horizon_weeks=1)
    return {"cohort": w.cohort.slug}


def _first_free_slot(w):
    cs = ConsultationSettings.objects.get(cohort=w.cohort, host=w.alex)
    slot = free_slots(cs, now=timezone.now())[0]
    return {"starts_at": slot.starts_at.isoformat(), "topic": "Admissions data", "areas": []}


def _booking(w, starts_at=None):
    """Irwell's booking with Alex; several cases in one world (the accessibility sweep) share it,
    since PostgreSQL refuses a second booking of the same time for one host."""
    starts_at = starts_at or (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    existing = (
        Consultation.objects.filter(host=w.alex, starts_at=starts_at)
        .exclude(status=Consultation.Status.CANCELLED)
        .first()
    )
    return existing or make_consultation(w.cohort, w.alex, w.irwell, booked_by=w.lena, starts_at=starts_at)


def _upcoming(w):
    every_day(w.cohort, w.alex, horizon_weeks=2)
    return {"cohort": w.cohort.slug, "consultation_id": _booking(w).pk}


def _past(w):
    past = (timezone.now() - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    return {"cohort": w.cohort.slug, "consultation_id": _booking(w, past).pk}


def _later_slot(w):
    cs = ConsultationSettings.objects.get(cohort=w.cohort, host=w.alex)
    return {"starts_at": free_slots(cs, now=timezone.now())[-1].starts_at.isoformat()}


AVAILABILITY = {
    "time_zone": "Europe/London",
    "duration_minutes": 60,
    "buffer_before_minutes": 0,
    "buffer_after_minutes": 15,
    "min_notice_hours": 48,
    "horizon_weeks": 8,
    "video_mode": "fixed",
    "video_url": "https://video.example/room",
    "monday": "09:00-12:00, 14:00-17:00",
    "blocked": "2026-12-24 to 2027-01-02",
}

CASES = [
    Case("meetings:consultations", allowed=CONSULTATION_PAGES),
    Case("meetings:consultation_availability", allowed=HOSTS),
    Case("meetings:consultation_availability", allowed=HOSTS, method="post", data=lambda w: AVAILABILITY),
    Case("meetings:consultation_book", kwargs=_with_availability, allowed=frozenset({"lead"})),
    Case(
        "meetings:consultation_book",
        kwargs=_with_availability,
        allowed=frozenset({"lead"}),
        method="post",
        data=_first_free_slot,
    ),
    Case("meetings:consultation_detail", kwargs=_upcoming, allowed=INSTITUTION_PRIVATE),
    Case("meetings:consultation_ics", kwargs=_upcoming, allowed=INSTITUTION_PRIVATE),
    Case("meetings:consultation_cancel", kwargs=_upcoming, allowed=CHANGERS),
    Case("meetings:consultation_cancel", kwargs=_upcoming, allowed=CHANGERS, method="post"),
    Case("meetings:consultation_reschedule", kwargs=_upcoming, allowed=CHANGERS),
    Case("meetings:consultation_reschedule", kwargs=_upcoming, allowed=CHANGERS, method="post", data=_later_slot),
    Case("meetings:consultation_notes", kwargs=_past, allowed=HOSTS),
    Case(
        "meetings:consultation_notes",
        kwargs=_past,
        allowed=HOSTS,
        method="post",
        data=lambda w: {
            "notes": "Good progress.",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-title": "Publish the care leaver bursary page",
        },
    ),
]
WS_CASES: list[WsCase] = []
