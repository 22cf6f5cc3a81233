from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from cohort import demo
from cohort.sso import demo as sso_demo, services
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


def test_the_admin_has_no_page_of_allauths_apps_or_tokens_so_no_client_secret_is_shown(world) -> None:
    operator = make_user("Opal", totp=True)
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client = client_for(operator)
    provider = IdentityProvider(
        institution=world.medlock, kind="entra", slug="medlock-entra", name="Medlock", client_id="qm-cohort"
    )
    provider.tenant_id = "3f1c0d2e-aaaa-bbbb-cccc-123456789abc"
    provider.client_secret = "a-long-client-secret-4f2a-do-not-show"
    services.save_provider(None, provider, ["medlock.example"])
    app = SocialApp.objects.get()
    assert app.secret == provider.client_secret
    index = client.get(reverse("admin:index")).content.decode()
    assert "Identity providers" in index
    assert "/admin/socialaccount/socialapp/" not in index and "/admin/socialaccount/socialtoken/" not in index
    for path in [
        f"/admin/socialaccount/socialapp/{app.pk}/change/",
        "/admin/socialaccount/socialapp/",
        "/admin/socialaccount/socialtoken/",
    ]:
        response = client.get(path)
        assert response.status_code == 404
        assert provider.client_secret not in response.content.decode()
    page = client.get(reverse("admin:cohort_identityprovider_change", args=[provider.pk])).content.decode()
    assert provider.client_secret not in page
