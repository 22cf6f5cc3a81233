"""Cymraeg in the cohort app: a person's language, invitations written in the invitee's language,
notifications read in each reader's language, e-mails in the recipient's.

The Welsh asserted here comes from locale/parts/cohort.po, compiled into locale/cy/LC_MESSAGES/django.mo
(the set-up compiles every part; on a branch, `msgfmt -o locale/cy/LC_MESSAGES/django.mo
locale/parts/cohort.po` does it for this part alone).
"""

from __future__ import annotations

import html

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohort import periodic
from cohort.access import get_membership
from cohort.models import Invitation, Notification, PeriodicJob, Role, User
from cohort.notifications import Sentence, notify
from cohort.services import invite
from config.privacy import erase_in_cohort
from tests.factories import client_for


def invite_url() -> str:
    return reverse("cohort:invite", kwargs={"cohort": "gm"})


def accept(token: str, name: str = "Nia Newydd"):
    return client_for(None).post(
        reverse("cohort:accept_invitation", kwargs={"token": token}),
        {
            "display_name": name,
            "time_zone": "Europe/London",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )


def test_a_welsh_invitee_gets_the_invitation_email_in_welsh(world, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.fran).post(
            invite_url(),
            {"email": "nia@example.org", "role": "member", "institution": world.irwell.pk, "language": "cy"},
        )
    assert response.status_code == 302
    assert Invitation.objects.get().language == "cy"
    [email] = mail.outbox
    assert email.subject == f"Rydych chi wedi cael gwahoddiad i {world.cohort.name} ar QM Cohort"
    assert "Helo," in email.body
    assert f"wedi eich gwahodd i {world.cohort.name} ar QM Cohort, fel aelod o sefydliad yn" in email.body
    assert "Agorwch y ddolen hon i dderbyn" in email.body
    assert "invited" not in email.body and "Open this link" not in email.body


def test_an_english_invitee_gets_the_email_in_english_whatever_the_inviter_reads(
    world, django_capture_on_commit_callbacks
) -> None:
    world.fran.language = "cy"  # the inviter reads the site in Welsh
    world.fran.save()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.fran).post(
            invite_url(),
            {"email": "ed@example.org", "role": "member", "institution": world.irwell.pk, "language": "en-gb"},
        )
    [email] = mail.outbox
    assert email.subject == f"You are invited to {world.cohort.name} on QM Cohort"
    assert "Open this link to accept" in email.body


def test_the_invitation_is_in_the_inviters_language_unless_they_choose(world) -> None:
    world.fran.language = "cy"
    world.fran.save()
    page = client_for(world.fran).get(reverse("cohort:people", kwargs={"cohort": "gm"})).content.decode()
    assert '<option value="cy" selected>Cymraeg</option>' in page
    client_for(world.fran).post(
        invite_url(), {"email": "nia@example.org", "role": "member", "institution": world.irwell.pk}
    )
    assert Invitation.objects.get(email="nia@example.org").language == "cy"
    client_for(world.lena).post(invite_url(), {"email": "ed@example.org", "role": "member"})
    assert Invitation.objects.get(email="ed@example.org").language == "en-gb"


