"""The assessor's review: a queue with previous and next, one comment thread per criterion, and
comment counts that count only what someone wrote."""

from __future__ import annotations

from django.urls import reverse

from cohort.models import Criterion, CriterionResponse, ResponseComment, SelfAssessment
from tests.cohort.assessment.factories import criterion, make_all_ready, self_assessment
from tests.factories import World, client_for


def _url(name: str, w: World, **extra: object) -> str:
    return reverse(name, kwargs={"cohort": w.cohort.slug, "institution": w.irwell.slug, **extra})


def _submitted(world: World) -> SelfAssessment:
    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    SelfAssessment.objects.filter(pk=sa.pk).update(status=SelfAssessment.Status.SUBMITTED)
    return sa


def test_save_review_goes_on_to_the_next_criterion_and_the_page_links_previous_and_next(world: World) -> None:
    _submitted(world)
    c11, c12 = criterion(world.cohort, "1.1"), criterion(world.cohort, "1.2")
    total = Criterion.objects.filter(area__framework_id=world.cohort.framework_id).count()
    alex = client_for(world.alex)

    page = alex.get(_url("cohort:criterion", world, criterion_id=c11.pk)).content.decode()
    assert f"Criterion 1 of {total}" in page
    assert 'rel="prev"' not in page
    assert _url("cohort:criterion", world, criterion_id=c12.pk) in page
    assert "Save review and go to 1.2" in page
    # One box: the review form carries the comment; the separate comment form is not offered.
    assert page.count("<textarea") == 1
    assert _url("cohort:add_comment", world, criterion_id=c11.pk) not in page

    saved = alex.post(_url("cohort:review_criterion", world, criterion_id=c11.pk), {"decision": "accept"})
    assert saved.status_code == 302
    assert saved["Location"] == _url("cohort:criterion", world, criterion_id=c12.pk)
    following = alex.get(saved["Location"]).content.decode()
    assert "Criterion 1.1: reviewed." in following
    assert f'rel="prev" href="{_url("cohort:criterion", world, criterion_id=c11.pk)}"' in following


def test_accepting_without_a_comment_adds_no_comment_and_counts_count_real_comments(world: World) -> None:
    sa = _submitted(world)
    c11, c12 = criterion(world.cohort, "1.1"), criterion(world.cohort, "1.2")
    alex = client_for(world.alex)
    alex.post(_url("cohort:review_criterion", world, criterion_id=c11.pk), {"decision": "accept", "comment": "  "})
    alex.post(_url("cohort:review_criterion", world, criterion_id=c12.pk), {"decision": "accept", "comment": "Good."})

    accepted = CriterionResponse.objects.get(self_assessment=sa, criterion=c11)
    assert accepted.status == CriterionResponse.Status.REVIEWED
    assert accepted.reviewed_by == world.alex
    assert not ResponseComment.objects.filter(response=accepted).exists()
    assert list(ResponseComment.objects.filter(response__criterion=c12).values_list("kind", "body")) == [
        ("accepted", "Good.")
    ]
    # An empty comment left by an earlier version is not counted either.
    ResponseComment.objects.create(response=accepted, author=world.alex, kind="accepted", body="")
    workspace = client_for(world.alice).get(_url("cohort:workspace", world)).content.decode()
    assert workspace.count("1 comment<") == 1


def test_after_a_resubmission_save_review_skips_to_the_criteria_still_waiting(world: World) -> None:
    sa = _submitted(world)
    waiting = [criterion(world.cohort, code) for code in ("2.1", "5.3")]
    CriterionResponse.objects.filter(self_assessment=sa).exclude(criterion__in=waiting).update(status="reviewed")
    alex = client_for(world.alex)
    page = alex.get(_url("cohort:criterion", world, criterion_id=waiting[0].pk)).content.decode()
    assert "Save review and go to 5.3" in page
    assert "1 other criterion still waits for your decision." in page
    saved = alex.post(_url("cohort:review_criterion", world, criterion_id=waiting[0].pk), {"decision": "accept"})
    assert saved["Location"] == _url("cohort:criterion", world, criterion_id=waiting[1].pk)
    last = alex.get(saved["Location"]).content.decode()
    assert "This is the last criterion waiting for your decision." in last
    assert '<button type="submit">Save review</button>' in last
    done = alex.post(_url("cohort:review_criterion", world, criterion_id=waiting[1].pk), {"decision": "accept"})
    assert done["Location"] == _url("cohort:workspace", world)
    sa.refresh_from_db()
    assert sa.status == SelfAssessment.Status.REVIEWED
