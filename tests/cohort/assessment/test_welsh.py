"""The self-assessment in Welsh (issue #21): the framework's own words in the reader's language (English,
marked and noted, where there is no Welsh yet), dates in the reader's language, and notifications in
each recipient's language.

The product's own sentences come from the compiled catalogue, so the tests compare them with what the
catalogue says in Welsh rather than with Welsh words; the framework's Welsh is data and is asserted as is.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cohort.access import get_membership
from cohort.assessment import exports, services as assessment
from cohort.models import Criterion, Notification, SelfAssessment, User
from tests.cohort.assessment.factories import criterion, self_assessment
from tests.factories import World, client_for

pytestmark = pytest.mark.django_db

STATEMENT_1_1_CY = "Mae uwch arweinydd yn atebol am y cymorth i fyfyrwyr â phrofiad o ofal"


def _welsh(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(language="cy")
    user.refresh_from_db()
    return client_for(user)


def _url(name: str, w: World, **extra: object) -> str:
    return reverse(name, kwargs={"cohort": w.cohort.slug, "institution": w.irwell.slug, **extra})


def _in_welsh(text: str) -> str:
    with translation.override("cy"):
        return gettext(text)


def test_a_welsh_reader_sees_the_criterion_its_area_and_its_nations_note_in_welsh(world) -> None:
    world.irwell.nation = "wales"
    world.irwell.save(update_fields=["nation"])
    c = criterion(world.cohort, "1.4")
    page = _welsh(world.alice).get(_url("cohort:criterion", world, criterion_id=c.pk)).content.decode()
    assert "› 1. Diwylliant ac arweinyddiaeth</p>" in page
    assert "Mae strategaeth a pholisïau&#x27;r sefydliad yn enwi myfyrwyr â phrofiad o ofal" in page
    assert "Cyfeiriwch at ymrwymiadau Llywodraeth Cymru i ddysgwyr â phrofiad o ofal" in page
    assert "The institution&#x27;s strategy" not in page
    assert f'<h2 id="narrative-title">{_in_welsh("Narrative")}</h2>' in page


def test_a_criterion_with_no_welsh_is_shown_in_english_marked_as_english_with_a_note(world) -> None:
    c = criterion(world.cohort, "2.3")
    Criterion.objects.filter(pk=c.pk).update(statement_cy="")
    page = _welsh(world.alice).get(_url("cohort:criterion", world, criterion_id=c.pk)).content.decode()
    note = _in_welsh("(in English only)")
    assert (
        '<p class="sa-statement"><span lang="en-GB">Support is evaluated and changed in the light of evidence and '
        f'student feedback.</span> <small class="muted">{note}</small></p>'
    ) in page
    assert "2. Gwella parhaus" in page  # the area has its Welsh


def test_the_workspace_lists_the_criteria_in_welsh_and_marks_one_without_welsh_as_english(world) -> None:
    Criterion.objects.filter(pk=criterion(world.cohort, "2.3").pk).update(statement_cy="")
    page = _welsh(world.lena).get(_url("cohort:workspace", world)).content.decode()
    assert "7. Cydweithio a gweithio mewn partneriaeth</h2>" in page
    assert f'<span class="code">1.1</span> {STATEMENT_1_1_CY}' in page
    assert '<span class="code">2.3</span> <span lang="en-GB">Support is evaluated and changed' in page


def test_an_english_reader_sees_the_workspace_as_before(world) -> None:
    page = client_for(world.lena).get(_url("cohort:workspace", world)).content.decode()
    assert "1. Culture and leadership</h2>" in page
    assert '<span lang="en-GB">' not in page
    # The list still shows the first 18 words of a long statement.
    assert (
        '<span class="code">1.1</span> A senior leader is accountable for support for care-experienced and '
        "estranged students, and reports on it to the …</a>"
    ) in page


def test_award_dates_follow_the_readers_language(world) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    SelfAssessment.objects.filter(pk=sa.pk).update(status=SelfAssessment.Status.RECOMMENDED)
    sa.refresh_from_db()
    assessment.record_award(get_membership(world.fran, world.cohort.slug), sa, awarded_on=date(2025, 6, 15))
    welsh = _welsh(world.alice).get(_url("cohort:workspace", world)).content.decode()
    english = client_for(world.lena).get(_url("cohort:workspace", world)).content.decode()
    assert "<dd>15 Mehefin 2025</dd>" in welsh and "<dd>15 Rhagfyr 2026</dd>" in welsh
    assert "<dd>15 June 2025</dd>" in english and "<dd>15 December 2026</dd>" in english


def test_each_person_is_told_of_the_award_in_their_own_language(world) -> None:
    User.objects.filter(pk=world.alice.pk).update(language="cy")
    sa = self_assessment(world.cohort, world.irwell)
    SelfAssessment.objects.filter(pk=sa.pk).update(status=SelfAssessment.Status.RECOMMENDED)
    sa.refresh_from_db()
    assessment.record_award(get_membership(world.fran, world.cohort.slug), sa, awarded_on=date(2025, 6, 15))
    welsh = Notification.objects.get(user=world.alice).title
    english = Notification.objects.get(user=world.lena).title
    assert english == (
        "Irwell holds the Quality Mark from 15 June 2025: mid-point review December 2026, renewal by 15 June 2028"
    )
    with translation.override("cy"):
        sentence = gettext(
            "%(institution)s holds the Quality Mark from %(awarded)s: mid-point review %(midpoint)s, "
            "renewal by %(expires)s"
        )
    assert welsh == sentence % {
        "institution": "Irwell",
        "awarded": "15 Mehefin 2025",
        "midpoint": "Rhagfyr 2026",
        "expires": "15 Mehefin 2028",
    }


def test_a_comment_notification_is_written_in_each_recipients_language(world) -> None:
    User.objects.filter(pk=world.alice.pk).update(language="cy")
    sa = self_assessment(world.cohort, world.irwell)
    assessment.add_comment(get_membership(world.alex, world.cohort.slug), sa, criterion(world.cohort, "3.2"), body="Hi")
    assert Notification.objects.get(user=world.lena).title == "Alex commented on criterion 3.2 (Irwell)"
    assert Notification.objects.get(user=world.alice).title == _in_welsh(
        "%(person)s commented on criterion %(code)s (%(institution)s)"
    ) % {"person": "Alex", "code": "3.2", "institution": "Irwell"}


def test_the_action_plans_area_choices_are_in_the_readers_language(world) -> None:
    page = _welsh(world.lena).get(_url("cohort:action_plan", world)).content.decode()
    area = criterion(world.cohort, "5.1").area
    assert f'<option value="{area.pk}">5. Llesiant myfyrwyr</option>' in page


def test_the_csv_and_the_pdf_are_in_the_language_of_whoever_downloads_them(world) -> None:
    sa = self_assessment(world.cohort, world.irwell)
    with translation.override("cy"):
        rows = list(csv.reader(io.StringIO(exports.self_assessment_csv(sa))))
        html = render_to_string("cohort/assessment/export.html", exports._context(sa))
    assert rows[1][1] == "Diwylliant ac arweinyddiaeth"
    assert rows[0][1] == _in_welsh("area")
    assert '<html lang="cy">' in html
    assert f"<h3>1.1 {STATEMENT_1_1_CY}" in html
    with translation.override("en-gb"):
        rows = list(csv.reader(io.StringIO(exports.self_assessment_csv(sa))))
        html = render_to_string("cohort/assessment/export.html", exports._context(sa))
    assert rows[0][:3] == ["section", "area", "criterion"] and rows[1][1] == "Culture and leadership"
    assert '<html lang="en-GB">' in html
    assert 'content: "Page " counter(page) " of " counter(pages) "";' in html
