"""Erasure removes the person's words and name, and copies of their words in others' text only where
they really are copies: what others wrote themselves (a stock sentence, the same evidence title in
another institution, a template every institution filled in) stays. The practice library's examples
belong to their author: in their export, gone with their erasure."""

from __future__ import annotations

import importlib
import json
from datetime import date

from django.apps import apps
from django.test import TestCase
from django.urls import reverse

from cohort.access import get_membership
from cohort.assessment import services as assessment
from cohort.models import CriterionResponse, EffectivePractice, Evidence, Institution, Role, User
from config.copies import cut, remove_quotes, remove_sentences
from config.personal_data import REMOVED
from config.privacy import erase_account
from discussions import services
from discussions.models import Post, Thread
from tests import factories
from tests.cohort.assessment.factories import criterion, self_assessment
from tests.discussions.factories import reply, start
from tests.factories import World, client_for

STOCK = "Agreed, see the minutes."
# Distinctive: ten words and more, fifty characters and more.
LONG = "We guarantee a year-round tenancy to every care leaver who asks, with the rent held at the first year's rate."


def _erase(world: World, user: User) -> None:
    url = reverse("privacy_erase", kwargs={"cohort": world.cohort.slug, "user_id": user.pk})
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client_for(world.fran).post(url, {"confirm_email": user.email}).status_code == 302


def _operator_erases(user: User) -> None:
    operator = User.objects.create_superuser(email="root@example.org", password=factories.PASSWORD)
    with TestCase.captureOnCommitCallbacks(execute=True):
        erase_account(operator, user, confirm_email=user.email)


def _body(thread: Thread) -> Post:
    """The thread's opening post (its sequence number changes when erasure rewrites it)."""
    post = Post.objects.filter(thread=thread).order_by("pk").first()
    assert post is not None
    return post


def test_others_identical_stock_sentences_and_thread_titles_survive_a_facilitators_erasure(world: World) -> None:
    """The tester's case: Liam (Medlock) replies in Amira's thread; Olivia posts elsewhere; all three
    end with the same stock sentence."""
    amira = factories.make_user("Amira Haddad")
    factories.member(amira, world.cohort, Role.LEAD, world.irwell)
    liam = factories.make_user("Liam Ward")
    factories.member(liam, world.cohort, Role.MEMBER, world.medlock)
    thread = start(amira, world.cohort, title="ORCA thread title by Amira", body=f"ORCA opening post by Amira. {STOCK}")
    liams = reply(liam, thread, body=f"PUFFIN reply by Liam. {STOCK}")
    olivias = start(world.alice, world.cohort, title="Olivia's thread", body=f"Olivia's own words GANNET. {STOCK}")

    _erase(world, liam)

    thread.refresh_from_db()
    assert thread.title == "ORCA thread title by Amira"
    amiras = _body(thread)
    assert amiras.body == f"ORCA opening post by Amira. {STOCK}"
    assert STOCK in amiras.body_html and "ORCA thread title by Amira" in amiras.search_text
    assert _body(olivias).body == f"Olivia's own words GANNET. {STOCK}"
    liams.refresh_from_db()
    assert "PUFFIN" not in liams.body + liams.body_html + liams.search_text
    assert liams.author_name == "A former member"


def test_the_operators_erasure_leaves_others_identical_stock_sentences(world: World) -> None:
    violet = factories.make_user("Violet Stone")
    factories.member(violet, world.cohort, Role.MEMBER, world.medlock)
    thread = start(
        violet,
        world.cohort,
        title="Bursary timing",
        body="Thanks, that is helpful. Thank you, that is really helpful for our team.",
    )
    gareths = reply(world.alice, thread, body="Thanks, that is helpful. We pay ours in October.")
    # A longer stock sentence, written after hers in the same cohort (found by the re-test at eight words).
    amiras = reply(world.lena, thread, body="Thank you, that is really helpful for our team. Irwell will try this.")

    _operator_erases(violet)

    gareths.refresh_from_db()
    amiras.refresh_from_db()
    assert gareths.body == "Thanks, that is helpful. We pay ours in October."
    assert amiras.body == "Thank you, that is really helpful for our team. Irwell will try this."


