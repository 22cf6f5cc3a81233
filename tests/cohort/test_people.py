from __future__ import annotations

from django.urls import reverse

from cohort.models import Membership, Role
from tests.factories import CONFIRMED, client_for


def test_removal_takes_effect_on_the_next_request(world) -> None:
    alice_client = client_for(world.alice)
    dashboard = reverse("dashboard", kwargs={"cohort": "gm"})
    assert alice_client.get(dashboard).status_code == 200
    membership = world.alice.memberships.get(cohort=world.cohort)
    client_for(world.lena).post(
        reverse("cohort:remove_member", kwargs={"cohort": "gm", "membership_id": membership.pk}), CONFIRMED
    )
    assert alice_client.get(dashboard).status_code == 404


def test_a_facilitator_changes_a_role(world) -> None:
    membership = world.bob.memberships.get(cohort=world.cohort)
    client_for(world.fran).post(
        reverse("cohort:change_role", kwargs={"cohort": "gm", "membership_id": membership.pk}),
        {"role": "lead", "institution": world.medlock.pk},
    )
    membership.refresh_from_db()
    assert membership.role == Role.LEAD
    assert world.bob.notifications.filter(title__contains="Institution lead").exists()


def test_a_lead_role_without_an_institution_is_refused(world) -> None:
    membership = world.oscar.memberships.get(cohort=world.cohort)
    response = client_for(world.fran).post(
        reverse("cohort:change_role", kwargs={"cohort": "gm", "membership_id": membership.pk}),
        {"role": "lead"},
        follow=True,
    )
    assert "Choose the institution" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OBSERVER


def test_a_facilitator_cannot_remove_themselves(world) -> None:
    membership = world.fran.memberships.get(cohort=world.cohort)
    response = client_for(world.fran).post(
        reverse("cohort:remove_member", kwargs={"cohort": "gm", "membership_id": membership.pk}),
        CONFIRMED,
        follow=True,
    )
    assert "cannot remove yourself" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_lead_sees_only_their_own_working_group(world) -> None:
    page = client_for(world.lena).get(reverse("cohort:people", kwargs={"cohort": "gm"})).content.decode()
    assert "Alice" in page
    assert "Bob" not in page


def test_the_dashboard_lists_institutions_and_roles(world, django_assert_max_num_queries) -> None:
    client = client_for(world.alice)
    # A fixed number whatever the cohort's size: membership, institutions, people, areas, and a few
    # queries for each app's panel.
    with django_assert_max_num_queries(20):
        page = client.get(reverse("dashboard", kwargs={"cohort": "gm"})).content.decode()
    assert "University of Irwell Valley" in page
    assert "Medlock Metropolitan University" in page
    assert "Alex — Assessor" in page


def test_role_changes_and_removals_are_in_the_audit_log_for_facilitators_only(world) -> None:
    from cohort.audit.models import AuditEvent

    bob = world.bob.memberships.get(cohort=world.cohort)
    fran = client_for(world.fran)
    fran.post(
        reverse("cohort:change_role", kwargs={"cohort": "gm", "membership_id": bob.pk}),
        {"role": "lead", "institution": world.medlock.pk},
    )
    fran.post(reverse("cohort:remove_member", kwargs={"cohort": "gm", "membership_id": bob.pk}), CONFIRMED)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["member.removed", "role.changed"]
    page = fran.get(reverse("audit:log", kwargs={"cohort": "gm"})).content.decode()
    assert "Role changed" in page and "Member removed" in page
    assert client_for(world.alice).get(reverse("audit:log", kwargs={"cohort": "gm"})).status_code == 404
