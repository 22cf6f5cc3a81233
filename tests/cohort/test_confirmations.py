"""Deliberate actions (issue 18): the one confirmation page says what happens and changes nothing;
a removed member comes back as they were; the invitation form defaults to the least powerful role."""

from __future__ import annotations

from django.urls import reverse

from cohort.audit.models import AuditEvent
from cohort.models import FormerMembership, Membership, Notification, Role
from tests.factories import CONFIRMED, client_for


def _remove_url(membership: Membership) -> str:
    return reverse("cohort:remove_member", kwargs={"cohort": "gm", "membership_id": membership.pk})


def test_remove_first_shows_who_loses_what_and_changes_nothing(world) -> None:
    alice = world.alice.memberships.get(cohort=world.cohort)
    for ask in (client_for(world.lena).get, client_for(world.lena).post):  # a POST without the page's button too
        page = ask(_remove_url(alice))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Remove Alice from Greater Manchester" in text
        assert "loses access to the cohort at once" in text and "not sent an e-mail" in text
        assert "You can add Alice back later" in text
        assert 'name="confirmed" value="yes"' in text
    assert Membership.objects.filter(pk=alice.pk).exists()
    assert not AuditEvent.objects.exists()


def test_a_removed_member_is_added_back_with_their_role_and_institution(world) -> None:
    alice = world.alice.memberships.get(cohort=world.cohort)
    client_for(world.lena).post(_remove_url(alice), CONFIRMED)
    assert not Membership.objects.filter(user=world.alice, cohort=world.cohort).exists()
    former = FormerMembership.objects.get(user=world.alice)

    people = client_for(world.lena).get(reverse("cohort:people", kwargs={"cohort": "gm"})).content.decode()
    assert "Removed people" in people and "was Institution member at Irwell" in people

    readd = reverse("cohort:readd_member", kwargs={"cohort": "gm", "former_id": former.pk})
    page = client_for(world.lena).post(readd, follow=True).content.decode()
    assert "Alice is a member again, as Institution member" in page
    back = Membership.objects.get(user=world.alice, cohort=world.cohort)
    assert (back.role, back.institution) == (Role.MEMBER, world.irwell)
    assert not FormerMembership.objects.exists()
    assert Notification.objects.filter(user=world.alice, title__contains="a member of Greater Manchester").exists()
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "member.removed",
        "member.readded",
    ]
    assert client_for(world.alice).get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 200


def test_a_lead_cannot_add_back_someone_from_another_institution(world) -> None:
    bob = world.bob.memberships.get(cohort=world.cohort)
    client_for(world.fran).post(_remove_url(bob), CONFIRMED)
    former = FormerMembership.objects.get(user=world.bob)
    readd = reverse("cohort:readd_member", kwargs={"cohort": "gm", "former_id": former.pk})
    assert client_for(world.lena).post(readd).status_code == 404
    assert not Membership.objects.filter(user=world.bob, cohort=world.cohort).exists()


def test_the_invitation_form_starts_on_the_member_role(world) -> None:
    page = client_for(world.fran).get(reverse("cohort:people", kwargs={"cohort": "gm"})).content.decode()
    select = page[page.index('name="role"') : page.index("</select>", page.index('name="role"'))]
    assert '<option value="member" selected>' in select
    assert '<option value="facilitator">' in select  # offered, never the default
