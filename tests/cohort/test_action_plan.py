"""The action plan: items from the self-assessment, meetings and consultations, with owners, due
dates, status, progress notes and overdue marks."""

from __future__ import annotations

from datetime import date

import time_machine
from django.urls import reverse

from cohort.models import ActionItem, ActionProgress, Area
from cohort.services import add_action_item
from tests.cohort.assessment.factories import self_assessment
from tests.factories import World, client_for


def _plan(world: World) -> str:
    return reverse("cohort:action_plan", kwargs={"cohort": "gm", "institution": "irwell"})


@time_machine.travel("2026-11-10 10:00Z", tick=False)
def test_actions_from_a_meeting_and_a_consultation_appear_on_the_plan_with_overdue_marked(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    area = Area.objects.get(framework=world.cohort.framework, position=4)
    meeting = add_action_item(
        cohort=world.cohort,
        institution=world.irwell,
        title="Publish the admissions contextual offer for care leavers",
        source=ActionItem.Source.MEETING,
        owner=world.lena,
        due_on=date(2026, 11, 1),
        area=area,
        source_label="Group meeting 3: Admissions",
        source_url="/c/gm/meetings/3/",
    )
    consultation = add_action_item(
        cohort=world.cohort,
        institution=world.irwell,
        title="Add estranged students to the bursary policy",
        source=ActionItem.Source.CONSULTATION,
        owner_name="Finance office",
        due_on=date(2027, 1, 31),
        source_label="Consultation with Alex",
    )
    assert meeting.self_assessment_id == sa.pk == consultation.self_assessment_id

    page = client_for(world.alice).get(_plan(world)).content.decode()

    assert "Publish the admissions contextual offer for care leavers" in page
    assert "Group meeting 3: Admissions" in page and 'href="/c/gm/meetings/3/"' in page
    assert "Add estranged students to the bursary policy" in page
    assert "Finance office" in page and "Consultation with Alex" in page
    assert page.count("Overdue</strong>") == 1
    assert f'id="action-{meeting.pk}" class="action-item overdue"' in page


@time_machine.travel("2026-11-10 10:00Z", tick=False)
def test_a_new_action_due_in_the_past_is_refused(world: World) -> None:
    response = client_for(world.lena).post(
        reverse("cohort:add_action", kwargs={"cohort": "gm", "institution": "irwell"}),
        {"title": "Late", "owner": world.alice.pk, "due_on": "2026-11-09"},
    )
    assert response.status_code == 400
    assert "A new action cannot be due in the past." in response.content.decode()
    assert not ActionItem.objects.exists()


@time_machine.travel("2026-11-10 10:00Z", tick=False)
def test_a_member_adds_an_action_with_an_owner_and_area(world: World) -> None:
    area = Area.objects.get(framework=world.cohort.framework, position=5)
    response = client_for(world.alice).post(
        reverse("cohort:add_action", kwargs={"cohort": "gm", "institution": "irwell"}),
        {"title": "Named contact in wellbeing", "owner": world.alice.pk, "due_on": "2027-02-01", "area": area.pk},
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.owner, item.area, item.source, item.due_on) == (
        world.alice,
        area,
        ActionItem.Source.SELF_ASSESSMENT,
        date(2027, 2, 1),
    )


def test_an_owner_outside_the_working_group_is_refused(world: World) -> None:
    response = client_for(world.lena).post(
        reverse("cohort:add_action", kwargs={"cohort": "gm", "institution": "irwell"}),
        {"title": "Someone else's", "owner": world.bob.pk, "due_on": "2099-01-01"},
    )
    assert response.status_code == 400
    assert not ActionItem.objects.exists()


def test_progress_notes_and_status_changes_are_kept(world: World) -> None:
    item = add_action_item(cohort=world.cohort, institution=world.irwell, title="Audit", source="manual")
    url = reverse("cohort:update_action", kwargs={"cohort": "gm", "institution": "irwell", "item_id": item.pk})

    client_for(world.alice).post(url, {"status": "in_progress", "note": "Drafted the audit questions."})
    empty = client_for(world.alice).post(url, {"status": "in_progress", "note": ""}, follow=True)

    assert "Change the status or write a progress note." in empty.content.decode()
    item.refresh_from_db()
    assert item.status == ActionItem.Status.IN_PROGRESS
    note = ActionProgress.objects.get()
    assert (note.note, note.status, note.author) == ("Drafted the audit questions.", "in_progress", world.alice)
    page = client_for(world.fran).get(_plan(world)).content.decode()
    assert "Drafted the audit questions." in page


def test_the_assessor_reads_the_plan_but_cannot_change_it(world: World) -> None:
    item = add_action_item(cohort=world.cohort, institution=world.irwell, title="Audit", source="manual")
    url = reverse("cohort:update_action", kwargs={"cohort": "gm", "institution": "irwell", "item_id": item.pk})
    page = client_for(world.alex).get(_plan(world)).content.decode()
    assert "Audit" in page and "Add an action" not in page
    response = client_for(world.alex).post(url, {"status": "done", "note": "x"}, follow=True)
    assert "Only the institution&#x27;s working group or a facilitator updates" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


@time_machine.travel("2026-11-10 10:00Z", tick=False)
def test_the_lead_corrects_an_actions_owner_and_due_date_and_the_notes_keep_the_change(world: World) -> None:
    item = add_action_item(
        cohort=world.cohort,
        institution=world.irwell,
        title="Bursary policy",
        source=ActionItem.Source.MEETING,
        owner=world.lena,
        due_on=date(2026, 12, 1),
    )
    url = reverse("cohort:correct_action", kwargs={"cohort": "gm", "institution": "irwell", "item_id": item.pk})
    plan = client_for(world.lena).get(_plan(world)).content.decode()
    assert "Change the owner or due date" in plan
    assert "Change the owner or due date" not in client_for(world.alice).get(_plan(world)).content.decode()

    prefix = f"correct-{item.pk}-"
    client_for(world.lena).post(url, {prefix + "owner": world.alice.pk, prefix + "due_on": "2027-01-15"})
    item.refresh_from_db()
    assert (item.owner, item.due_on) == (world.alice, date(2027, 1, 15))
    note = ActionProgress.objects.get(action=item).note
    assert note == "Corrected: owner now Alice (was Lena); due 15 January 2027 (was 1 December 2026)"


@time_machine.travel("2026-11-10 10:00Z", tick=False)
def test_an_action_cannot_go_to_someone_outside_the_working_group_and_what_was_typed_stays(world: World) -> None:
    item = add_action_item(
        cohort=world.cohort, institution=world.irwell, title="Audit", source="manual", owner=world.lena
    )
    url = reverse("cohort:correct_action", kwargs={"cohort": "gm", "institution": "irwell", "item_id": item.pk})
    prefix = f"correct-{item.pk}-"
    page = client_for(world.lena).post(url, {prefix + "owner": world.alex.pk, prefix + "due_on": "2027-02-03"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Select a valid choice" in text and 'value="2027-02-03"' in text
    item.refresh_from_db()
    assert (item.owner, item.due_on) == (world.lena, None)
    assert not ActionProgress.objects.exists()
