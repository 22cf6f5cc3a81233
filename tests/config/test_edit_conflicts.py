"""Two people (or two tabs) editing the same text: the second save, based on the older version, is
refused with 409; the page shows who saved what and when beside the text as typed, which is kept;
nothing of the refused save is written; saving again from that page succeeds (cohort.editing)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from cohort.assessment import services as assessment
from cohort.models import NarrativeRevision
from tests.cohort.assessment.factories import criterion, self_assessment
from tests.factories import World, client_for

pytestmark = pytest.mark.django_db


def based_on(page: str, prefix: str = "") -> str:
    found = re.search(rf'name="{prefix}based_on" value="([0-9a-f]+)"', page)
    assert found, "the edit form carries no version"
    return found[1]


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@dataclass
class Edit:
    """One edit form: where it is shown and posted, who edits, the text field, the rest of a post,
    and how to read the stored text."""

    page: Callable[[World], str]
    post: Callable[[World], str]
    first: str  # who saves first (a World attribute)
    second: str
    field: str
    stored: Callable[[World], str]
    extra: Callable[[World], dict[str, Any]] = lambda w: {}
    prefix: str = ""
    setup: Callable[[World], None] = lambda w: None


def _criterion(w: World) -> Any:
    return criterion(w.cohort, "1.1")


def _criterion_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(
        name, kwargs={"cohort": w.cohort.slug, "institution": w.irwell.slug, "criterion_id": _criterion(w).pk}
    )


def _narrative(w: World) -> str:
    return assessment.response_for(self_assessment(w.cohort, w.irwell), _criterion(w)).narrative


EDITS: dict[str, Edit] = {
    "narrative": Edit(
        page=_criterion_url("cohort:criterion"),
        post=_criterion_url("cohort:save_narrative"),
        first="lena",
        second="alice",
        field="narrative",
        stored=_narrative,
    ),
}


def _open(client: Client, edit: Edit, w: World) -> str:
    response = client.get(edit.page(w))
    assert response.status_code == 200
    return based_on(response.content.decode(), edit.prefix)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_save_based_on_an_older_version_is_refused_shows_theirs_and_keeps_what_was_typed(name, world) -> None:
    edit = EDITS[name]
    edit.setup(world)
    first, second = client_for(getattr(world, edit.first)), client_for(getattr(world, edit.second))
    tab_a, tab_b = _open(first, edit, world), _open(second, edit, world)
    assert tab_a == tab_b
    key = f"{edit.prefix}{edit.field}"

    saved = first.post(edit.post(world), {**edit.extra(world), key: "TAB-A wrote this first", "based_on": tab_a})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert edit.stored(world) == "TAB-A wrote this first"

    before = _counts()
    refused = second.post(
        edit.post(world), {**edit.extra(world), key: "TAB-B typed this — ü", f"{edit.prefix}based_on": tab_b}
    )
    assert refused.status_code == 409
    page = refused.content.decode()
    who = str(getattr(world, edit.first))
    assert f"{html.escape(who)} saved this text at" in page  # who, and when
    assert ">TAB-A wrote this first</textarea>" in page  # their text, beside…
    assert "TAB-B typed this — ü</textarea>" in page  # …what was typed, kept in the form
    assert edit.stored(world) == "TAB-A wrote this first"  # nothing of the refused save
    assert _counts() == before

    # The refused page is based on the version now stored: saving the merged text succeeds.
    merged = "TAB-A wrote this first\nTAB-B typed this"
    again = second.post(
        edit.post(world), {**edit.extra(world), key: merged, f"{edit.prefix}based_on": based_on(page, edit.prefix)}
    )
    assert again.status_code == 302
    assert edit.stored(world) == merged


def test_a_narrative_refused_as_stale_keeps_the_first_writers_revision_only(world) -> None:
    edit = EDITS["narrative"]
    lena, alice = client_for(world.lena), client_for(world.alice)
    tab_a, tab_b = _open(lena, edit, world), _open(alice, edit, world)
    lena.post(edit.post(world), {"narrative": "TAB-A", "based_on": tab_a})
    alice.post(edit.post(world), {"narrative": "TAB-B", "based_on": tab_b})
    assert list(NarrativeRevision.objects.values_list("narrative", flat=True)) == ["TAB-A"]
