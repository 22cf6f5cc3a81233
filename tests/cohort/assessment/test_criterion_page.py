"""The criterion page's narrative and "Add evidence" are one form: a narrative typed before adding
evidence is saved with it, or shown again as typed when the evidence is refused."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cohort.assessment import services as assessment
from cohort.models import CriterionResponse, Evidence
from tests.cohort.assessment.factories import criterion, self_assessment
from tests.factories import World, client_for

pytestmark = pytest.mark.django_db

NARRATIVE = "Our care leavers' bursary — see the board paper."


def _url(name: str, w: World, **extra: object) -> str:
    return reverse(name, kwargs={"cohort": w.cohort.slug, "institution": w.irwell.slug, **extra})


def _narrative(w: World, code: str) -> str:
    sa = self_assessment(w.cohort, w.irwell)
    return assessment.response_for(sa, criterion(w.cohort, code)).narrative


def test_the_evidence_fields_and_both_buttons_belong_to_one_form(world) -> None:
    c = criterion(world.cohort, "1.1")
    page = client_for(world.alice).get(_url("cohort:criterion", world, criterion_id=c.pk)).content.decode()
    assert '<form method="post" id="criterion-work" enctype="multipart/form-data" novalidate' in page
    for name in ("title", "dated", "file", "link"):
        tag = re.search(rf'<input type="[a-z]+" name="{name}"[^>]*>', page)
        assert tag and 'form="criterion-work"' in tag[0], name
    add = _url("cohort:add_evidence", world, criterion_id=c.pk)
    assert f'<button type="submit" form="criterion-work" formaction="{add}">Add evidence</button>' in page


def test_adding_evidence_saves_the_narrative_typed_before_it(world) -> None:
    c = criterion(world.cohort, "1.1")
    response = client_for(world.alice).post(
        _url("cohort:add_evidence", world, criterion_id=c.pk),
        {"narrative": NARRATIVE, "title": "Board paper", "dated": "2025-07-14", "link": "https://irwell.example/b"},
        follow=True,
    )
    assert "Evidence “Board paper” added to 1.1 and the narrative saved (in progress)." in (response.content.decode())
    assert _narrative(world, "1.1") == NARRATIVE
    assert Evidence.objects.get().title == "Board paper"


def test_refused_evidence_keeps_the_narrative_and_the_evidence_as_typed_and_saves_neither(world) -> None:
    c = criterion(world.cohort, "1.1")
    response = client_for(world.alice).post(
        _url("cohort:add_evidence", world, criterion_id=c.pk),
        {"narrative": NARRATIVE, "title": "Board paper", "dated": "2099-01-01", "link": "https://irwell.example/b"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The date of the evidence cannot be in the future." in page
    assert "Our care leavers&#x27; bursary — see the board paper.</textarea>" in page
    assert 'value="Board paper"' in page and 'value="2099-01-01"' in page
    assert not Evidence.objects.exists()
    assert not CriterionResponse.objects.exclude(narrative="").exists()


def test_enter_in_an_evidence_field_saves_the_narrative_and_adds_the_evidence(world) -> None:
    # The form's first button is "Save narrative": Enter anywhere in the form sends it, evidence included.
    c = criterion(world.cohort, "1.1")
    client_for(world.alice).post(
        _url("cohort:save_narrative", world, criterion_id=c.pk),
        {"narrative": NARRATIVE, "title": "Board paper", "dated": "2025-07-14", "link": "https://irwell.example/b"},
    )
    assert _narrative(world, "1.1") == NARRATIVE
    assert Evidence.objects.filter(title="Board paper").exists()


def test_saving_the_narrative_alone_adds_no_evidence(world) -> None:
    c = criterion(world.cohort, "1.1")
    client_for(world.alice).post(
        _url("cohort:save_narrative", world, criterion_id=c.pk),
        {"narrative": NARRATIVE, "title": "", "dated": "", "link": ""},
    )
    assert _narrative(world, "1.1") == NARRATIVE
    assert not Evidence.objects.exists()
