"""Summary documents: drafting from reviewed clips, editing, publishing versions, reading, withdrawal."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from pypdf import PdfReader

from cohort.models import Area, Membership, Notification, NotificationKind
from media_feedback.models import Clip, FeedbackCall
from media_feedback.review import services as review
from media_feedback.review.models import SummaryDocument, SummaryVersion
from tests import factories
from tests.factories import World, client_for
from tests.media_feedback.review.factories import (  # noqa: F401
    make_call,
    make_clip,
    media_storage_fixture,
    membership_of,
    reviewed,
)

WELLBEING = "I felt lonely in halls and the rent took all my money."
SUCCESS = "My tutor gave me an extension on my assignment when I was struggling with money."


def area(world: World, slug: str) -> Area:
    return world.cohort.framework.areas.get(slug=slug)


def summary_url(name: str, document: SummaryDocument, **extra: object) -> str:
    return reverse(f"media_feedback:{name}", kwargs={"cohort": "gm", "document_id": document.pk, **extra})


@pytest.fixture
def call(world: World) -> FeedbackCall:
    return make_call(world.cohort)


def tagged(clip: Clip, *areas: Area) -> Clip:
    for a in areas:
        review.tag_clip(Membership.objects.facilitators_of(clip.call.cohort).get(), clip, a)
    return clip


@pytest.fixture
def fran_membership(world: World) -> Membership:
    """Fran, the facilitator, as the review services take her."""
    return membership_of(world.fran, world.cohort)


def test_a_draft_hides_counts_below_three(world: World, call: FeedbackCall) -> None:
    reviewed(tagged(make_clip(call, world.irwell, WELLBEING), area(world, "student-wellbeing")), world.fran)
    reviewed(tagged(make_clip(call, world.irwell, WELLBEING), area(world, "student-wellbeing")), world.fran)
    make_clip(call, world.medlock, SUCCESS)  # not reviewed: not counted
    body = review.draft_markdown(call)
    assert "This summary draws on fewer than 3 clips from fewer than 3 institutions" in body
    assert "Clips that spoke to this area: fewer than 3." in body


def test_a_draft_has_an_introduction_and_one_section_per_area_with_counts_points_and_quotes(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    tame = factories.make_institution("Tame Bridge University", "Tame")
    factories.join(world.cohort, tame)
    wellbeing, success = area(world, "student-wellbeing"), area(world, "student-success")
    clips = [
        tagged(make_clip(call, world.irwell, WELLBEING), wellbeing),
        tagged(make_clip(call, world.medlock, WELLBEING), wellbeing),
        tagged(make_clip(call, tame, SUCCESS), wellbeing, success),
        tagged(make_clip(call, tame, SUCCESS, may_quote=False), success),
    ]
    for clip in clips:
        reviewed(clip, world.fran)
    quote = review.add_quote(fran_membership, clips[0], wellbeing, 0, 4)
    body = review.draft_markdown(call)
    assert "This summary draws on 4 clips from 3 institutions" in body
    headings = [line for line in body.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Introduction",
        *[f"## {a.title}" for a in world.cohort.framework.areas.order_by("position")],
    ]
    wellbeing_section = body.split("## Student wellbeing")[1].split("## ")[0]
    assert "Clips that spoke to this area: 3." in wellbeing_section
    assert "- “money” (in 3 clips)" in wellbeing_section
    assert quote.token in wellbeing_section
    assert "None of the reviewed clips spoke to this area." in body.split("## Admissions")[1].split("## ")[0]


def test_the_preview_writes_quotes_out_redacted(
    world: World, call: FeedbackCall, media_storage, fran_membership: Membership
) -> None:
    clip = reviewed(make_clip(call, world.irwell, "My carer Sandra helped me with the rent."), world.fran)
    review.redact_words(fran_membership, clip, 2, 2)
    quote = review.add_quote(fran_membership, clip, area(world, "student-wellbeing"), 0, 7)
    document = review.create_summary(fran_membership, call)
    response = client_for(world.fran).post(
        summary_url("preview_summary", document), {"title": "T", "body": f"## Hello\n\n{quote.token}"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="preview"')
    assert "My carer [redacted] helped me with the rent." in html and "Sandra" not in html


def test_publishing_freezes_a_version_and_notifies_everyone_in_the_cohort(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    document = review.create_summary(fran_membership, call)
    response = client_for(world.fran).post(summary_url("publish_summary", document))
    version = SummaryVersion.objects.get(document=document)
    assert response["Location"] == summary_url("summary_version", document, number=1)
    assert version.number == 1 and version.source == document.body and "<h2>Introduction</h2>" in version.html
    notified = set(
        Notification.objects.filter(kind=NotificationKind.SUMMARY).values_list("user__display_name", flat=True)
    )
    assert notified == {"Alex", "Lena", "Alice", "Bob", "Oscar"}  # everyone in the cohort but the publisher
    page = client_for(world.oscar).get(summary_url("summary_version", document, number=1)).content.decode()
    assert document.title in page and "Download the PDF" in page


def test_publishing_an_empty_document_is_refused_and_nothing_is_published(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    document = review.create_summary(fran_membership, call)
    review.update_draft(fran_membership, document, title="Empty", body="   \n")
    response = client_for(world.fran).post(summary_url("publish_summary", document), follow=True)
    assert "The summary is empty: write something before publishing it." in response.content.decode()
    assert not SummaryVersion.objects.exists()
    assert not Notification.objects.exists()


def test_publishing_again_without_changes_is_refused(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    document = review.create_summary(fran_membership, call)
    review.publish_summary(fran_membership, document)
    with pytest.raises(ValidationError, match=r"Nothing has changed since version 1\."):
        review.publish_summary(fran_membership, document)


def test_a_published_version_cannot_be_edited(world: World, call: FeedbackCall, fran_membership: Membership) -> None:
    document = review.create_summary(fran_membership, call)
    version = review.publish_summary(fran_membership, document)
    version.html = "<p>changed</p>"
    with pytest.raises(ValidationError, match="A published version cannot be changed"):
        version.save()
    assert "changed" not in SummaryVersion.objects.get(pk=version.pk).html


def test_editing_after_publishing_changes_the_draft_only_and_the_history_shows_the_diff(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    document = review.create_summary(fran_membership, call)
    review.publish_summary(fran_membership, document)
    client = client_for(world.fran)
    client.post(
        summary_url("edit_summary", document), {"title": document.title, "body": document.body + "\nA new point.\n"}
    )
    assert "A new point." not in SummaryVersion.objects.get(document=document, number=1).content
    client.post(summary_url("publish_summary", document))
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    history = client_for(world.alice).get(summary_url("summary_history", document)).content.decode()
    assert '<span class="visually-hidden">Added: </span>A new point.</li>' in history
    assert "What changed since version 1" in history


def test_a_member_cannot_read_a_draft_or_another_cohorts_summary(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    document = review.create_summary(fran_membership, call)
    assert client_for(world.alice).get(summary_url("summary_document", document)).status_code == 404
    review.publish_summary(fran_membership, document)
    assert client_for(world.alice).get(summary_url("summary_document", document)).status_code == 302
    assert client_for(world.olga).get(summary_url("summary_version", document, number=1)).status_code == 404


def test_the_pdf_has_a_cover_page_headings_page_numbers_and_tagged_text(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    document = review.create_summary(fran_membership, call)
    review.publish_summary(fran_membership, document)
    response = client_for(world.alice).get(summary_url("summary_pdf", document, number=1))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    cover, second = (" ".join(reader.pages[i].extract_text().split()) for i in (0, 1))
    assert document.title in cover and "Page" not in cover
    assert "Introduction" in second and f"Page 2 of {len(reader.pages)}" in second
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # type: ignore[operator]
    assert reader.metadata is not None and reader.metadata.title == document.title


def test_withdrawing_a_quoted_clip_replaces_the_version_and_blocks_the_quote_in_the_draft(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    assert not FeedbackCall.objects.get(pk=call.pk).summary_published_at
    clip = reviewed(make_clip(call, world.irwell, WELLBEING), world.fran)
    quote = review.add_quote(fran_membership, clip, area(world, "student-wellbeing"), 0, 4)
    document = review.create_summary(fran_membership, call)
    review.publish_summary(fran_membership, document)
    Notification.objects.all().delete()

    review.withdraw_clip(clip)  # the student's withdrawal, as the receipt page does it

    document.refresh_from_db()
    assert document.flagged_at is not None
    assert "A student withdrew a clip quoted in version 1." in document.flag_reason
    assert list(Notification.objects.values_list("user__display_name", "kind")) == [("Fran", "summary")]
    first, second = document.versions.order_by("number")
    assert first.quoted.get().withdrawn_at is not None and first.taken_down_at is not None
    assert second.note == "A quote was removed at a student's request." and not second.quoted.exists()
    page = client_for(world.fran).get(summary_url("edit_summary", document)).content.decode()
    assert "A student withdrew a clip quoted in version 1." in page

    response = client_for(world.fran).post(
        summary_url("edit_summary", document), {"title": document.title, "body": document.body + "\nMore.\n"}
    )
    response = client_for(world.fran).post(summary_url("publish_summary", document), follow=True)
    assert f"Quote {quote.pk} came from a clip that the student withdrew" in response.content.decode()
    assert document.versions.count() == 2

    document.refresh_from_db()
    review.update_draft(fran_membership, document, title=document.title, body=document.body.replace(quote.token, ""))
    review.publish_summary(fran_membership, document)
    document.refresh_from_db()
    assert document.versions.count() == 3 and document.flagged_at is None


def test_published_summaries_are_on_the_dashboard_the_nav_and_the_call_partial(
    world: World, call: FeedbackCall, django_assert_max_num_queries, fran_membership: Membership
) -> None:
    document = review.create_summary(fran_membership, call)
    review.publish_summary(fran_membership, document)
    dashboard = client_for(world.bob).get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode()
    assert "Summaries of students&#x27;" in dashboard or "Summaries of students'" in dashboard
    assert document.title in dashboard
    assert f'href="{reverse("media_feedback:summary_list", kwargs={"cohort": "gm"})}"' in dashboard
    client = client_for(world.bob)
    with django_assert_max_num_queries(8):
        listing = client.get(reverse("media_feedback:summary_list", kwargs={"cohort": "gm"}))
    assert document.title in listing.content.decode()
    partial = Template('{% include "media_feedback/review/_call_summaries.html" with call=call %}').render(
        Context({"call": call})
    )
    assert document.title in partial and "version 1" in partial


def test_publishing_a_summary_starts_the_retention_clock_of_its_call(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    clip = reviewed(make_clip(call, world.irwell, WELLBEING), world.fran)
    review.add_quote(fran_membership, clip, area(world, "student-wellbeing"), 0, 4)
    version = review.publish_summary(fran_membership, review.create_summary(fran_membership, call))
    call.refresh_from_db()
    assert call.summary_published_at == version.published_at
    assert call.delete_clips_after is not None


def test_a_second_draft_needs_its_own_title_and_the_page_offers_to_continue_the_first(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    first = review.create_summary(fran_membership, call)
    queue = reverse("media_feedback:review_queue", kwargs={"cohort": "gm", "call_id": call.pk})
    page = client_for(world.fran).get(queue).content.decode()
    assert f"Continue “{first.title}”" in page
    assert 'name="title" maxlength="200" value=""' in page  # the usual title is taken: none suggested

    create = reverse("media_feedback:create_summary", kwargs={"cohort": "gm", "call_id": call.pk})
    same = client_for(world.fran).post(create, {"title": f"  {first.title.upper()} "})
    assert same.status_code == 400
    assert "This call already has a summary called" in same.content.decode()
    assert f'value="  {first.title.upper()} "' in same.content.decode()  # what was typed stays
    assert SummaryDocument.objects.count() == 1

    client_for(world.fran).post(create, {"title": "For the funders"})
    assert sorted(SummaryDocument.objects.values_list("title", flat=True)) == ["For the funders", first.title]