def test_a_real_copy_of_their_words_goes_and_markers_around_it_too(world: World) -> None:
    violet = factories.make_user("Violet Stone")
    factories.member(violet, world.cohort, Role.MEMBER, world.medlock)
    thread = start(violet, world.cohort, title="Accommodation", body=f"{LONG} Ask me for the tenancy form.")
    other = start(world.lena, world.cohort, title="Ideas to copy", body=f"Medlock say: **{LONG}** We should too.")
    quoted = reply(world.alice, thread, body=f"> {LONG}\n\nDoes that include the summer?")

    _erase(world, violet)

    assert _body(other).body == f"Medlock say: {REMOVED} We should too."
    quoted.refresh_from_db()
    assert quoted.body == f"> {REMOVED}\n\nDoes that include the summer?"
    assert "year-round tenancy" not in quoted.body_html + quoted.search_text


def test_a_short_quote_in_a_reply_to_their_post_goes_but_the_same_words_elsewhere_stay(world: World) -> None:
    violet = factories.make_user("Violet Stone")
    factories.member(violet, world.cohort, Role.MEMBER, world.medlock)
    earlier = start(world.lena, world.cohort, title="Minutes", body=STOCK)
    thread = start(violet, world.cohort, title="Bursary timing", body=STOCK)
    answer = reply(world.alice, thread, body=f"> {STOCK}\n\nWhich minutes?", parent=_body(thread))

    _erase(world, violet)

    answer.refresh_from_db()
    assert answer.body == f"> {REMOVED}\n\nWhich minutes?"
    assert _body(earlier).body == STOCK


def test_erasing_someone_who_quoted_another_leaves_the_original_and_others_quotes(world: World) -> None:
    """The words were Lena's first: Liam's copy of them is his row, erased; hers and Alice's stay."""
    liam = factories.make_user("Liam Ward")
    factories.member(liam, world.cohort, Role.MEMBER, world.medlock)
    original = start(world.lena, world.cohort, title="Our tenancy offer", body=LONG)
    liams = start(liam, world.cohort, title="Worth copying", body=f"> {LONG}\n\nWe could do this.")
    alices = start(world.alice, world.cohort, title="Also worth copying", body=f"As Irwell wrote: {LONG}")

    _erase(world, liam)

    assert _body(original).body == LONG
    assert _body(alices).body == f"As Irwell wrote: {LONG}"
    assert _body(liams).body == REMOVED


def _narrative(world: World, user: User, institution: Institution, text: str) -> CriterionResponse:
    sa = self_assessment(world.cohort, institution)
    membership = get_membership(user, world.cohort.slug)
    return assessment.save_narrative(membership, sa, criterion(world.cohort, "1.1"), narrative=text, ready=False)


def test_other_institutions_identical_evidence_titles_and_template_sentences_survive(world: World) -> None:
    """As in the demo: every institution filled in the same template and titled its evidence alike.
    Irwell's were written after Medlock's, and still stay: Irwell could not read Medlock's."""
    template = "The working group reviewed this in student wellbeing meetings last term."
    bobs = _narrative(
        world,
        world.bob,
        world.medlock,
        f"At Medlock we checked this.\n\n- {template}\n- **Evidence:** see the documents listed below.",
    )
    Evidence.objects.create(
        response=bobs,
        title="Accommodation: policy extract",
        dated=date(2026, 1, 5),
        link="https://m.example/a",
        added_by=world.bob,
    )
    alices = _narrative(
        world,
        world.alice,
        world.irwell,
        f"At Irwell we checked this.\n\n- {template}\n- **Evidence:** see the documents listed below.",
    )
    Evidence.objects.create(
        response=alices,
        title="Accommodation: policy extract",
        dated=date(2026, 1, 6),
        link="https://i.example/a",
        added_by=world.alice,
    )
    asks = start(world.alice, world.cohort, title="A question for Bob", body="Bob, is your policy extract current?")
    others = start(world.alice, world.cohort, title="Accommodation: policy extract", body="Ours is attached.")

    _erase(world, world.bob)

    alices.refresh_from_db()
    assert (
        alices.narrative
        == f"At Irwell we checked this.\n\n- {template}\n- **Evidence:** see the documents listed below."
    )
    assert Evidence.objects.filter(added_by=world.alice, title="Accommodation: policy extract").exists()
    assert not Evidence.objects.filter(response=bobs).exists()
    bobs.refresh_from_db()
    assert template not in bobs.narrative and "**[" not in bobs.narrative  # no marker left unpaired
    assert bobs.narrative.endswith(f"- {REMOVED}")
    # Names still go, titles of others' threads only where they name him.
    asks.refresh_from_db()
    others.refresh_from_db()
    assert asks.title == "A question for a former member"
    assert _body(asks).body == "a former member, is your policy extract current?"
    assert others.title == "Accommodation: policy extract"


