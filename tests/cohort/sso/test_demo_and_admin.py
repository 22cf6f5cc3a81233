from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from cohort import demo
from cohort.sso import demo as sso_demo
from cohort.sso.models import IdentityProvider
from tests.cohort.sso.support import metadata
from tests.factories import client_for, make_user


def test_the_demo_sets_up_one_switched_off_provider_for_irwell_and_its_pages_show(db) -> None:
    world = demo.seed()
    sso_demo.seed(world)
    sso_demo.seed(world)  # a second run adds nothing
    provider = IdentityProvider.objects.get()
    assert (provider.institution.slug, provider.enabled, provider.domain_list) == (
        "irwell",
        False,
        ["sso.irwell.example"],
    )
    assert not SocialApp.objects.exists()
    kwargs = {"cohort": world.cohort.slug, "institution": "irwell"}
    page = client_for(world.facilitator).get(reverse("cohort:sso_settings", kwargs=kwargs)).content.decode()
    assert "Irwell Valley Login" in page and "demo-secret-not-a-real-one" not in page
    page = client_for(world.leads["irwell"]).get(reverse("cohort:sso_it", kwargs=kwargs)).content.decode()
    assert "/accounts/oidc/irwell-demo-oidc/login/callback/" in page


def test_an_operator_sets_up_a_provider_in_the_admin(world) -> None:
    operator = make_user("Opal", totp=True)
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client = client_for(operator)
    add = reverse("admin:cohort_identityprovider_add")
    assert client.get(add).status_code == 200
    data = {
        "institution": world.medlock.pk,
        "name": "Medlock SSO",
        "slug": "medlock-sso",
        "kind": "saml",
        "domains": "medlock.example",
        "enabled": "on",
        "metadata_xml": metadata(),
    }
    refused = client.post(add, {**data, "domains": "medlock"})
    assert refused.status_code == 200 and "is not an e-mail domain" in refused.content.decode()
    assert not IdentityProvider.objects.exists()
    assert client.post(add, data).status_code == 302
    provider = IdentityProvider.objects.get()
    assert (provider.institution, provider.domain_list) == (world.medlock, ["medlock.example"])
    assert SocialApp.objects.get().provider_id == "medlock-sso"
    change = client.get(reverse("admin:cohort_identityprovider_change", args=[provider.pk])).content.decode()
    assert "/accounts/saml/medlock-sso/acs/" in change
    delete = reverse("admin:cohort_identityprovider_delete", args=[provider.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not IdentityProvider.objects.exists() and not SocialApp.objects.exists()
