"""The meeting page: agenda, minutes, outcomes that become actions, attendance, the published summary."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohort.models import ActionItem, Area, Criterion, FrameworkVersion, Notification
from meetings import services
from meetings.models import AgendaItem, Attendance, Outcome
from tests.factories import CONFIRMED, client_for


def url(name: str, meeting, **extra) -> str:
    return reverse(f"meetings:{name}", kwargs={"cohort": meeting.cohort.slug, "meeting_id": meeting.pk, **extra})


@pytest.fixture
def meeting(make_meeting, world):
    return make_meeting(area=world.cohort.framework.areas.get(position=4))


def criterion_of_another_framework() -> Criterion:
    other = FrameworkVersion.objects.create(name="Another mark", version="9")
    area = Area.objects.create(framework=other, position=1, slug="other", title="Other")
    return Criterion.objects.create(area=area, position=1, statement="Elsewhere")


# Agenda.


def test_the_facilitator_adds_an_agenda_item_with_a_criterion_and_a_presenter(world, meeting) -> None:
    criterion = Criterion.objects.filter(area=meeting.area)[0]
    response = client_for(world.fran).post(
        url("add_agenda_item", meeting),
        {
            "title": "Contextual offers",
            "criterion": criterion.pk,
            "institution": world.irwell.pk,
            "minutes_allotted": 20,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Contextual offers" in page and f"criterion {criterion.code}" in page and "presented by Irwell" in page
    assert AgendaItem.objects.get().minutes_allotted == 20


def test_an_agenda_item_on_another_frameworks_criterion_is_refused(world, meeting, fran_m) -> None:
    criterion = criterion_of_another_framework()
    response = client_for(world.fran).post(
        url("add_agenda_item", meeting), {"title": "Stray", "criterion": criterion.pk, "minutes_allotted": 10}
    )
    assert response.status_code == 400
    assert "That criterion is not in this cohort&#x27;s framework." in response.content.decode()
    with pytest.raises(ValidationError, match="another framework"):
        services.add_agenda_item(fran_m, meeting, title="Stray", criterion=criterion)
    assert not AgendaItem.objects.exists()


def test_unfinished_items_are_carried_forward_to_the_next_meeting_in_one_action(
    world, meeting, make_meeting, fran_m
) -> None:
    later = make_meeting(days=31, title="Student wellbeing")
    make_meeting(days=60, title="Even later")
    for title in ("Finished", "Unfinished one", "Unfinished two"):
        services.add_agenda_item(fran_m, meeting, title=title)
    services.add_agenda_item(fran_m, later, title="Already there")
    services.set_agenda_item_done(fran_m, AgendaItem.objects.get(title="Finished"), done=True)
    response = client_for(world.fran).post(url("carry_forward", meeting), follow=True)
    assert "2 unfinished items carried forward to Student wellbeing" in response.content.decode()
    assert list(later.agenda_items.values_list("title", flat=True)) == [
        "Already there",
        "Unfinished one",
        "Unfinished two",
    ]
    with pytest.raises(ValidationError, match="already carried forward"):
        services.carry_forward(fran_m, meeting)


def test_carrying_forward_with_no_later_meeting_says_so(world, meeting, fran_m) -> None:
    services.add_agenda_item(fran_m, meeting, title="Open")
    response = client_for(world.fran).post(url("carry_forward", meeting), follow=True)
    assert "no later meeting" in response.content.decode()
    assert AgendaItem.objects.count() == 1


# Outcomes.


def action_data(world, **change):
    data = {
        "outcome-kind": "action",
        "outcome-text": "Review the contextual offer policy",
        "outcome-institution": world.irwell.pk,
        "outcome-owner": world.lena.pk,
        "outcome-due_on": "2027-01-31",
    }
    data.update(change)
    return data


def test_an_action_goes_onto_the_institutions_action_plan(world, meeting) -> None:
    response = client_for(world.fran).post(url("add_outcome", meeting), action_data(world), follow=True)
    assert "Action recorded and added to the action plan" in response.content.decode()
    item = ActionItem.objects.get()
    assert (item.cohort, item.institution, item.owner, item.due_on) == (
        world.cohort,
        world.irwell,
        world.lena,
        date(2027, 1, 31),
    )
    assert item.source == ActionItem.Source.MEETING
    assert item.area == meeting.area
    assert item.source_url == meeting.get_absolute_url() and item.source_label == meeting.title
    assert Outcome.objects.get().action_item == item


def test_an_action_for_the_whole_cohort_with_an_owner_without_an_account(world, meeting) -> None:
    data = action_data(world, **{"outcome-institution": "", "outcome-owner": "", "outcome-owner_name": "Dr Rees"})
    client_for(world.fran).post(url("add_outcome", meeting), data)
    item = ActionItem.objects.get()
    assert item.institution is None and item.owner is None and item.owner_name == "Dr Rees"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome-due_on": ""}, "An action needs a due date."),
        ({"outcome-owner": ""}, "An action needs an owner"),
        ({"outcome-kind": "rumour"}, "Select a valid choice"),
        ({"outcome-text": ""}, "This field is required"),
    ],
)
def test_an_incomplete_action_is_refused_and_nothing_is_saved(world, meeting, change, message) -> None:
    response = client_for(world.fran).post(url("add_outcome", meeting), action_data(world, **change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Outcome.objects.exists() and not ActionItem.objects.exists()


def test_an_owner_from_another_cohort_is_refused(world, meeting) -> None:
    response = client_for(world.fran).post(
        url("add_outcome", meeting), action_data(world, **{"outcome-owner": world.olga.pk})
    )
    assert response.status_code == 400
    assert "The owner must be a member of this cohort." in response.content.decode()
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("who", ["alex", "bob", "oscar"])
def test_an_institutions_action_cannot_go_to_the_assessor_an_observer_or_another_institution(
    world, meeting, who
) -> None:
    data = action_data(world, **{"outcome-owner": getattr(world, who).pk})
    response = client_for(world.fran).post(url("add_outcome", meeting), data)
    assert response.status_code == 400
    assert "The owner of Irwell&#x27;s action must be in its working group." in response.content.decode()
    assert not ActionItem.objects.exists()


def test_the_owner_list_groups_people_by_institution_and_leaves_out_the_assessor_and_observers(world, meeting) -> None:
    page = client_for(world.fran).get(url("meeting", meeting)).content.decode()
    owner_select = page[
        page.index('name="outcome-owner"') : page.index("</select>", page.index('name="outcome-owner"'))
    ]
    assert '<optgroup label="University of Irwell Valley">' in owner_select
    assert f'value="{world.lena.pk}"' in owner_select and f'value="{world.fran.pk}"' in owner_select
    assert f'value="{world.alex.pk}"' not in owner_select and f'value="{world.oscar.pk}"' not in owner_select


def test_a_decision_is_not_an_action(world, meeting) -> None:
    data = {"outcome-kind": "decision", "outcome-text": "Meet at 10:00 from now on"}
    client_for(world.fran).post(url("add_outcome", meeting), data)
    assert Outcome.objects.get().kind == "decision"
    assert not ActionItem.objects.exists()


# Minutes and the published summary.


def test_members_see_minutes_and_outcomes_only_once_the_summary_is_published(world, meeting, fran_m) -> None:
    services.save_minutes(fran_m, meeting, "We agreed **three** things.\n\n<script>alert(1)</script>")
    services.record_outcome(fran_m, meeting, kind="decision", text="Share the admissions data")
    alice = client_for(world.alice)
    before = alice.get(url("meeting", meeting)).content.decode()
    assert "three" not in before and "Share the admissions data" not in before
    response = client_for(world.fran).post(url("publish_summary", meeting), follow=True)
    assert "every member of the cohort is notified" in response.content.decode()
    after = alice.get(url("meeting", meeting)).content.decode()
    assert "<strong>three</strong>" in after and "Share the admissions data" in after
    assert "<script>alert" not in after


def test_publishing_notifies_every_member_but_the_facilitator(world, meeting, fran_m) -> None:
    services.save_minutes(fran_m, meeting, "Minutes.")
    services.publish_summary(fran_m, meeting)
    notified = set(Notification.objects.filter(kind="meeting_summary").values_list("user__email", flat=True))
    assert notified == {u.email for u in (world.alex, world.lena, world.alice, world.bob, world.oscar)}
    assert Notification.objects.filter(user=world.alice).get().url == meeting.get_absolute_url()


def test_an_empty_summary_cannot_be_published(world, meeting) -> None:
    response = client_for(world.fran).post(url("publish_summary", meeting), follow=True)
    assert "Write the minutes or record an outcome" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.summary_published_at is None and not Notification.objects.exists()


# Attendance.


def test_a_member_answers_the_invitation_and_can_change_their_mind(world, meeting) -> None:
    alice = client_for(world.alice)
    alice.post(url("respond", meeting), {"response": "going"})
    alice.post(url("respond", meeting), {"response": "not_going"})
    assert Attendance.objects.get(user=world.alice).response == "not_going"
    assert "1 not going: Alice" in client_for(world.fran).get(url("meeting", meeting)).content.decode()


def test_a_past_meeting_takes_no_answers(world, make_meeting) -> None:
    past = make_meeting(days=-3)
    response = client_for(world.alice).post(url("respond", past), {"response": "going"}, follow=True)
    assert "already taken place" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_facilitator_records_who_attended(world, meeting) -> None:
    client_for(world.alice).post(url("respond", meeting), {"response": "going"})
    fran = client_for(world.fran)
    fran.post(url("record_attendance", meeting), {"attended": [world.alice.pk, world.bob.pk]})
    fran.post(url("record_attendance", meeting), {"attended": [world.bob.pk, world.lena.pk]})
    rows = dict(Attendance.objects.values_list("user__display_name", "attended"))
    assert rows == {"Alice": False, "Bob": True, "Lena": True}


def test_attendance_of_someone_outside_the_cohort_is_refused(world, meeting) -> None:
    response = client_for(world.fran).post(url("record_attendance", meeting), {"attended": [world.olga.pk]})
    assert response.status_code == 400
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("attended", ["9223372036854775808", "-9223372036854775809", "1" + "0" * 40])
def test_attendance_of_an_id_no_database_holds_is_refused_with_a_message(world, meeting, attended) -> None:
    # Found by the form fuzzer: SQLite cannot look up an id beyond 64 bits, and answered 500.
    response = client_for(world.fran).post(url("record_attendance", meeting), {"attended": [attended]})
    assert response.status_code == 400
    assert "Only members of this cohort can be recorded as attending." in response.content.decode()
    assert not Attendance.objects.exists()


# Cancelling is confirmed first and can be undone.


def test_cancel_asks_first_saying_who_is_told_and_that_it_can_be_restored(world, meeting, mailoutbox) -> None:
    page = client_for(world.fran).get(url("cancel_meeting", meeting)).content.decode()
    assert "All 6 members of the cohort are e-mailed a cancellation" in page
    assert "You can restore it" in page and "No, keep the meeting" in page
    meeting.refresh_from_db()
    assert not meeting.is_cancelled and mailoutbox == []


def test_a_cancelled_meeting_is_restored_with_a_fresh_invitation_for_everyone(
    world, meeting, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.fran).post(url("cancel_meeting", meeting), CONFIRMED)
    assert {m.subject for m in mailoutbox} == {f"Cancelled: {meeting.title}"}
    cancelled_page = client_for(world.alice).get(url("meeting", meeting)).content.decode()
    assert "This meeting is cancelled." in cancelled_page and "meeting.ics" not in cancelled_page
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(world.fran).post(url("restore_meeting", meeting), follow=True).content.decode()
    assert "The meeting is on again; members receive a fresh invitation." in page
    meeting.refresh_from_db()
    assert (meeting.is_cancelled, meeting.sequence) == (False, 2)
    assert len(mailoutbox) == 6 and {m.subject for m in mailoutbox} == {f"Updated: {meeting.title}"}


def test_a_meeting_cannot_be_restored_onto_another_meeting(world, meeting, make_meeting, fran_m) -> None:
    services.cancel_meeting(fran_m, meeting)
    make_meeting(title="Taken the slot", days=10)
    with pytest.raises(ValidationError, match="It cannot be restored: That would overlap “Taken the slot”"):
        services.restore_meeting(fran_m, meeting)
    meeting.refresh_from_db()
    assert meeting.is_cancelled
