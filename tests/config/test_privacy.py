"""Subject access and erasure: scoped to one cohort for its facilitator; the whole account for the site
operator. Erasure is checked the way someone auditing it would: scan every text column of every table."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cohort.access import get_membership
from cohort.assessment import services as assessment
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
    NarrativeRevision,
    Notification,
    Role,
    User,
)
from cohort.notifications import notify
from config.personal_data import BY_MODEL, REMOVED
from config.privacy import erase_account
from discussions import fragments, services
from discussions.models import Post
from discussions.search import search_posts
from media_feedback.review import services as review
from meetings.consultations.feed import calendar_events_for
from meetings.models import Consultation, Meeting, Outcome
from tests import factories
from tests.cohort.assessment.factories import criterion, self_assessment
from tests.discussions.factories import reply, start
from tests.factories import World, client_for
from tests.media_feedback.review.factories import make_call

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
    peer_sentence: str = ""  # a sentence a peer added to her narrative: it stays
    response_id: int = 0
    hosted_id: int = 0  # a consultation she hosted


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
        f"As host I noted that {tag} will publish its bursary rules in May.",
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
    # Her narrative, which a peer then edits: keeping her sentence, adding one of their own.
    code = criterion(cohort, "1.1")
    assessment.save_narrative(get_membership(samira, cohort.slug), sa, code, narrative=said[3], ready=False)
    fp.peer_sentence = f"Every new care leaver at {tag} is offered a peer mentor in week one."
    response = assessment.save_narrative(
        get_membership(peer, cohort.slug), sa, code, narrative=f"{said[3]}\n\n{fp.peer_sentence}", ready=False
    )
    fp.response_id = response.pk
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
    held = now - timedelta(days=7, hours=3 * len(tag))  # one hour, at a different time in each cohort
    hosted = Consultation.objects.create(
        cohort=cohort,
        host=samira,
        institution=institution,
        booked_by=peer,
        starts_at=held,
        ends_at=held + timedelta(hours=1),
        blocked_from=held,
        blocked_until=held + timedelta(hours=1),
        topic=f"Bursary audit with {NAME}",
        notes=said[8],
    )
    fp.hosted_id = hosted.pk
    # A published summary that thanks her by name and repeats one of her sentences (a PDF members download).
    document = review.create_summary(facilitator, make_call(cohort, f"Bursaries at {tag}"))
    body = f"## Thanks\n\nWith thanks to {NAME} ({EMAIL}), who told us: {said[2]}\n\n{document.body}"
    review.publish_summary(facilitator, review.update_draft(facilitator, document, title=document.title, body=body))
    notify([samira], kind="meeting", title=f"Meeting of {tag} moved", url="/", cohort=cohort)
    return fp


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def stored(root: Path) -> set[str]:
    """Every file in the storage, by its storage name."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def member_pdf_text(user: User, cohort: Cohort) -> str:
    """The text of every summary PDF a member of the cohort can download."""
    client = client_for(user)
    texts = []
    for version in review.published_versions(cohort.pk):
        kwargs = {"cohort": cohort.slug, "document_id": version.document_id, "number": version.number}
        response = client.get(reverse("media_feedback:summary_pdf", kwargs=kwargs))
        assert response.status_code == 200
        texts += [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    assert texts
    return "\n".join(texts)


@pytest.fixture
def samira(world: World, media: Path) -> tuple[User, Footprint, Footprint]:
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
    world: World, samira, media: Path
) -> None:
    user, a, b = samira
    peer_b = User.objects.get(display_name="Yara Peer")
    assert stored(media) == {a.evidence_file, b.evidence_file}
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
    assert stored(media) == {a.evidence_file}  # her cohort-B evidence file is gone; nothing else was stored
    assert cache.get(old_key) is None
    pdf = member_pdf_text(peer_b, world.other_cohort)
    assert "With thanks to a former member" in pdf
    assert not any(needle in pdf for needle in [NAME, EMAIL, *b.sentences])
    # The narrative she wrote and a peer edited: her sentence is gone, the peer's stays; so do only
    # the peer's revisions, without her sentence.
    narrative = CriterionResponse.objects.get(pk=b.response_id)
    assert b.peer_sentence in narrative.narrative and b.sentences[3] not in narrative.narrative
    revisions = list(NarrativeRevision.objects.filter(response=narrative).values_list("author", "narrative"))
    assert [author for author, _ in revisions] == [peer_b.pk]
    assert b.peer_sentence in revisions[0][1] and b.sentences[3] not in revisions[0][1]
    # The consultation she hosted stays, for the institution's allowance, with nothing of her in it.
    hosted = Consultation.objects.get(pk=b.hosted_id)
    assert hosted.host_id is None and hosted.notes == REMOVED and hosted.topic == REMOVED
    detail = client_for(peer_b).get(hosted.get_absolute_url()).content.decode()
    assert "with a former member" in detail and NAME not in detail
    events = [e for e in calendar_events_for(peer_b) if e.uid == f"consultation-{hosted.uid}@qm-cohort"]
    assert [(e.summary, e.organizer_email) for e in events] == [("QM consultation: Medlock with a former member", "")]
    cancel = reverse("meetings:consultation_cancel", kwargs={"cohort": "yorks", "consultation_id": hosted.pk})
    assert client_for(world.olga).get(cancel).status_code == 404  # nobody to meet: it cannot be moved or cancelled
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


