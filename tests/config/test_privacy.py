"""Subject access and erasure: scoped to one cohort for its facilitator; the whole account for the site
operator. Erasure is checked the way someone auditing it would: scan every text column of every table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from cohort.access import get_membership
from cohort.audit.models import AuditEvent
from cohort.models import (
    ActionItem,
    Cohort,
    CriterionResponse,
    DataDefinition,
    EffectivePractice,
    Evidence,
    Institution,
    Membership,
    Notification,
    Role,
    User,
)
from cohort.notifications import notify
from config.personal_data import BY_MODEL
from discussions import fragments, services
from discussions.models import Post
from discussions.search import search_posts
from meetings.models import Consultation, Meeting, Outcome
from tests import factories
from tests.cohort.assessment.factories import criterion, self_assessment
from tests.discussions.factories import reply, start
from tests.factories import World, client_for

NAME = "Samira Shared"
EMAIL = "samira.shared@example.org"
ACCOUNT_MODELS = {"cohort.User", "account.EmailAddress"}  # the shared account, which a cohort's erasure keeps


def text_hits(needle: str) -> list[tuple[str, int, str]]:
    """(model, pk, field) of every text column, of every table, that contains needle."""
    hits = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        names += [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField | models.FileField)]
        for name in names:
            lookup = f"{name}__icontains" if not isinstance(model._meta.get_field(name), models.JSONField) else None
            if lookup is None:
                rows = [(pk, json.dumps(v)) for pk, v in model._default_manager.values_list("pk", name)]
                hits += [(model._meta.label, pk, name) for pk, v in rows if needle.lower() in v.lower()]
                continue
            for pk in model._default_manager.filter(**{lookup: needle}).values_list("pk", flat=True):
                hits.append((model._meta.label, pk, name))
    return hits


def in_cohort(label: str, pk: int, cohort: Cohort) -> bool:
    holding = BY_MODEL.get(label)
    if holding is None or holding.cohort is None:
        return False
    return apps.get_model(label)._default_manager.filter(pk=pk, **{holding.cohort: cohort}).exists()


def cohort_text(cohort: Cohort) -> list[object]:
    """Every text value of every row the map places in the cohort, in a stable order."""
    values: list[object] = []
    for label, holding in sorted(BY_MODEL.items()):
        if holding.cohort is None:
            continue
        model = apps.get_model(label)
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        rows = model._default_manager.filter(**{holding.cohort: cohort}).order_by("pk").values_list("pk", *names)
        values.append((label, list(rows)))
    return values


@dataclass
class Footprint:
    """What Samira wrote in one cohort: each sentence is unique to it."""

    cohort: Cohort
    sentences: list[str] = field(default_factory=list)
    thread_id: int = 0
    post_id: int = 0
    evidence_file: str = ""


def leave_a_footprint(samira: User, cohort: Cohort, institution: Institution, peer: User, tag: str) -> Footprint:
    """Posts, a reply that a peer quotes, mentions both ways, a practice-library copy, evidence with a
    file, a narrative, a data definition, minutes and consultation notes naming her, notifications."""
    fp = Footprint(cohort)
    said = fp.sentences
    said += [
        f"Counting care leavers at enrolment in {tag}",
        f"Our registry flags every care leaver when they enrol at {tag} campus.",
        f"We pay the {tag} bursary in three instalments each autumn term.",
        f"The {tag} widening participation team meets every second Tuesday.",
        f"Estranged students at {tag} self declare through the {tag} portal form.",
        f"The consultation agreed to audit the {tag} accommodation offer again.",
        f"Evidence of the {tag} care leaver pledge signed by the principal",
        f"Our {tag} progress note says the pledge is now on the website.",
    ]
    thread = start(samira, cohort, title=said[0], body=said[1])
    fp.thread_id = thread.pk
    first = Post.objects.get(thread=thread, seq=1)
    fp.post_id = first.pk
    peer_post = reply(peer, thread, body=f"> {said[1]}\n\nAgreed, @**{NAME}** and thank you for the detail.")
    reply(samira, thread, body=f"{said[2]} Thanks @**{peer}**!", parent=peer_post)
    facilitator = Membership.objects.filter(cohort=cohort, role=Role.FACILITATOR).first()
    assert facilitator is not None
    area = cohort.framework.areas.get(position=1)
    services.mark_effective_practice(facilitator, first, area=area, title="Registry flags")

    sa = self_assessment(cohort, institution)
    response, _ = CriterionResponse.objects.update_or_create(
        self_assessment=sa, criterion=criterion(cohort, "1.1"), defaults={"narrative": said[3], "updated_by": samira}
    )
    Evidence.objects.create(
        response=response,
        title=said[6],
        dated=date(2026, 1, 5),
        file=SimpleUploadedFile("pledge.pdf", f"%PDF-1.4 {said[6]}".encode()),
        original_name=f"{tag}-pledge-signed-by-{NAME}.pdf",
        added_by=samira,
    )
    fp.evidence_file = Evidence.objects.get(title=said[6]).file.name or ""
    DataDefinition.objects.create(cohort=cohort, institution=institution, estranged=said[4], updated_by=samira)
    item = ActionItem.objects.create(cohort=cohort, institution=institution, title=f"Pledge {tag}", owner=samira)
    item.progress_notes.create(author=samira, note=said[7])

    now = timezone.now()
    meeting = Meeting.objects.create(
        cohort=cohort,
        title=f"Meeting of {tag}",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        minutes=f"{NAME} reported on bursaries. Contact {EMAIL}.",
    )
    Outcome.objects.create(meeting=meeting, kind="action", text=f"{NAME} to share the pledge", owner_name=NAME)
    Consultation.objects.create(
        cohort=cohort,
        host=facilitator.user,
        institution=institution,
        booked_by=samira,
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        blocked_from=now,
        blocked_until=now + timedelta(hours=1),
        topic=f"Pledge review {tag}",
        notes=said[5],
    )
    notify([samira], kind="meeting", title=f"Meeting of {tag} moved", url="/", cohort=cohort)
    return fp


@pytest.fixture
def media(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def samira(world: World, media: None) -> tuple[User, Footprint, Footprint]:
    """A member of both cohorts: Irwell in Greater Manchester (A), Medlock in Yorkshire (B)."""
    user = factories.make_user(NAME, email=EMAIL)
    factories.member(user, world.cohort, Role.MEMBER, world.irwell)
    factories.join(world.other_cohort, world.medlock)
    factories.member(user, world.other_cohort, Role.MEMBER, world.medlock)
    peer_b = factories.make_user("Yara Peer")
    factories.member(peer_b, world.other_cohort, Role.LEAD, world.medlock)
    a = leave_a_footprint(user, world.cohort, world.irwell, world.alice, "Irk")
    b = leave_a_footprint(user, world.other_cohort, world.medlock, peer_b, "Wharfe")
    return user, a, b


def erase_url(cohort: Cohort, user: User) -> str:
    return reverse("privacy_erase", kwargs={"cohort": cohort.slug, "user_id": user.pk})


def test_erasing_in_one_cohort_leaves_nothing_of_the_person_there_and_the_other_cohort_as_it_was(
    world: World, samira
) -> None:
    user, a, b = samira
    post_b = Post.objects.select_related("thread").get(pk=b.post_id)
    fragments.post_event_html(post_b.pk, post_b.seq, post_b.idempotency_key.hex)  # a live page cached it
    old_key = fragments.post_key(post_b.pk, post_b.seq, post_b.idempotency_key.hex)
    assert cache.get(old_key) is not None
    for sentence in b.sentences:
        assert text_hits(sentence), sentence  # the scan finds what is there
    before_a = cohort_text(world.cohort)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(world.olga).post(erase_url(world.other_cohort, user), {"confirm_email": EMAIL})
    assert response.status_code == 302

    for sentence in b.sentences:
        assert text_hits(sentence) == [], sentence
    for needle in (NAME, EMAIL):
        stray = [
            hit
            for hit in text_hits(needle)
            if hit[0] not in ACCOUNT_MODELS and not in_cohort(hit[0], hit[1], world.cohort)
        ]
        assert stray == [], needle
    assert cohort_text(world.cohort) == before_a
    for sentence in a.sentences:
        assert text_hits(sentence), sentence
    assert User.objects.filter(pk=user.pk).exists()  # the account is shared: it stays
    assert list(Membership.objects.filter(user=user).values_list("cohort__slug", flat=True)) == ["gm"]
    assert not default_storage.exists(b.evidence_file)
    assert default_storage.exists(a.evidence_file)
    assert cache.get(old_key) is None
    assert not EffectivePractice.objects.filter(cohort=world.other_cohort, description__contains="registry").exists()
    assert EffectivePractice.objects.filter(cohort=world.cohort, description__contains="registry").exists()
    assert AuditEvent.objects.filter(action="erasure.done", cohort=world.other_cohort, target_id=str(user.pk)).exists()


def test_what_members_see_after_erasure_holds_neither_the_name_nor_the_words(world: World, samira) -> None:
    user, _, b = samira
    client_for(world.olga).post(erase_url(world.other_cohort, user), {"confirm_email": EMAIL})
    peer = User.objects.get(display_name="Yara Peer")
    page = client_for(peer).get(
        reverse("discussions:thread", kwargs={"cohort": world.other_cohort.slug, "thread_id": b.thread_id})
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert NAME not in html and "registry flags" not in html and "A former member" in html
    assert search_posts(get_membership(peer, world.other_cohort.slug), "registry") == []
    titles = Notification.objects.filter(user=peer).values_list("title", flat=True)
    assert titles and not any(NAME in t for t in titles)


def test_the_site_operator_erases_the_account_everywhere(world: World, samira) -> None:
    user, a, b = samira
    operator = User.objects.create_superuser(email="root@example.org", password=factories.PASSWORD)
    found = client_for(operator).get(reverse("account_search"), {"email": EMAIL}).content.decode()
    url = reverse("account_erasure", kwargs={"user_id": user.pk})
    assert f'href="{url}"' in found
    assert client_for(operator).get(url).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_for(operator).post(url, {"confirm_email": EMAIL})
    assert not User.objects.filter(pk=user.pk).exists()
    for needle in [NAME, EMAIL, *a.sentences, *b.sentences]:
        assert text_hits(needle) == [], needle
    assert not default_storage.exists(a.evidence_file) and not default_storage.exists(b.evidence_file)
    assert AuditEvent.objects.filter(action="erasure.account", actor=operator, target_id=str(user.pk)).exists()


def test_only_the_site_operator_reaches_the_account_erasure_page(world: World, samira) -> None:
    user, _, _ = samira
    url = reverse("account_erasure", kwargs={"user_id": user.pk})
    assert client_for(world.fran).get(reverse("account_search"), {"email": EMAIL}).status_code == 404
    assert client_for(world.fran).get(url).status_code == 404
    assert client_for(world.fran).post(url, {"confirm_email": EMAIL}).status_code == 404
    assert User.objects.filter(pk=user.pk).exists()


def test_the_operator_must_type_the_address_and_nothing_changes_until_then(world: World, samira) -> None:
    user, _, _ = samira
    operator = User.objects.create_superuser(email="root@example.org", password=factories.PASSWORD)
    before = cohort_text(world.cohort), cohort_text(world.other_cohort)
    response = client_for(operator).post(
        reverse("account_erasure", kwargs={"user_id": user.pk}), {"confirm_email": "wrong@example.org"}, follow=True
    )
    assert "confirm the erasure. Nothing was erased." in response.content.decode()
    assert (cohort_text(world.cohort), cohort_text(world.other_cohort)) == before
    assert User.objects.filter(pk=user.pk).exists()


def test_a_cohort_export_of_a_shared_member_holds_nothing_of_the_other_cohort(world: World, samira) -> None:
    user, a, b = samira
    response = client_for(world.olga).get(
        reverse("privacy_export", kwargs={"cohort": world.other_cohort.slug, "user_id": user.pk})
    )
    text = response.content.decode()
    data = json.loads(text)
    for sentence in a.sentences:
        assert sentence not in text
    for sentence in b.sentences[1:4]:
        assert sentence in text
    assert [m["fields"]["cohort"] for m in data["cohort.Membership"]] == [world.other_cohort.pk]
    assert "Irk" not in text
    assert AuditEvent.objects.filter(action="export.downloaded", target_id=str(user.pk)).exists()


def test_a_facilitator_exports_what_a_person_holds_in_the_cohort(world: World) -> None:
    notify([world.alice], kind="meeting", title="Meeting moved", url="/", cohort=world.cohort)
    ActionItem.objects.create(
        cohort=world.cohort, institution=world.irwell, title="Write the data definition", owner=world.alice
    )
    response = client_for(world.fran).get(reverse("privacy_export", kwargs={"cohort": "gm", "user_id": world.alice.pk}))
    data = json.loads(response.content)
    assert data["account"]["email"] == world.alice.email
    assert data["cohort.Notification"][0]["fields"]["title"] == "Meeting moved"
    assert data["cohort.ActionItem"][0]["fields"]["title"] == "Write the data definition"
    assert "password" not in json.dumps(data)
    assert AuditEvent.objects.filter(action="export.downloaded", target_id=str(world.alice.pk)).exists()


def test_erasure_needs_the_address_typed_and_then_removes_the_person_from_the_cohort(world: World) -> None:
    notify([world.alice], kind="meeting", title="Meeting moved", url="/", cohort=world.cohort)
    url = erase_url(world.cohort, world.alice)
    response = client_for(world.fran).post(url, {"confirm_email": "wrong@example.org"}, follow=True)
    assert "Nothing was erased." in response.content.decode()
    assert Membership.objects.filter(user=world.alice, cohort=world.cohort).exists()
    assert Notification.objects.filter(user=world.alice).exists()
    client_for(world.fran).post(url, {"confirm_email": world.alice.email})
    assert User.objects.filter(pk=world.alice.pk).exists()  # the account is the operator's to erase
    assert not Membership.objects.filter(user=world.alice, cohort=world.cohort).exists()
    assert not Notification.objects.filter(user_id=world.alice.pk).exists()
    assert AuditEvent.objects.filter(action="erasure.done", target_id=str(world.alice.pk)).exists()


def test_a_facilitator_cannot_reach_people_of_another_cohort(world: World) -> None:
    url = reverse("privacy_export", kwargs={"cohort": "gm", "user_id": world.olga.pk})
    assert client_for(world.fran).get(url).status_code == 404
    assert (
        client_for(world.fran)
        .post(erase_url(world.cohort, world.olga), {"confirm_email": world.olga.email})
        .status_code
        == 404
    )
    assert Membership.objects.filter(user=world.olga).exists()


def test_a_name_that_html_escapes_leaves_no_copy_in_the_rendered_posts(world: World) -> None:
    niamh = factories.make_user("Niamh O'Neill", email="niamh@example.org")
    factories.member(niamh, world.cohort, Role.MEMBER, world.irwell)
    thread = start(world.lena, world.cohort, title="Who leads on bursaries?", body="Over to @**Niamh O'Neill** here.")
    post = Post.objects.get(thread=thread, seq=1)
    assert "Neill" in post.body_html
    client_for(world.fran).post(erase_url(world.cohort, niamh), {"confirm_email": "niamh@example.org"})
    post.refresh_from_db()
    assert "Neill" not in post.body + post.body_html + post.search_text
    assert "a former member" in post.body_html


def test_a_short_name_is_erased_as_a_word_and_leaves_other_words_alone(world: World) -> None:
    al = factories.make_user("Al", email="al@example.org")
    factories.member(al, world.cohort, Role.MEMBER, world.irwell)
    thread = start(world.lena, world.cohort, title="Also on bursaries", body="Al said it. Also: Albury.")
    client_for(world.fran).post(erase_url(world.cohort, al), {"confirm_email": "al@example.org"})
    post = Post.objects.get(thread=thread)
    assert post.body == "a former member said it. Also: Albury."
