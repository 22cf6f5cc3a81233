"""The self-assessment cycle: draft → ready → submitted → more evidence → resubmitted → reviewed →
recommended → awarded, with the award's dates and reminders."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from cohort.access import get_membership
from cohort.assessment.services import current_self_assessment, review_criterion, start_new_cycle
from cohort.assessment.tasks import send_award_reminders
from cohort.audit.models import AuditEvent
from cohort.models import (
    ActionItem,
    CriterionResponse,
    Notification,
    NotificationKind,
    Role,
    SelfAssessment,
)
from cohort.services import add_action_item
from tests import factories
from tests.cohort.assessment.factories import criterion, make_all_ready, self_assessment
from tests.factories import CONFIRMED, World, client_for

RS = CriterionResponse.Status


def _url(name: str, w: World, **extra: object) -> str:
    return reverse(name, kwargs={"cohort": w.cohort.slug, "institution": w.irwell.slug, **extra})


def test_a_member_writes_a_narrative_that_is_shown_as_markdown(world: World) -> None:
    c1 = criterion(world.cohort, "1.1")
    client = client_for(world.alice)

    response = client.post(
        _url("cohort:save_narrative", world, criterion_id=c1.pk),
        {"narrative": "Our **governing body** signed off the strategy.\n\n<script>alert(1)</script>"},
    )
    assert response.status_code == 302
    page = client.get(_url("cohort:criterion", world, criterion_id=c1.pk)).content.decode()

    assert "<strong>governing body</strong>" in page
    assert "<script>alert(1)" not in page
    saved = CriterionResponse.objects.get(criterion=c1)
    assert saved.status == RS.IN_PROGRESS
    assert saved.updated_by == world.alice


def test_marking_a_criterion_ready_needs_a_narrative(world: World) -> None:
    c1 = criterion(world.cohort, "1.1")
    response = client_for(world.alice).post(
        _url("cohort:save_narrative", world, criterion_id=c1.pk), {"narrative": "  ", "ready": "on"}
    )
    assert response.status_code == 400
    assert "Write a narrative before marking the criterion ready" in response.content.decode()
    assert not CriterionResponse.objects.filter(criterion=c1, status=RS.READY).exists()


def test_the_workspace_lists_every_criterion_by_area_with_its_status(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa, skip=("2.3",))
    page = client_for(world.alice).get(_url("cohort:workspace", world)).content.decode()

    assert "1. Culture and leadership" in page or "1. " in page
    for code in ("1.1", "2.3", "7.4"):
        assert f'<span class="code">{code}</span>' in page
    assert page.count("Ready for review") >= 29
    assert "29 of 30 criteria ready or reviewed" in page


def test_the_lead_cannot_submit_until_every_criterion_is_ready(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa, skip=("2.3", "5.1"))

    response = client_for(world.lena).post(_url("cohort:submit_self_assessment", world), CONFIRMED, follow=True)

    assert "Every criterion must be ready for review before you submit. Not ready yet: 2.3, 5.1." in (
        response.content.decode()
    )
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.DRAFT
    assert sa.submissions == 0


def test_a_member_who_is_not_the_lead_cannot_submit(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    response = client_for(world.alice).post(_url("cohort:submit_self_assessment", world), CONFIRMED, follow=True)
    assert "Only the institution lead submits the self-assessment." in response.content.decode()
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.DRAFT


def _submit(world: World) -> SelfAssessment:
    response = client_for(world.lena).post(_url("cohort:submit_self_assessment", world), CONFIRMED, follow=True)
    assert "submitted for review" in response.content.decode()
    return self_assessment(world.cohort, world.irwell)


def test_a_review_by_anyone_but_the_assigned_assessor_is_refused_and_saves_nothing(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    _submit(world)
    c1 = criterion(world.cohort, "1.1")
    # Another assessor of the cohort, not assigned to Irwell: Irwell's work is not theirs to see.
    other = factories.make_user("Ola", totp=True)
    factories.member(other, world.cohort, Role.ASSESSOR)
    url = _url("cohort:review_criterion", world, criterion_id=c1.pk)
    data = {"decision": "accept", "practice": "exceptional", "comment": "Great"}

    assert client_for(other).post(url, data).status_code == 404
    for user in (world.lena, world.fran):
        response = client_for(user).post(url, data)
        assert response.status_code == 400
        assert "Only the institution&#x27;s assigned assessor reviews" in response.content.decode()
    saved = CriterionResponse.objects.get(self_assessment=sa, criterion=c1)
    assert saved.status == RS.READY and saved.practice == ""
    assert not saved.comments.exists()


def test_the_assessor_must_say_what_more_evidence_is_needed(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    _submit(world)
    c1 = criterion(world.cohort, "1.1")
    response = client_for(world.alex).post(
        _url("cohort:review_criterion", world, criterion_id=c1.pk), {"decision": "more_evidence", "comment": ""}
    )
    assert response.status_code == 400
    assert "Say what more evidence is needed." in response.content.decode()
    assert CriterionResponse.objects.get(self_assessment=sa, criterion=c1).status == RS.READY


def _accept_all(world: World, sa: SelfAssessment, *, flags: dict[str, str] | None = None) -> None:
    alex = get_membership(world.alex, world.cohort.slug)
    flags = flags or {}
    for response in sa.responses.filter(status=RS.READY).select_related("criterion__area"):
        review_criterion(
            alex, sa, response.criterion, decision="accept", practice=flags.get(response.criterion.code, "")
        )


@pytest.mark.django_db
def test_the_whole_cycle_from_draft_to_award_with_dates_and_reminders(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    irwell_group = {world.lena.pk, world.alice.pk}
    with time_machine.travel("2026-10-01 09:00Z", tick=False):
        sa = self_assessment(world.cohort, world.irwell)
        assert sa.status == SelfAssessment.Status.DRAFT
        make_all_ready(sa)
        sa = _submit(world)
        assert sa.status == SelfAssessment.Status.SUBMITTED and sa.submissions == 1
        assert Notification.objects.filter(
            user=world.alex, kind=NotificationKind.SELF_ASSESSMENT, title__contains="submitted its self-assessment"
        ).exists()

        # The assessor accepts all but 2.1, which needs more evidence: the self-assessment goes back.
        c21 = criterion(world.cohort, "2.1")
        client_for(world.alex).post(
            _url("cohort:review_criterion", world, criterion_id=c21.pk),
            {"decision": "more_evidence", "comment": "Please add the 2025 board minutes."},
        )
        _accept_all(world, sa, flags={"1.1": "exceptional", "3.2": "enhanced"})
        sa.refresh_from_db()
        assert sa.status == SelfAssessment.Status.RETURNED
        returned = Notification.objects.filter(kind=NotificationKind.SELF_ASSESSMENT, title__contains="more evidence")
        assert irwell_group <= set(returned.values_list("user_id", flat=True))

        # Accepted criteria are locked; 2.1 can be worked on again.
        locked = client_for(world.alice).post(
            _url("cohort:save_narrative", world, criterion_id=criterion(world.cohort, "1.1").pk),
            {"narrative": "changed"},
        )
        assert "already accepted this criterion" in locked.content.decode()
        client_for(world.alice).post(
            _url("cohort:add_evidence", world, criterion_id=c21.pk),
            {"title": "Board minutes", "dated": "2025-07-14", "link": "https://irwell.example/minutes"},
        )
        client_for(world.alice).post(
            _url("cohort:save_narrative", world, criterion_id=c21.pk),
            {"narrative": "See the board minutes.", "ready": "on"},
        )

    with time_machine.travel("2026-11-02 09:00Z", tick=False):
        sa = _submit(world)
        assert sa.submissions == 2
        assert Notification.objects.filter(user=world.alex, title__contains="self-assessment again").exists()
        client_for(world.alex).post(
            _url("cohort:review_criterion", world, criterion_id=c21.pk), {"decision": "accept", "comment": "Thanks."}
        )
        sa.refresh_from_db()
        assert sa.status == SelfAssessment.Status.REVIEWED
        flags = dict(sa.responses.exclude(practice="").values_list("criterion__position", "practice"))
        assert sorted(flags.values()) == ["enhanced", "exceptional"]

        # The facilitator cannot record an award the assessor has not recommended.
        early = client_for(world.fran).post(
            _url("cohort:record_award", world), {"awarded_on": "2026-11-02", **CONFIRMED}, follow=True
        )
        assert "The assessor has not recommended the award yet." in early.content.decode()
        client_for(world.alex).post(_url("cohort:recommend_award", world), {"note": "A strong submission."})
        sa.refresh_from_db()
        assert sa.status == SelfAssessment.Status.RECOMMENDED
        assert Notification.objects.filter(user=world.fran, title__contains="recommends Irwell").exists()

        future = client_for(world.fran).post(
            _url("cohort:record_award", world), {"awarded_on": "2026-12-01", **CONFIRMED}, follow=True
        )
        assert "The award date cannot be in the future." in future.content.decode()
        page = client_for(world.fran).post(
            _url("cohort:record_award", world), {"awarded_on": "2026-11-02", **CONFIRMED}, follow=True
        )
        assert "Mid-point review: 2 May 2028; expires: 2 November 2029." in page.content.decode()

    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.AWARDED
    assert (sa.awarded_on, sa.midpoint_review_on, sa.expires_on) == (
        date(2026, 11, 2),
        date(2028, 5, 2),
        date(2029, 11, 2),
    )
    award = Notification.objects.filter(kind=NotificationKind.AWARD, title__contains="holds the Quality Mark")
    assert irwell_group | {world.alex.pk} <= set(award.values_list("user_id", flat=True))

    def reminders() -> list[str]:
        return list(
            Notification.objects.filter(user=world.lena, kind=NotificationKind.AWARD)
            .exclude(title__contains="holds the Quality Mark")
            .values_list("title", flat=True)
        )

    with time_machine.travel("2028-03-01 08:00Z", tick=False):  # more than 60 days before the mid-point
        assert send_award_reminders.call() == 0
    with time_machine.travel("2028-03-04 08:00Z", tick=False):  # 59 days before
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert send_award_reminders.call() == 1
        assert send_award_reminders.call() == 0  # once only
        to_lena = [m for m in mail.outbox if m.to == [world.lena.email]]
        assert "mid-point review is due by 2 May 2028" in to_lena[0].body
    assert reminders() == ["Irwell: the Quality Mark mid-point review is due by 2 May 2028"]
    with time_machine.travel("2029-08-05 08:00Z", tick=False):  # 89 days before expiry
        assert send_award_reminders.call() == 1
        assert send_award_reminders.call() == 0
    assert "Irwell: the Quality Mark expires on 2 November 2029; start the re-submission" in reminders()
    assert Notification.objects.filter(user=world.fran, kind=NotificationKind.AWARD, title__contains="expires").exists()


def test_a_resubmission_starts_a_new_cycle_that_carries_the_open_actions(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    SelfAssessment.objects.filter(pk=sa.pk).update(status=SelfAssessment.Status.AWARDED, awarded_on=date(2026, 9, 1))
    open_item = add_action_item(cohort=world.cohort, institution=world.irwell, title="Open", source="manual")
    done_item = add_action_item(cohort=world.cohort, institution=world.irwell, title="Done", source="manual")
    ActionItem.objects.filter(pk=done_item.pk).update(status=ActionItem.Status.DONE)

    response = client_for(world.lena).post(_url("cohort:new_cycle", world), follow=True)

    assert "Re-submission started (cycle 2)" in response.content.decode()
    new = current_self_assessment(world.cohort, world.irwell)
    assert new.cycle == 2 and new.previous_id == sa.pk and new.status == SelfAssessment.Status.DRAFT
    open_item.refresh_from_db()
    done_item.refresh_from_db()
    assert open_item.self_assessment_id == new.pk
    assert done_item.self_assessment_id == sa.pk
    assert new.responses.count() == 30
    assert set(new.responses.values_list("status", flat=True)) == {RS.IN_PROGRESS}
    # A second attempt is refused: the current cycle is not awarded.
    lena = get_membership(world.lena, world.cohort.slug)
    with pytest.raises(Exception, match="starts from the current, awarded"):
        start_new_cycle(lena, new)


def test_the_reminder_task_is_in_the_periodic_schedule() -> None:
    from config.management.commands.schedule_tasks import PERIODIC

    assert send_award_reminders in [task for task, _first in PERIODIC]


# Submitting and recording the award are confirmed first; a wrong award date can be corrected.


def test_submit_asks_first_and_names_who_will_be_told(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    page = client_for(world.lena).get(_url("cohort:submit_self_assessment", world)).content.decode()
    assert "Submit Irwell&#x27;s self-assessment for review?" in page
    assert "Your assessor (Alex), the facilitators and your working group are notified." in page
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.DRAFT and not Notification.objects.exists()


def _awarded(world: World, *, on: date = date(2026, 11, 2)) -> SelfAssessment:
    sa = self_assessment(world.cohort, world.irwell)
    SelfAssessment.objects.filter(pk=sa.pk).update(
        status=SelfAssessment.Status.RECOMMENDED, submitted_at="2026-10-01T09:00Z", submissions=1
    )
    with time_machine.travel("2026-11-20 09:00Z", tick=False):
        client_for(world.fran).post(_url("cohort:record_award", world), {"awarded_on": on.isoformat(), **CONFIRMED})
    sa.refresh_from_db()
    return sa


def test_recording_the_award_confirms_the_date_first_and_carries_it(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    SelfAssessment.objects.filter(pk=sa.pk).update(status=SelfAssessment.Status.RECOMMENDED)
    with time_machine.travel("2026-11-20 09:00Z", tick=False):
        page = client_for(world.fran).post(_url("cohort:record_award", world), {"awarded_on": "2026-11-02"})
    text = page.content.decode()
    assert page.status_code == 200 and "Record the Quality Mark for Irwell from 2 November 2026?" in text
    assert '<input type="hidden" name="awarded_on" value="2026-11-02">' in text
    assert "a facilitator can correct it afterwards" in text
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.RECOMMENDED


def test_a_facilitator_corrects_the_award_date_and_the_log_keeps_it(world: World) -> None:
    sa = _awarded(world)
    assert sa.status == SelfAssessment.Status.AWARDED
    with time_machine.travel("2026-11-20 09:00Z", tick=False):
        page = client_for(world.fran).post(
            _url("cohort:correct_award", world), {"correct-awarded_on": "2026-11-09"}, follow=True
        )
    assert "The award date is now 9 November 2026." in page.content.decode()
    sa.refresh_from_db()
    assert (sa.awarded_on, sa.midpoint_review_on, sa.expires_on) == (
        date(2026, 11, 9),
        date(2028, 5, 9),
        date(2029, 11, 9),
    )
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "award.recorded",
        "award.corrected",
    ]
    assert Notification.objects.filter(user=world.lena, title__contains="award date was corrected").exists()


def test_an_award_correction_before_the_submission_or_by_the_lead_changes_nothing(world: World) -> None:
    sa = _awarded(world)
    with time_machine.travel("2026-11-20 09:00Z", tick=False):
        early = client_for(world.fran).post(
            _url("cohort:correct_award", world), {"correct-awarded_on": "2026-09-30"}, follow=True
        )
        by_lead = client_for(world.lena).post(
            _url("cohort:correct_award", world), {"correct-awarded_on": "2026-11-09"}, follow=True
        )
    assert "cannot be before the self-assessment was submitted (1 October 2026)" in early.content.decode()
    assert "Only a facilitator corrects the award." in by_lead.content.decode()
    sa.refresh_from_db()
    assert sa.awarded_on == date(2026, 11, 2)


def test_an_impossible_award_date_is_refused_before_the_confirmation_and_comes_back_as_typed(world: World) -> None:
    """Found by an outside tester: the confirmation page accepted 1 January 2020, then the date was refused
    and lost."""
    sa = self_assessment(world.cohort, world.irwell)
    SelfAssessment.objects.filter(pk=sa.pk).update(
        status=SelfAssessment.Status.RECOMMENDED, submitted_at="2026-10-01T09:00Z", submissions=1
    )
    with time_machine.travel("2026-11-20 09:00Z", tick=False):
        page = client_for(world.fran).post(_url("cohort:record_award", world), {"awarded_on": "2020-01-01"})
    text = page.content.decode()
    assert page.status_code == 400 and "Record the award" not in text.split("<h1")[1][:80]
    assert "cannot be before the self-assessment was submitted (1 October 2026)" in text
    assert 'value="2020-01-01"' in text
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.RECOMMENDED and sa.awarded_on is None


def test_submitting_with_criteria_not_ready_says_what_is_missing_instead_of_asking_to_confirm(world: World) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa, skip=("1.2",))
    page = client_for(world.lena).get(_url("cohort:submit_self_assessment", world), follow=True)
    text = page.content.decode()
    assert "Not ready yet: 1.2." in text and 'name="confirmed"' not in text
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.DRAFT
