from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import client_for


def test_a_facilitator_without_two_factor_is_sent_to_set_it_up(world) -> None:
    Authenticator.objects.filter(user=world.fran).delete()
    response = client_for(world.fran).get(reverse("dashboard", kwargs={"cohort": "gm"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_an_assessor_without_two_factor_reaches_no_cohort_data(world) -> None:
    Authenticator.objects.filter(user=world.alex).delete()
    response = client_for(world.alex).get(
        reverse("cohort:institution", kwargs={"cohort": "gm", "institution": "irwell"})
    )
    assert response.status_code == 302


def test_a_member_needs_no_two_factor(world) -> None:
    assert client_for(world.alice).get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 200
