"""A summary's Welsh version: written beside the English one, published with it, read (and downloaded as
a PDF) by Welsh readers; English readers and summaries with no Welsh text stay English. Quotes keep the
language the student spoke."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cohort.models import Area, Membership, User
from media_feedback.models import Clip, FeedbackCall, Transcript
from media_feedback.review import services as review
from media_feedback.review.models import SummaryDocument, SummaryVersion
from tests.factories import World, client_for
from tests.media_feedback.review.factories import make_call, make_clip, membership_of, reviewed

ENGLISH_BODY = "## Money\n\nStudents told us that rent was hard.\n"
WELSH_BODY = "## Arian\n\nDywedodd myfyrwyr wrthym fod rhent yn anodd.\n"
WELSH_TITLE = "Beth ddywedodd myfyrwyr wrthym"


def summary_url(name: str, document: SummaryDocument, **extra: object) -> str:
    return reverse(f"media_feedback:{name}", kwargs={"cohort": "gm", "document_id": document.pk, **extra})


@pytest.fixture
def call(world: World) -> FeedbackCall:
    return make_call(world.cohort)


@pytest.fixture
def fran_membership(world: World) -> Membership:
    return membership_of(world.fran, world.cohort)


def welsh_reader(user: User) -> User:
    user.language = "cy"
    user.save(update_fields=["language"])
    return user


def wellbeing(world: World) -> Area:
    return world.cohort.framework.areas.get(slug="student-wellbeing")


def spoken_in_welsh(clip: Clip) -> Clip:
    # The language the student spoke: the clip's own when it has one (the student's choice), else the transcript's.
    if hasattr(clip, "language"):
        Clip.objects.filter(pk=clip.pk).update(**{"language": "cy"})
    Transcript.objects.filter(clip=clip).update(language="cy")
    return Clip.objects.select_related("transcript").get(pk=clip.pk)


def published(fran_membership: Membership, call: FeedbackCall, *, welsh: bool) -> SummaryVersion:
    document = review.create_summary(fran_membership, call, "What students told us")
    review.update_draft(
        fran_membership,
        document,
        title=document.title,
        body=ENGLISH_BODY,
        title_cy=WELSH_TITLE if welsh else "",
        body_cy=WELSH_BODY if welsh else "",
    )
    return review.publish_summary(fran_membership, document)


def pdf_text(user: User, version: SummaryVersion) -> tuple[str, PdfReader, str]:
    response = client_for(user).get(summary_url("summary_pdf", version.document, number=version.number))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return text, reader, response["Content-Disposition"]


def test_a_welsh_reader_sees_the_welsh_summary_and_gets_the_welsh_pdf(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    version = published(fran_membership, call, welsh=True)
    alice = welsh_reader(world.alice)

    page = client_for(alice).get(summary_url("summary_version", version.document, number=1)).content.decode()
    assert WELSH_TITLE in page and "<h2>Arian</h2>" in page and "Dywedodd myfyrwyr wrthym" in page
    assert "Students told us that rent was hard." not in page
    assert "english-only" not in page  # no note: this is the Welsh version

    text, reader, disposition = pdf_text(alice, version)
    assert WELSH_TITLE in text and "Arian" in text and "Dywedodd myfyrwyr wrthym fod rhent yn anodd." in text
    assert "Students told us" not in text and "Money" not in text
    assert reader.metadata is not None and reader.metadata.title == WELSH_TITLE
    assert reader.trailer["/Root"]["/Lang"] == "cy"  # type: ignore[index]
    assert "-cy.pdf" in disposition


def test_an_english_reader_gets_the_english_summary_and_pdf(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    version = published(fran_membership, call, welsh=True)

    page = client_for(world.bob).get(summary_url("summary_version", version.document, number=1)).content.decode()
    assert "What students told us" in page and "<h2>Money</h2>" in page
    assert WELSH_TITLE not in page and "Arian" not in page and "english-only" not in page

    text, reader, disposition = pdf_text(world.bob, version)
    assert "What students told us" in text and "Money" in text and "Students told us that rent was hard." in text
    assert "Page 2 of" in text and "Feedback call: How was your first year?" in text
    assert "Arian" not in text and WELSH_TITLE not in text
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"  # type: ignore[index]
    assert "-cy.pdf" not in disposition


def test_a_summary_with_no_welsh_shows_a_welsh_reader_the_english_one_with_a_note(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    version = published(fran_membership, call, welsh=False)
    alice = welsh_reader(world.alice)

    page = client_for(alice).get(summary_url("summary_version", version.document, number=1)).content.decode()
    assert '<h1 id="summary-title" lang="en-GB">What students told us</h1>' in page
    assert 'class="notice english-only"' in page  # the note that this is the English version
    assert '<div class="summary-content" lang="en-GB"><h2>Money</h2>' in page

    text, reader, _disposition = pdf_text(alice, version)
    assert "Students told us that rent was hard." in text
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"  # type: ignore[index]

    listing = client_for(alice).get(reverse("media_feedback:summary_list", kwargs={"cohort": "gm"})).content.decode()
    assert '<span lang="en-GB">What students told us</span>' in listing


def test_the_facilitator_writes_the_welsh_version_in_the_editor_and_publishes_both_together(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    document = review.create_summary(fran_membership, call, "What students told us")
    fran = client_for(world.fran)
    editor = fran.get(summary_url("edit_summary", document)).content.decode()
    assert 'name="title_cy"' in editor and 'name="body_cy"' in editor and 'lang="cy"' in editor

    fran.post(
        summary_url("edit_summary", document),
        {"title": document.title, "body": ENGLISH_BODY, "title_cy": WELSH_TITLE, "body_cy": WELSH_BODY},
    )
    document.refresh_from_db()
    assert (document.title_cy, document.body_cy.strip()) == (WELSH_TITLE, WELSH_BODY.strip())

    fran.post(summary_url("publish_summary", document))
    version = document.versions.get()
    assert version.title_cy == WELSH_TITLE and "<h2>Arian</h2>" in version.html_cy and "<h2>Money</h2>" in version.html

    # A Welsh change alone is a change: it publishes the next version.
    review.update_draft(
        fran_membership, document, title=document.title, body=ENGLISH_BODY, body_cy=WELSH_BODY + "\nMwy.\n"
    )
    assert review.publish_summary(fran_membership, document).number == 2
    history = fran.get(summary_url("summary_history", document)).content.decode()
    assert "Only the Welsh version changed." in history
    welsh_history = client_for(welsh_reader(world.alice)).get(summary_url("summary_history", document)).content
    assert '<ul class="diff">' in welsh_history.decode() and "Mwy.</li>" in welsh_history.decode()


@pytest.mark.parametrize(("title_cy", "body_cy"), [("", WELSH_BODY), (WELSH_TITLE, ""), (WELSH_TITLE, "{{quote 999}}")])
def test_a_welsh_version_missing_its_title_its_text_or_a_quote_is_refused_and_nothing_is_published(
    world: World, call: FeedbackCall, fran_membership: Membership, title_cy: str, body_cy: str
) -> None:
    document = review.create_summary(fran_membership, call, "What students told us")
    review.update_draft(
        fran_membership, document, title=document.title, body=ENGLISH_BODY, title_cy=title_cy, body_cy=body_cy
    )
    response = client_for(world.fran).post(summary_url("publish_summary", document), follow=True)
    page = response.content.decode()
    assert "message-error" in page and not document.versions.exists()


def test_a_welsh_quote_keeps_its_language_in_either_version(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    welsh_clip = spoken_in_welsh(
        reviewed(make_clip(call, world.irwell, "Roedd y rhent yn y neuadd yn ormod i mi."), world.fran)
    )
    english_clip = reviewed(make_clip(call, world.medlock, "The rent in halls was too much for me."), world.fran)
    welsh_quote = review.add_quote(fran_membership, welsh_clip, wellbeing(world), 0, 9)
    english_quote = review.add_quote(fran_membership, english_clip, wellbeing(world), 0, 8)
    document = review.create_summary(fran_membership, call, "What students told us")
    tokens = f"{welsh_quote.token}\n\nAnd / Ac:\n\n{english_quote.token}\n"
    review.update_draft(
        fran_membership, document, title=document.title, body=tokens, title_cy=WELSH_TITLE, body_cy=tokens
    )
    version = review.publish_summary(fran_membership, document)

    assert '<span lang="cy">“Roedd y rhent yn y neuadd yn ormod i mi.”</span>' in version.html
    assert "<p>“The rent in halls was too much for me.”" in version.html  # the summary's own language
    assert '<span lang="en-GB">“The rent in halls was too much for me.”</span>' in version.html_cy
    assert "<p>“Roedd y rhent yn y neuadd yn ormod i mi.”" in version.html_cy
    assert set(version.quoted.values_list("quote_number", flat=True)) == {welsh_quote.pk, english_quote.pk}


def test_withdrawing_a_quoted_clip_takes_its_words_out_of_the_welsh_version_too(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    clip = reviewed(make_clip(call, world.irwell, "I felt lonely in halls and the rent took all my money."), world.fran)
    quote = review.add_quote(fran_membership, clip, wellbeing(world), 0, 5)
    document = review.create_summary(fran_membership, call, "What students told us")
    review.update_draft(
        fran_membership,
        document,
        title=document.title,
        body=f"{ENGLISH_BODY}\n{quote.token}\n",
        title_cy=WELSH_TITLE,
        body_cy=f"{WELSH_BODY}\n{quote.token}\n\n- Roedd un myfyriwr yn dweud: felt lonely in halls\n",
    )
    review.publish_summary(fran_membership, document)

    review.withdraw_clip(clip)

    first, second = SummaryDocument.objects.get(pk=document.pk).versions.order_by("number")
    assert first.taken_down_at is not None and first.html_cy == "" and first.content_cy == ""
    assert second.has_welsh and second.title_cy == WELSH_TITLE and "Arian" in second.html_cy
    assert "lonely" not in second.html_cy and "lonely" not in second.source_cy and quote.token not in second.source_cy
    document.refresh_from_db()
    assert "lonely" not in document.body_cy
    alice = welsh_reader(world.alice)
    page = client_for(alice).get(summary_url("summary_version", document, number=2)).content.decode()
    assert "Arian" in page and "lonely" not in page


def test_the_welsh_draft_marks_what_has_no_welsh_yet_as_english(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    reviewed(make_clip(call, world.irwell), world.fran)
    document = review.create_summary(fran_membership, call, "What students told us")
    area = wellbeing(world)
    area.title_cy = ""  # a framework whose Welsh has not been written yet
    area.save(update_fields=["title_cy"])

    review.redraft(fran_membership, document, "cy")

    document.refresh_from_db()
    assert f'## <span lang="en-GB">{area.title}</span>' in document.body_cy  # the area has no Welsh title yet
    assert f"## {area.title}\n" in document.body  # the English draft is as it was
    area.title_cy = "Llesiant myfyrwyr"
    area.save(update_fields=["title_cy"])
    assert "## Llesiant myfyrwyr\n" in review.draft_markdown(call, "cy")


def test_a_welsh_facilitator_reviews_an_english_clip_with_its_words_marked_as_english(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    clip = reviewed(make_clip(call, world.irwell), world.fran)
    review.add_quote(fran_membership, clip, wellbeing(world), 0, 3)
    fran = welsh_reader(world.fran)

    page = (
        client_for(fran)
        .get(reverse("media_feedback:review_clip", kwargs={"cohort": "gm", "clip_id": clip.public_id}))
        .content.decode()
    )

    assert '<html lang="cy">' in page
    assert '<button type="button" class="word" lang="en-GB" data-index="1"' in page
    assert '<blockquote class="quote" lang="en-GB">“My name is Jordan”</blockquote>' in page
    assert "&quot;" not in page.split('id="transcript"')[1].split("</div>")[0]


def test_drafting_the_welsh_text_gives_a_welsh_title_when_there_is_none(
    world: World, call: FeedbackCall, fran_membership: Membership
) -> None:
    reviewed(make_clip(call, world.irwell), world.fran)
    document = review.create_summary(fran_membership, call, "What students told us")
    assert document.title_cy == ""
    review.redraft(fran_membership, document, "cy")
    document.refresh_from_db()
    assert document.title_cy.startswith("Beth ddywedodd myfyrwyr wrthym: ")
    document.title_cy = "Ein teitl ein hunain"
    document.save(update_fields=["title_cy"])
    review.redraft(fran_membership, document, "cy")
    document.refresh_from_db()
    assert document.title_cy == "Ein teitl ein hunain"  # a title the facilitator wrote is kept
