"""Meetings and consultations in Welsh: each person's e-mails, subjects and calendar files are in their
own language (a Welsh reader and an English one get the same event in theirs), dates are written by
Django's formatting in that language, and the pages follow the reader's language.

Needs the Welsh catalogue compiled (locale/cy/LC_MESSAGES/django.mo, made by the set-up)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from cohort.models import Area, User
from meetings import services
from meetings.consultations.models import Consultation
from meetings.models import Meeting
from tests.factories import client_for
from tests.meetings.consultations.factories import make_settings

pytestmark = pytest.mark.django_db

VIDEO = "https://meet.example.org/gm-cohort"


def welsh(user: User) -> User:
    user.language = "cy"
    user.save(update_fields=["language"])
    return user


def mail_to(user: User) -> Any:
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return message


def events(message: Any) -> list[Any]:
    (name, content, mimetype) = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    return Calendar.from_ical(content).walk("VEVENT")


def book_as(lead: User, world: Any, django_capture_on_commit_callbacks: Any) -> Any:
    make_settings(world.cohort, world.alex)
    monday = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    with time_machine.travel(monday, tick=False), django_capture_on_commit_callbacks(execute=True):
        return client_for(lead).post(
            reverse("meetings:consultation_book", kwargs={"cohort": world.cohort.slug}),
            {"starts_at": "2026-10-21T08:00:00+00:00", "topic": "Ein data derbyn"},
            follow=True,
        )


def test_a_welsh_lead_books_and_reads_the_page_the_invitation_and_its_calendar_file_in_welsh(
    world, django_capture_on_commit_callbacks
) -> None:
    response = book_as(welsh(world.lena), world, django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert "Mae eich ymgynghoriad wedi’i archebu." in page
    assert "Ymgynghoriad: Irwell gyda Alex" in page
    assert "Dydd Mercher 21 Hydref 2026, 09:00" in page  # Django's Welsh day and month names
    assert Consultation.objects.get().booked_by == world.lena

    message = mail_to(world.lena)
    assert message.subject == "Ymgynghoriad wedi’i archebu: Irwell, 21 Hyd 2026, 09:00"
    assert message.body.startswith("Helo Lena,\n\nMae ymgynghoriad wedi’i archebu:\n")
    assert "Dydd Mercher 21 Hydref 2026, 09:00 (Europe/London)" in message.body
    assert "Pwnc: Ein data derbyn" in message.body
    assert "Mae’r gwahoddiad sydd ynghlwm yn ei ychwanegu at eich calendr." in message.body
    assert "Consultation" not in message.body and "Wednesday" not in message.body
    (event,) = events(message)
    assert str(event["SUMMARY"]) == "Ymgynghoriad QM: Irwell gyda Alex"
    assert str(event["DESCRIPTION"]).startswith("Ymuno ar-lein: https://video.example/alex-room\n\nPwnc: ")
    assert "Manylion: http" in str(event["DESCRIPTION"])


def test_the_english_host_of_the_same_booking_gets_it_in_english(world, django_capture_on_commit_callbacks) -> None:
    book_as(welsh(world.lena), world, django_capture_on_commit_callbacks)
    message = mail_to(world.alex)
    assert message.subject == "Consultation booked: Irwell, 21 Oct 2026, 09:00"
    assert message.body.startswith("Hello Alex,\n\nA consultation is booked:\n")
    assert "Wednesday 21 October 2026, 09:00" in message.body
    (event,) = events(message)
    assert str(event["SUMMARY"]) == "QM consultation: Irwell with Alex"


def test_a_cancellation_by_the_english_host_reaches_the_welsh_lead_in_welsh(
    world, django_capture_on_commit_callbacks
) -> None:
    from cohort.access import get_membership
    from meetings.consultations.services import cancel_consultation

    book_as(welsh(world.lena), world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    consultation = Consultation.objects.get()
    with (
        time_machine.travel(datetime(2026, 10, 19, 9, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cancel_consultation(get_membership(world.alex, world.cohort.slug), consultation)
    message = mail_to(world.lena)
    assert message.subject.startswith("Ymgynghoriad wedi’i ganslo: Irwell, 21 Hyd 2026")
    assert "Wedi’i ganslo gan Alex." in message.body
    assert "Mae Irwell yn cael yr ymgynghoriad hwn yn ôl" in message.body
    assert mail_to(world.alex).subject.startswith("Consultation cancelled: Irwell")


def test_a_series_invitation_is_written_in_each_members_language(
    fran_m, world, django_capture_on_commit_callbacks
) -> None:
    welsh(world.bob)
    Area.objects.filter(framework=world.cohort.framework, position=1).update(title_cy="Diwylliant ac arweinyddiaeth")
    with django_capture_on_commit_callbacks(execute=True):
        series = services.create_series(
            fran_m, title="Cyfarfod grŵp", starts_on=date(2030, 6, 4), time_of_day=time(10), count=2, video_url=VIDEO
        )
    welsh_mail, english_mail = mail_to(world.bob), mail_to(world.alice)
    assert welsh_mail.subject == "Gwahoddiad: Cyfarfod grŵp"
    assert "Rydych chi’n cael gwahoddiad i Cyfarfod grŵp" in welsh_mail.body
    assert "1. Dydd Mawrth 4 Mehefin 2030, 10:00–11:30" in welsh_mail.body
    assert english_mail.subject == "Invitation: Cyfarfod grŵp"
    assert "1. Tuesday 4 June 2030, 10:00–11:30" in english_mail.body
    welsh_master = next(e for e in events(welsh_mail) if "RRULE" in e)
    english_master = next(e for e in events(english_mail) if "RRULE" in e)
    assert "Cyfarfodydd y gyfres hon (Europe/London):" in str(welsh_master["DESCRIPTION"])
    assert "Meetings of this series (Europe/London):" in str(english_master["DESCRIPTION"])

    # A change is said in each reader's language too, in the subject as in the body.
    mail.outbox.clear()
    first = series.meetings.order_by("starts_at")[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(fran_m, Meeting.objects.get(pk=first.pk))
    welsh_mail, english_mail = mail_to(world.bob), mail_to(world.alice)
    assert welsh_mail.subject.startswith("Wedi’i ddiweddaru: Cyfarfod grŵp — Mae Fran wedi canslo")
    assert (
        "Mae Fran wedi canslo Cyfarfod grŵp: Culture and leadership, Dydd Mawrth 4 Mehefin 2030, 10:00"
        in welsh_mail.body
    )
    assert english_mail.subject.startswith("Updated: Cyfarfod grŵp — Fran cancelled")


def test_a_meeting_outside_a_series_describes_its_move_and_focus_in_welsh(
    fran_m, world, make_meeting, django_capture_on_commit_callbacks
) -> None:
    welsh(world.bob)
    area = Area.objects.filter(framework=world.cohort.framework).order_by("position")[0]
    area.title_cy = "Diwylliant ac arweinyddiaeth"
    area.save(update_fields=["title_cy"])
    meeting = make_meeting(days=30, title="Sesiwn galw heibio", video_url=VIDEO)
    local = meeting.local_starts_at
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(
            fran_m,
            meeting,
            title="Sesiwn galw heibio",
            area=area,
            day=local.date(),
            time_of_day=time(14),
            duration_minutes=60,
            video_url=VIDEO,
        )
    message = mail_to(world.bob)
    assert message.subject == "Wedi’i ddiweddaru: Sesiwn galw heibio"
    assert "Mae Sesiwn galw heibio wedi newid:" in message.body
    assert "Mae Sesiwn galw heibio bellach yn canolbwyntio ar Diwylliant ac arweinyddiaeth." in message.body
    assert "Pryd: " in message.body and "60 munud" in message.body
    (event,) = events(message)
    assert "Ffocws: 1. Diwylliant ac arweinyddiaeth" in str(event["DESCRIPTION"])
    assert "Sesiwn galw heibio now focuses on" in mail_to(world.alice).body


def test_the_meeting_page_and_the_schedule_are_in_welsh_for_a_welsh_reader(fran_m, world) -> None:
    series = services.create_series(
        fran_m, title="Cyfarfod grŵp", starts_on=date(2030, 6, 4), time_of_day=time(10), count=1, send_invitations=False
    )
    meeting = series.meetings.get()
    assert meeting.area_id is not None
    Area.objects.filter(pk=meeting.area_id).update(title_cy="Diwylliant ac arweinyddiaeth")
    client = client_for(welsh(world.bob))
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert '<html lang="cy"' in page
    assert "Fyddwch chi yno?" in page and "Dydd Mawrth 4 Mehefin 2030" in page
    assert "1. Diwylliant ac arweinyddiaeth" in page
    schedule = client.get(reverse("meetings:schedule", kwargs={"cohort": world.cohort.slug})).content.decode()
    assert "Cyfarfodydd grŵp" in schedule and "I ddod" in schedule and "Meh 2030" in schedule


def test_a_published_summary_is_announced_to_each_member_in_their_language(fran_m, world) -> None:
    from cohort.models import Notification

    welsh(world.bob)
    meeting = services.create_series(
        fran_m, title="Cyfarfod grŵp", starts_on=date(2030, 6, 4), time_of_day=time(10), count=1, send_invitations=False
    ).meetings.get()
    services.save_minutes(fran_m, meeting, "Trafodwyd y data.")
    services.publish_summary(fran_m, meeting)
    titles = dict(Notification.objects.filter(user__in=[world.bob, world.alice]).values_list("user__email", "title"))
    assert titles == {
        world.bob.email: f"Crynodeb o {meeting.title}",
        world.alice.email: f"Summary of {meeting.title}",
    }
