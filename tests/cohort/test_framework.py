from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cohort.framework_data import AREAS, WELSH, add_welsh
from cohort.models import Area, Cohort, Criterion, Membership, NationNote, User
from tests.factories import client_for, make_user


def test_the_framework_has_seven_areas_in_the_quality_marks_order(cohort) -> None:
    titles = list(Area.objects.filter(framework=cohort.framework).values_list("title", flat=True))
    assert titles == [
        "Culture and leadership", "Continuous improvement", "Pre-entry activity", "Admissions",
        "Student wellbeing", "Student success", "Collaborative and partnership working",
    ]  # fmt: skip
    assert all(area.criteria.count() >= 4 for area in Area.objects.filter(framework=cohort.framework))


def test_the_framework_page_shows_criteria_and_nation_notes(world) -> None:
    page = client_for(world.alice).get(reverse("cohort:framework", kwargs={"cohort": "gm"})).content.decode()
    assert "1.1" in page
    assert "Scotland:" in page


def test_the_demo_seed_is_idempotent(db) -> None:
    call_command("seed_demo", stdout=StringIO())
    counts = (User.objects.count(), Membership.objects.count(), Cohort.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (User.objects.count(), Membership.objects.count(), Cohort.objects.count()) == counts
    assert Membership.objects.filter(cohort__slug="greater-manchester", role="lead").count() == 8


# The framework in Welsh (issue #21).


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A Welsh reader's request leaves Welsh active in the thread: the next test starts in English."""
    yield
    translation.deactivate()


def _cy(user: User) -> Client:
    """A client signed in as `user`, who reads in Welsh."""
    User.objects.filter(pk=user.pk).update(language="cy")
    user.refresh_from_db()
    return client_for(user)


def test_the_welsh_version_has_the_same_areas_criteria_and_nation_notes_as_the_english() -> None:
    assert [slug for slug, *_rest in AREAS] == list(WELSH)
    for slug, _title, _summary, criteria in AREAS:
        title_cy, summary_cy, criteria_cy = WELSH[slug]
        assert title_cy.strip() and summary_cy.strip(), slug
        assert len(criteria_cy) == len(criteria), slug
        for (_statement, notes), (statement_cy, notes_cy) in zip(criteria, criteria_cy, strict=True):
            assert statement_cy.strip()
            assert set(notes_cy) == set(notes), slug


def test_every_area_criterion_and_nation_note_of_the_framework_has_its_welsh(cohort) -> None:
    areas = Area.objects.filter(framework=cohort.framework)
    assert not areas.filter(title_cy="").exists()
    assert not areas.filter(summary_cy="").exists()
    assert not Criterion.objects.filter(area__framework=cohort.framework, statement_cy="").exists()
    assert not NationNote.objects.filter(criterion__area__framework=cohort.framework, note_cy="").exists()
    assert list(areas.values_list("title_cy", flat=True)[:2]) == ["Diwylliant ac arweinyddiaeth", "Gwella parhaus"]


def test_adding_the_welsh_fills_only_what_is_blank_and_still_the_shipped_english(cohort) -> None:
    """The data migration's step (add_welsh) on a framework loaded before there was any Welsh: a
    facilitator's own Welsh is kept, and a statement whose English they reworded gets no Welsh that no
    longer matches it."""
    criteria = Criterion.objects.filter(area__framework=cohort.framework)
    criteria.update(statement_cy="")
    Area.objects.filter(framework=cohort.framework).update(title_cy="")
    NationNote.objects.filter(criterion__area__framework=cohort.framework).update(note_cy="")
    own = criteria.get(area__position=1, position=1)
    own.statement_cy = "Geiriad yr hwylusydd ei hun."
    own.save(update_fields=["statement_cy"])
    reworded = criteria.get(area__position=1, position=2)
    reworded.statement = "Named contacts, reworded by a facilitator."
    reworded.save(update_fields=["statement"])

    assert add_welsh() > 0
    assert add_welsh() == 0  # nothing left to fill: running it again changes nothing

    own.refresh_from_db()
    reworded.refresh_from_db()
    assert own.statement_cy == "Geiriad yr hwylusydd ei hun."
    assert reworded.statement_cy == ""
    assert criteria.get(area__position=1, position=3).statement_cy.startswith("Mae staff ym mhob adran")
    assert Area.objects.get(framework=cohort.framework, position=4).title_cy == "Derbyn myfyrwyr"
    assert NationNote.objects.get(criterion__area__position=2, criterion__position=4, nation="wales").note_cy
    assert not Area.objects.filter(framework=cohort.framework, title_cy="").exists()


def test_a_welsh_reader_sees_the_framework_in_welsh(world) -> None:
    page = _cy(world.alice).get(reverse("cohort:framework", kwargs={"cohort": "gm"})).content.decode()
    assert "1. Diwylliant ac arweinyddiaeth</h2>" in page
    assert "Mae uwch arweinydd yn atebol am y cymorth i fyfyrwyr â phrofiad o ofal" in page
    assert "Cyfeiriwch at ymrwymiadau Llywodraeth Cymru" in page  # a nation note
    assert "Culture and leadership" not in page
    assert '<span lang="en-GB">' not in page  # nothing fell back to English


def test_a_criterion_with_no_welsh_shows_its_english_marked_as_english_with_a_note(world) -> None:
    Criterion.objects.filter(area__framework=world.cohort.framework, area__position=1, position=2).update(
        statement_cy=""
    )
    page = _cy(world.alice).get(reverse("cohort:framework", kwargs={"cohort": "gm"})).content.decode()
    with translation.override("cy"):
        note = gettext("(in English only)")
    english = "Named contacts exist for these students and are easy to find from the institution&#x27;s website"
    assert re.search(rf'<span lang="en-GB">{english}[^<]*</span> <small class="muted">{re.escape(note)}</small>', page)
    assert "Mae uwch arweinydd yn atebol" in page  # its neighbours are still in Welsh


def test_an_english_reader_sees_the_english_framework_unmarked(world) -> None:
    page = client_for(world.alice).get(reverse("cohort:framework", kwargs={"cohort": "gm"})).content.decode()
    assert "1. Culture and leadership</h2>" in page
    assert "Diwylliant" not in page
    assert '<span lang="en-GB">' not in page


def test_the_site_operator_edits_the_welsh_of_a_criterion_and_its_nation_notes_in_the_admin(world) -> None:
    operator = make_user("Operator", totp=True)
    User.objects.filter(pk=operator.pk).update(is_staff=True, is_superuser=True)
    operator.refresh_from_db()
    client = client_for(operator)
    criterion = Criterion.objects.get(area__framework=world.cohort.framework, area__position=1, position=4)
    url = reverse("admin:cohort_criterion_change", args=[criterion.pk])
    page = client.get(url).content.decode()
    assert 'name="statement_cy"' in page and 'name="guidance_cy"' in page
    notes = list(criterion.nation_notes.order_by("pk"))
    assert 'name="nation_notes-0-note_cy"' in page
    data = {
        "area": criterion.area_id,
        "position": criterion.position,
        "statement": criterion.statement,
        "guidance": "",
        "statement_cy": "Datganiad newydd yn Gymraeg.",
        "guidance_cy": "Canllawiau yn Gymraeg.",
        "nation_notes-TOTAL_FORMS": len(notes),
        "nation_notes-INITIAL_FORMS": len(notes),
        "nation_notes-MIN_NUM_FORMS": 0,
        "nation_notes-MAX_NUM_FORMS": 1000,
    }
    for i, note in enumerate(notes):
        data |= {
            f"nation_notes-{i}-id": note.pk,
            f"nation_notes-{i}-criterion": criterion.pk,
            f"nation_notes-{i}-nation": note.nation,
            f"nation_notes-{i}-note": note.note,
            f"nation_notes-{i}-note_cy": note.note_cy if note.nation != "wales" else "Nodyn newydd i Gymru.",
        }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    criterion.refresh_from_db()
    assert (criterion.statement_cy, criterion.guidance_cy) == ("Datganiad newydd yn Gymraeg.", "Canllawiau yn Gymraeg.")
    assert criterion.nation_notes.get(nation="wales").note_cy == "Nodyn newydd i Gymru."
    page = _cy(world.alice).get(reverse("cohort:framework", kwargs={"cohort": "gm"})).content.decode()
    assert "Datganiad newydd yn Gymraeg." in page