def test_a_member_s_practice_example_is_in_their_export_and_goes_with_their_erasure(world: World) -> None:
    area = world.cohort.framework.areas.get(position=5)
    response = client_for(world.bob).post(
        reverse("cohort:add_practice", kwargs={"cohort": "gm"}),
        {
            "area": area.pk,
            "title": "TAPIR tenancies all year",
            "description": "TAPIR description by Bob.",
            "source": "discussion",
            "shared_with_sector": "on",
        },
    )
    assert response.status_code == 302
    example = EffectivePractice.objects.get(title="TAPIR tenancies all year")
    assert example.author == world.bob
    exported = client_for(world.fran).get(reverse("privacy_export", kwargs={"cohort": "gm", "user_id": world.bob.pk}))
    data = json.loads(exported.content)
    assert [row["fields"]["title"] for row in data["cohort.EffectivePractice"]] == ["TAPIR tenancies all year"]
    assert "TAPIR" in client_for(world.olga).get(reverse("cohort:sector_practice")).content.decode()

    _erase(world, world.bob)

    assert not EffectivePractice.objects.filter(pk=example.pk).exists()
    assert "TAPIR" not in client_for(world.olga).get(reverse("cohort:sector_practice")).content.decode()


def test_an_example_marked_from_a_post_is_the_writers_not_the_facilitators(world: World) -> None:
    thread = start(world.alice, world.cohort, title="Peer mentors", body="Second-years mentor new entrants.")
    area = world.cohort.framework.areas.get(position=6)
    example = services.mark_effective_practice(get_membership(world.fran, "gm"), _body(thread), area=area, title="")
    assert (example.author, example.created_by) == (world.alice, world.fran)
    data = json.loads(
        client_for(world.fran)
        .get(reverse("privacy_export", kwargs={"cohort": "gm", "user_id": world.alice.pk}))
        .content
    )
    assert [row["pk"] for row in data["cohort.EffectivePractice"]] == [example.pk]


def test_the_migration_gives_existing_examples_their_authors(world: World) -> None:
    thread = start(world.alice, world.cohort, title="Peer mentors", body="Second-years mentor new entrants.")
    area = world.cohort.framework.areas.get(position=6)
    marked = services.mark_effective_practice(get_membership(world.fran, "gm"), _body(thread), area=area, title="")
    added = assessment.add_practice(
        get_membership(world.bob, "gm"), area=area, title="Taster days", description="Run with the virtual school."
    )
    EffectivePractice.objects.update(author=None)
    migration = importlib.import_module("cohort.migrations.0016_effectivepractice_author")
    migration.attach_authors(apps, None)
    assert EffectivePractice.objects.get(pk=marked.pk).author == world.alice
    assert EffectivePractice.objects.get(pk=added.pk).author == world.bob


def test_copies_are_cut_without_unpaired_markers_and_with_html_tags_kept() -> None:
    text = "<p>They said: <em>We guarantee a year-round tenancy</em> to every care leaver who asks.</p>"
    start = text.index("We")
    end = text.index("asks") + len("asks")
    assert cut(text, [(start, end)], "[x]") == "<p>They said: <em>[x]</em></p>"
    assert (
        remove_sentences(
            "- **Evidence:** see the documents listed below.", ["Evidence:** see the documents listed below."], "[x]"
        )
        == "- [x]"
    )
    assert remove_quotes("> > Agreed, see\n> the minutes.\n\nOK", STOCK, "[x]") == "> > [x]\n> [x]\n\nOK"