def test_the_site_operator_erases_the_account_everywhere(world: World, samira, media: Path) -> None:
    user, a, b = samira
    operator = User.objects.create_superuser(email="root@example.org", password=factories.PASSWORD)
    factories.give_totp(operator)  # the site operator is staff: signed in with the second factor
    found = client_for(operator).get(reverse("account_search"), {"email": EMAIL}).content.decode()
    url = reverse("account_erasure", kwargs={"user_id": user.pk})
    assert f'href="{url}"' in found
    assert client_for(operator).get(url).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_for(operator).post(url, {"confirm_email": EMAIL})
    assert not User.objects.filter(pk=user.pk).exists()
    for needle in [NAME, EMAIL, *a.sentences, *b.sentences]:
        assert text_hits(needle) == [], needle
    assert stored(media) == set()  # both evidence files gone
    for cohort in (world.cohort, world.other_cohort):
        pdf = member_pdf_text(world.alice if cohort == world.cohort else world.olga, cohort)
        assert not any(needle in pdf for needle in [NAME, EMAIL, *a.sentences, *b.sentences])
    assert Consultation.objects.filter(pk__in=[a.hosted_id, b.hosted_id], host=None).count() == 2
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
    factories.give_totp(operator)  # the site operator is staff: signed in with the second factor
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
    before = cohort_text(world.cohort), list(Membership.objects.values_list("pk", flat=True))
    for confirmation in ({"confirm_email": "wrong@example.org"}, {}):
        response = client_for(world.fran).post(url, confirmation, follow=True)
        assert "Type the person&#x27;s e-mail address to confirm the erasure. Nothing was erased." in (
            response.content.decode()
        )
        assert (cohort_text(world.cohort), list(Membership.objects.values_list("pk", flat=True))) == before
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
    operator = User.objects.create_superuser(email="root@example.org", password=factories.PASSWORD)
    factories.give_totp(operator)  # the site operator is staff: signed in with the second factor
    missing = reverse("account_erasure", kwargs={"user_id": 999_999})
    assert client_for(operator).post(missing, {"confirm_email": "x@example.org"}).status_code == 404


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


@pytest.fixture
def s3_objects(seaweed: str, settings) -> Callable[[], list[str]]:
    """Stored files go to a fresh bucket of the suite's SeaweedFS S3 server; returns a lister."""
    import boto3

    client = boto3.client(
        "s3", endpoint_url=seaweed, aws_access_key_id="any", aws_secret_access_key="any", region_name="us-east-1"
    )
    bucket = f"erasure-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    options = {"bucket_name": bucket, "endpoint_url": seaweed, "region_name": "us-east-1"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "access_key": "any", "secret_key": "any", "file_overwrite": False},
        },
    }

    def listed() -> list[str]:
        return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))

    return listed


def _evidence(user: User, cohort: Cohort, institution: Institution, title: str) -> str:
    response = CriterionResponse.objects.get_or_create(
        self_assessment=self_assessment(cohort, institution), criterion=criterion(cohort, "1.2")
    )[0]
    evidence = Evidence.objects.create(
        response=response,
        title=title,
        dated=date(2026, 1, 5),
        file=SimpleUploadedFile("evidence.pdf", f"%PDF-1.4 {title}".encode()),
        original_name="evidence.pdf",
        added_by=user,
    )
    return evidence.file.name or ""


def test_on_s3_the_operators_erasure_leaves_none_of_the_persons_stored_objects(
    world: World, s3_objects: Callable[[], list[str]]
) -> None:
    user = factories.make_user(NAME, email=EMAIL)
    factories.member(user, world.cohort, Role.MEMBER, world.irwell)
    factories.join(world.other_cohort, world.medlock)
    factories.member(user, world.other_cohort, Role.MEMBER, world.medlock)
    theirs = {
        _evidence(user, world.cohort, world.irwell, "Her pledge, Irwell"),
        _evidence(user, world.other_cohort, world.medlock, "Her pledge, Medlock"),
    }
    peers = _evidence(world.alice, world.cohort, world.irwell, "Alice's bursary table")
    assert s3_objects() == sorted({*theirs, peers})
    operator = User.objects.create_superuser(email="root@example.org", password=factories.PASSWORD)
    factories.give_totp(operator)  # the site operator is staff: signed in with the second factor
    erase_account(operator, user, confirm_email=EMAIL)
    assert s3_objects() == [peers]


def test_a_narrative_with_no_revisions_counts_as_its_last_writers(world: World) -> None:
    """Carried into a new cycle, or written before revisions were kept: all of it goes with her."""
    sa = self_assessment(world.cohort, world.irwell)
    sentence = "Irwell pays its care leaver bursary in three instalments each term."
    response = CriterionResponse.objects.create(
        self_assessment=sa, criterion=criterion(world.cohort, "1.3"), narrative=sentence, updated_by=world.alice
    )
    client_for(world.fran).post(erase_url(world.cohort, world.alice), {"confirm_email": world.alice.email})
    response.refresh_from_db()
    assert response.narrative == REMOVED and text_hits(sentence) == []