def test_an_unknown_invitation_language_is_refused_and_nothing_is_sent(world) -> None:
    response = client_for(world.fran).post(
        invite_url(), {"email": "nia@example.org", "role": "member", "institution": world.irwell.pk, "language": "fr"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_link_of_a_welsh_invitation_opens_in_welsh_until_the_visitor_chooses(world) -> None:
    fran = get_membership(world.fran, "gm")
    _invitation, token = invite(
        fran, email="nia@example.org", role=Role.MEMBER, institution=world.irwell, language="cy"
    )
    url = reverse("cohort:accept_invitation", kwargs={"token": token})
    page = html.unescape(client_for(None).get(url).content.decode())
    assert f"<h1>Ymuno â {world.cohort.name}</h1>" in page
    assert "i gymryd rhan fel <strong>aelod o sefydliad</strong>" in page
    visitor = client_for(None)
    visitor.cookies["django_language"] = "en-gb"  # the toggle's choice wins
    assert f"<h1>Join {world.cohort.name}</h1>" in visitor.get(url).content.decode()


def test_accepting_a_welsh_invitation_gives_the_new_account_welsh(world) -> None:
    fran = get_membership(world.fran, "gm")
    _invitation, token = invite(
        fran, email="nia@example.org", role=Role.MEMBER, institution=world.irwell, language="cy"
    )
    assert accept(token).status_code == 302
    assert User.objects.get(email="nia@example.org").language == "cy"


def test_accepting_sets_an_existing_persons_language_only_if_they_had_none(world) -> None:
    olga = get_membership(world.olga, "yorks")
    _invitation, token = invite(olga, email=world.alice.email, role=Role.OBSERVER, language="cy")
    client_for(world.alice).post(reverse("cohort:accept_invitation", kwargs={"token": token}))
    world.alice.refresh_from_db()
    assert world.alice.language == "cy"

    world.lena.language = "en-gb"
    world.lena.save()
    _invitation, token = invite(olga, email=world.lena.email, role=Role.OBSERVER, language="cy")
    client_for(world.lena).post(reverse("cohort:accept_invitation", kwargs={"token": token}))
    world.lena.refresh_from_db()
    assert world.lena.language == "en-gb"


def test_a_person_chooses_welsh_on_their_profile_and_the_site_follows(world) -> None:
    client = client_for(world.alice)
    response = client.post(
        reverse("cohort:profile"), {"display_name": "Alice", "time_zone": "Europe/London", "language": "cy"}
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.language == "cy"
    page = html.unescape(client.get(reverse("cohort:profile")).content.decode())
    assert "Mae eich proffil wedi'i gadw." in page and "<h1>Eich proffil</h1>" in page
    assert '<option value="cy" selected>Cymraeg</option>' in page


def test_an_unknown_language_on_the_profile_is_refused_and_nothing_changes(world) -> None:
    response = client_for(world.alice).post(
        reverse("cohort:profile"), {"display_name": "Someone else", "time_zone": "Europe/London", "language": "xx"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    world.alice.refresh_from_db()
    assert (world.alice.display_name, world.alice.language) == ("Alice", "")


def test_a_notification_is_read_in_each_readers_language(world, django_capture_on_commit_callbacks) -> None:
    world.alice.language = "cy"
    world.alice.save()
    fran = get_membership(world.fran, "gm")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [world.alice, world.lena],
            kind="invitation",
            title=Sentence(
                "Your role in %(cohort)s is now %(role)s", cohort=world.cohort.name, role=Role.FACILITATOR.label
            ),
            cohort=fran.cohort,
        )
    # Stored once in English (the admin, the log) and as a sentence each reader's gettext writes.
    assert set(Notification.objects.values_list("title", flat=True)) == {
        f"Your role in {world.cohort.name} is now Facilitator"
    }
    welsh = client_for(world.alice).get(reverse("cohort:notifications")).content.decode()
    assert f"Eich rôl yn {world.cohort.name} bellach yw Hwylusydd" in welsh
    english = client_for(world.lena).get(reverse("cohort:notifications")).content.decode()
    assert f"Your role in {world.cohort.name} is now Facilitator" in english
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[world.alice.email].subject == f"Eich rôl yn {world.cohort.name} bellach yw Hwylusydd"
    assert by_address[world.alice.email].body.startswith("Helo Alice,")
    assert by_address[world.lena.email].subject == f"Your role in {world.cohort.name} is now Facilitator"


def test_a_role_change_tells_a_welsh_member_in_welsh(world) -> None:
    world.alice.language = "cy"
    world.alice.save()
    target = get_membership(world.alice, "gm")
    response = client_for(world.fran).post(
        reverse("cohort:change_role", kwargs={"cohort": "gm", "membership_id": target.pk}),
        {"role": "lead", "institution": world.irwell.pk},
    )
    assert response.status_code == 302
    page = client_for(world.alice).get(reverse("cohort:notifications")).content.decode()
    assert f"Eich rôl yn {world.cohort.name} bellach yw Arweinydd sefydliad" in page


def test_a_plain_title_is_shown_as_it_was_given(world) -> None:
    world.alice.language = "cy"
    world.alice.save()
    notify([world.alice], kind="meeting", title="Meeting moved", cohort=world.cohort)
    page = client_for(world.alice).get(reverse("cohort:notifications")).content.decode()
    assert "Meeting moved" in page


def test_the_failing_job_email_is_in_each_recipients_language(world, django_capture_on_commit_callbacks) -> None:
    world.fran.language = "cy"
    world.fran.save()
    job = PeriodicJob.objects.create(name="cohort.tasks.send_daily_digests", failures_in_a_row=3, last_error="OSError")
    job.last_failed_at = timezone.now()
    periodic._report(job, "send daily digests", timezone.now())
    by_address = {m.to[0]: m for m in mail.outbox}
    welsh = by_address[world.fran.email]
    assert welsh.subject == "QM Cohort: mae'r dasg wedi'i threfnu “send daily digests” yn dal i fethu"
    assert "wedi methu 3 gwaith yn olynol" in welsh.body
    english = by_address[world.olga.email]
    assert "has failed 3 times in a row" in english.body


def test_erasing_a_person_takes_their_name_out_of_the_sentences_others_read(world) -> None:
    world.lena.language = "cy"
    world.lena.save()
    person = User.objects.create_user(email="samira.q@example.org", display_name="Samira Quayle")
    fran = get_membership(world.fran, "gm")
    _invitation, token = invite(fran, email=person.email, role=Role.MEMBER, institution=world.irwell)
    client_for(person).post(reverse("cohort:accept_invitation", kwargs={"token": token}))
    notify(
        [world.lena],
        kind="invitation",
        title=Sentence("%(person)s accepted your invitation to %(cohort)s", person=str(person), cohort="GM"),
        cohort=world.cohort,
    )
    assert (
        "Mae Samira Quayle wedi derbyn" in client_for(world.lena).get(reverse("cohort:notifications")).content.decode()
    )

    erase_in_cohort(fran, person, confirm_email=person.email)
    for reader in (world.fran, world.lena):
        page = client_for(reader).get(reverse("cohort:notifications")).content.decode()
        assert "Samira" not in page
        assert not Notification.objects.filter(user=reader, message__contains="Samira").exists()
