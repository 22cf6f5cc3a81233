"""The summary editor's publish and "draft again" send the editor's text along: with unsaved edits
they do nothing and show the editor again with the text as typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from media_feedback.models import SummaryVersion
from media_feedback.review import services as review
from tests.factories import client_for
from tests.media_feedback.review.factories import make_call, membership_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(world):
    fran = membership_of(world.fran, world.cohort)
    document = review.create_summary(fran, make_call(world.cohort))
    return review.update_draft(fran, document, title="What students told us", body="## Money\n\nBursaries helped.")


def _url(name: str, world, document) -> str:
    return reverse(name, kwargs={"cohort": world.cohort.slug, "document_id": document.pk})


def test_the_editor_sends_its_text_with_publish_and_draft_again(world, document) -> None:
    page = client_for(world.fran).get(_url("media_feedback:edit_summary", world, document)).content.decode()
    publish = _url("media_feedback:publish_summary", world, document)
    assert (
        f'<button type="submit" form="summary-editor" formaction="{publish}">Publish the saved draft</button>' in page
    )
    assert 'data-maxlength="200"' in page and " maxlength=" not in page


@pytest.mark.parametrize("action", ["media_feedback:publish_summary", "media_feedback:redraft_summary"])
def test_unsaved_edits_stop_publish_and_draft_again_and_stay_in_the_editor(world, document, action) -> None:
    typed = "## Money\r\n\r\nBursaries helped, and so did the hardship fund."
    response = client_for(world.fran).post(
        _url(action, world, document), {"title": "What students told us", "body": typed}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your changes to the draft are not saved yet, so nothing else was done." in page
    assert "Bursaries helped, and so did the hardship fund.</textarea>" in page
    document.refresh_from_db()
    assert document.body == "## Money\n\nBursaries helped."
    assert not SummaryVersion.objects.exists()


def test_publish_with_the_saved_text_publishes(world, document) -> None:
    response = client_for(world.fran).post(
        _url("media_feedback:publish_summary", world, document),
        {"title": "What students told us", "body": "## Money\r\n\r\nBursaries helped."},
    )
    assert response.status_code == 302
    assert SummaryVersion.objects.get().source == "## Money\n\nBursaries helped."
