"""The effective-practice library (cohort and sector), the data register and the exports."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from pypdf import PdfReader

from cohort.access import get_membership
from cohort.assessment.services import add_practice
from cohort.models import AppTarget, Area, DataDefinition, EffectivePractice, Evidence
from tests import factories
from tests.cohort.assessment.factories import criterion, make_all_ready, self_assessment
from tests.factories import World, client_for


def _area(world: World, position: int) -> Area:
    return Area.objects.get(framework=world.cohort.framework, position=position)


def test_a_member_adds_an_example_and_the_library_is_searchable_by_area_and_text(world: World) -> None:
    response = client_for(world.alice).post(
        reverse("cohort:add_practice", kwargs={"cohort": "gm"}),
        {
            "area": _area(world, 5).pk,
            "title": "Year-round accommodation",
            "description": "365-day **tenancies** for care leavers.",
            "source": "evidence",
        },
    )
    assert response.status_code == 302
    add_practice(
        get_membership(world.fran, "gm"), area=_area(world, 4), title="Contextual offers",
        description="Two grades below the standard offer.",
    )  # fmt: skip
    url = reverse("cohort:practice_library", kwargs={"cohort": "gm"})

    by_text = client_for(world.bob).get(url, {"q": "tenancies"}).content.decode()
    by_area = client_for(world.bob).get(url, {"area": _area(world, 4).pk}).content.decode()

    assert "Year-round accommodation" in by_text and "Contextual offers" not in by_text
    assert "<strong>tenancies</strong>" in by_text
    assert "University of Irwell Valley" in by_text
    assert "Contextual offers" in by_area and "Year-round accommodation" not in by_area


def test_an_anonymous_example_hides_the_institution(world: World) -> None:
    add_practice(
        get_membership(world.lena, "gm"), area=_area(world, 1), title="Board champion",
        description="A named governor.", anonymous=True,
    )  # fmt: skip
    page = client_for(world.bob).get(reverse("cohort:practice_library", kwargs={"cohort": "gm"})).content.decode()
    assert "Board champion" in page and "An institution" in page
    assert "University of Irwell Valley" not in page


def test_the_sector_page_lists_shared_examples_to_members_of_any_cohort(world: World) -> None:
    lena = get_membership(world.lena, "gm")
    shared = add_practice(lena, area=_area(world, 6), title="Peer mentors", description="Second-years mentor.")
    add_practice(lena, area=_area(world, 6), title="Kept inside", description="x")
    client_for(world.lena).post(
        reverse("cohort:practice_sharing", kwargs={"cohort": "gm", "practice_id": shared.pk}),
        {"shared_with_sector": "on"},
    )
    shared.refresh_from_db()
    assert shared.shared_with_sector

    page = client_for(world.olga).get(reverse("cohort:sector_practice")).content.decode()
    assert "Peer mentors" in page and "Kept inside" not in page
    assert "University of Irwell Valley" in page
    nobody = factories.make_user("Nobody")
    assert client_for(nobody).get(reverse("cohort:sector_practice")).status_code == 404


def test_only_the_institution_lead_or_a_facilitator_changes_an_examples_sharing(world: World) -> None:
    practice = add_practice(
        get_membership(world.lena, "gm"), area=_area(world, 6), title="Peer mentors", description="x"
    )
    url = reverse("cohort:practice_sharing", kwargs={"cohort": "gm", "practice_id": practice.pk})
    assert client_for(world.bob).post(url, {"shared_with_sector": "on"}).status_code == 404
    assert client_for(world.alice).post(url, {"shared_with_sector": "on"}).status_code == 404
    practice.refresh_from_db()
    assert not practice.shared_with_sector


def test_the_data_register_sets_institutions_side_by_side(world: World) -> None:
    url = reverse("cohort:data_definition", kwargs={"cohort": "gm", "institution": "irwell"})
    client_for(world.alice).post(
        url,
        {
            "care_experienced": "Anyone who has spent time in local-authority care, at any age.",
            "estranged": "No contact with either parent for 12 months.",
            "data_sources": "UCAS flag, enrolment self-declaration",
        },
    )
    targets = reverse("cohort:add_target", kwargs={"cohort": "gm", "institution": "irwell"})
    client_for(world.lena).post(
        targets,
        {"group": "care_experienced", "measure": "Continuation", "baseline": "82%", "target": "90%", "year": "2028-29"},
    )
    bad = client_for(world.lena).post(
        targets, {"group": "estranged", "measure": "Access", "baseline": "1", "target": "2", "year": "soon"}
    )
    assert bad.status_code == 400 and "Give a year such as 2028 or 2028-29." in bad.content.decode()
    assert AppTarget.objects.count() == 1

    page = client_for(world.bob).get(reverse("cohort:data_register", kwargs={"cohort": "gm"})).content.decode()
    assert "Anyone who has spent time in local-authority care" in page
    assert "Continuation — 82% → 90% (2028-29)" in page
    assert "Not recorded yet." in page  # Medlock
    # Bob (Medlock) and the assessor cannot edit Irwell's entry.
    assert client_for(world.bob).get(url).status_code == 404
    assert client_for(world.alex).post(url, {"care_experienced": "x"}).status_code == 404
    assert DataDefinition.objects.get().updated_by == world.alice


def test_the_self_assessment_exports_as_pdf_and_csv_with_evidence_and_action_plan(world: World) -> None:
    from cohort.services import add_action_item

    sa = self_assessment(world.cohort, world.irwell)
    make_all_ready(sa)
    response = sa.responses.get(criterion=criterion(world.cohort, "1.1"))
    response.narrative = "Our governing body champions care leavers."
    response.save()
    Evidence.objects.create(response=response, title="Board minutes", dated="2025-07-14", link="https://x.example/m")
    add_action_item(cohort=world.cohort, institution=world.irwell, title="=HYPERLINK(1)", source="manual")
    kwargs = {"cohort": "gm", "institution": "irwell"}

    pdf = client_for(world.alex).get(reverse("cohort:export_pdf", kwargs=kwargs))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Self-assessment of University of Irwell Valley" in text
    assert "Our governing body champions care leavers." in text
    assert "Board minutes" in text and "Action plan" in text

    rows = list(
        csv.reader(
            io.StringIO(client_for(world.lena).get(reverse("cohort:export_csv", kwargs=kwargs)).content.decode())
        )
    )
    assert rows[0][0] == "section"
    assert [rows[2][0], rows[2][2], rows[2][5], rows[2][6]] == ["evidence", "1.1", "Board minutes", "2025-07-14"]
    assert sum(1 for r in rows if r[0] == "criterion") == 30
    action = next(r for r in rows if r[0] == "action")
    assert action[5] == "'=HYPERLINK(1)"  # neutralised for spreadsheets
    assert EffectivePractice.objects.count() == 0
