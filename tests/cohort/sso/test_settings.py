"""The facilitator's page for an institution's sign-in: every field checked, with a message, and nothing
saved on error; allauth's app kept in step; the secret never shown back."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from cohort.access import get_membership
from cohort.models import Membership, User
from cohort.services import invite
from cohort.sso import services
from cohort.sso.forms import IdentityProviderForm
from cohort.sso.models import IdentityProvider, ServedDomain
from tests.cohort.sso.support import IDP_ENTITY, IDP_SLO, IDP_SSO, metadata
from tests.factories import client_for, make_user


def url(world, institution=None) -> str:
    return reverse(
        "cohort:sso_settings", kwargs={"cohort": world.cohort.slug, "institution": (institution or world.irwell).slug}
    )


def saml(**more) -> dict:
    return {
        "name": "Irwell Single Sign-On",
        "slug": "irwell-sso",
        "kind": "saml",
        "domains": "irwell.example",
        "enabled": "on",
        "metadata_xml": metadata(),
        **more,
    }


def oidc(issuer: str, **more) -> dict:
    return {
        "name": "Irwell Login",
        "slug": "irwell-oidc",
        "kind": "oidc",
        "domains": "irwell.example",
        "enabled": "on",
        "issuer": issuer,
        "client_id": "qm-cohort",
        "client_secret": "s3cret-value-9XyZ",
        **more,
    }


def post(world, data, institution=None):
    return client_for(world.fran).post(url(world, institution), data)


def nothing_saved() -> bool:
    return (
        not IdentityProvider.objects.exists() and not ServedDomain.objects.exists() and not SocialApp.objects.exists()
    )


def test_saml_metadata_xml_is_read_and_allauths_app_made(world) -> None:
    response = post(world, saml(domains="Irwell.example\n@staff.irwell.example, irwell.example", sso_only="on"))
    assert response.status_code == 302
    provider = IdentityProvider.objects.get()
    assert (provider.entity_id, provider.sso_url, provider.slo_url) == (IDP_ENTITY, IDP_SSO, IDP_SLO)
    assert provider.x509cert and provider.sso_only and provider.institution == world.irwell
    assert provider.domain_list == ["irwell.example", "staff.irwell.example"]
    app = SocialApp.objects.get()
    assert (app.provider, app.provider_id, app.client_id, app.name) == (
        "saml",
        "irwell-sso",
        "irwell-sso",
        "Irwell Single Sign-On",
    )
    assert app.settings["idp"] == {
        "entity_id": IDP_ENTITY,
        "sso_url": IDP_SSO,
        "x509cert": provider.x509cert,
        "slo_url": IDP_SLO,
    }
    assert app.settings["advanced"]["reject_idp_initiated_sso"] is True


def test_allauth_serves_the_service_providers_metadata_for_it(world) -> None:
    post(world, saml())
    from django.test import Client

    response = Client(HTTP_HOST="127.0.0.1").get("/accounts/saml/irwell-sso/metadata/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'entityID="http://127.0.0.1/accounts/saml/irwell-sso/metadata/"' in body
    assert "http://127.0.0.1/accounts/saml/irwell-sso/acs/" in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"metadata_xml": "<not-xml"}, "metadata_xml", "This is not SAML metadata that can be read"),
        (
            {"metadata_xml": "<md:EntityDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata' entityID='x'/>"},
            "metadata_xml",
            "names no identity provider",
        ),
        ({"metadata_xml": metadata(cert="")}, "metadata_xml", "holds no signing certificate"),
        ({"metadata_xml": "", "metadata_url": ""}, "metadata_url", "Give the metadata URL or paste the metadata XML"),
        ({"metadata_xml": "", "metadata_url": "not a url"}, "metadata_url", "Enter a valid URL"),
        (
            {"metadata_xml": "", "metadata_url": "http://idp.irwell.example/metadata"},
            "metadata_url",
            "Use an https:// address",
        ),
        (
            {"metadata_xml": "", "metadata_url": "http://127.0.0.1:9/metadata"},
            "metadata_url",
            "Use an https:// address",
        ),
        (
            {"metadata_xml": "", "metadata_url": "https://127.0.0.1:9/metadata"},
            "metadata_url",
            "is on a private network",
        ),
        (
            {"metadata_xml": "", "metadata_url": "https://10.1.2.3/metadata"},
            "metadata_url",
            "is on a private network",
        ),
        (
            {"metadata_xml": "", "metadata_url": "https://[::1]/metadata"},
            "metadata_url",
            "is on a private network",
        ),
        ({"domains": "irwell"}, "domains", "is not an e-mail domain"),
        ({"domains": "someone@irwell.example"}, "domains", "is not an e-mail domain"),
        ({"domains": "irwell..example"}, "domains", "is not an e-mail domain"),
        ({"domains": ""}, "domains", "This field is required"),
        ({"slug": "Not a slug!"}, "slug", "Enter a valid “slug”"),
        ({"kind": "kerberos"}, "kind", "Select a valid choice"),
    ],
    ids=[
        "bad-xml",
        "no-idp",
        "no-cert",
        "no-metadata",
        "bad-url",
        "plain-http",
        "http-to-this-machine",
        "https-to-this-machine",
        "private-network",
        "ipv6-loopback",
        "one-label",
        "an-address",
        "double-dot",
        "no-domains",
        "bad-slug",
        "bad-kind",
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(world, settings, data, field, message) -> None:
    settings.SSO_ALLOW_LOCAL_PROVIDERS = False  # as in production: public https addresses only
    response = post(world, saml(**data))
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    assert nothing_saved()


def test_an_address_that_does_not_answer_is_refused_with_a_message(world) -> None:
    response = post(world, saml(metadata_xml="", metadata_url="http://127.0.0.1:9/metadata"))
    assert response.status_code == 400
    assert "could not be read from that address" in response.content.decode()
    assert nothing_saved()


def test_a_domain_another_provider_serves_is_refused_naming_it(world) -> None:
    assert post(world, saml(), institution=world.medlock).status_code == 302
    response = post(world, saml(slug="irwell-own", domains="irwell.example"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "irwell.example is already served by Irwell Single Sign-On" in page
    assert IdentityProvider.objects.count() == 1 and SocialApp.objects.count() == 1


def test_oidc_needs_an_issuer_whose_discovery_answers(world, oidc_discovery) -> None:
    response = post(world, oidc(oidc_discovery.issuer + "/elsewhere"))
    assert response.status_code == 400
    assert "names a different issuer" in response.content.decode()
    answer, oidc_discovery.body = oidc_discovery.body, None
    response = post(world, oidc(oidc_discovery.issuer))
    assert "No OpenID Connect configuration answered" in response.content.decode()
    assert nothing_saved()
    oidc_discovery.body = answer
    response = post(world, oidc(oidc_discovery.issuer))
    assert response.status_code == 302
    app = SocialApp.objects.get()
    assert (app.provider, app.provider_id, app.client_id, app.secret) == (
        "openid_connect",
        "irwell-oidc",
        "qm-cohort",
        "s3cret-value-9XyZ",
    )
    assert app.settings["server_url"] == oidc_discovery.issuer


def test_oidc_refuses_a_missing_client_id_and_secret(world, oidc_discovery) -> None:
    response = post(world, oidc(oidc_discovery.issuer, client_id="", client_secret=""))
    page = response.content.decode()
    assert "Give the client ID the provider issued" in page
    assert "Give the client secret the provider issued" in page
    assert nothing_saved()


def test_the_secret_is_never_shown_back_and_an_empty_field_keeps_it(world, oidc_discovery) -> None:
    post(world, oidc(oidc_discovery.issuer))
    page = client_for(world.fran).get(url(world)).content.decode()
    assert "s3cret-value-9XyZ" not in page
    assert "A secret is stored (…9XyZ)" in page
    assert post(world, oidc(oidc_discovery.issuer, client_secret="", name="Irwell Login 2")).status_code == 302
    provider = IdentityProvider.objects.get()
    assert (provider.name, provider.client_secret) == ("Irwell Login 2", "s3cret-value-9XyZ")
    # An invalid post does not echo a typed secret either.
    page = post(world, oidc(oidc_discovery.issuer, client_secret="brand-new-secret", domains="bad")).content.decode()
    assert "brand-new-secret" not in page


def test_entra_builds_the_issuer_from_the_tenant(world) -> None:
    data = oidc("", kind="entra", tenant_id="3f1c0d2e-aaaa-bbbb-cccc-123456789abc")
    del data["enabled"]  # switched off: nothing is fetched from Microsoft here
    assert post(world, data).status_code == 302
    provider = IdentityProvider.objects.get()
    assert provider.issuer_url == "https://login.microsoftonline.com/3f1c0d2e-aaaa-bbbb-cccc-123456789abc/v2.0"
    assert not SocialApp.objects.exists()  # switched off: allauth has no app for it
    response = post(world, {**data, "tenant_id": "no spaces allowed"})
    assert "Give the directory (tenant) ID" in response.content.decode()


def test_switching_a_provider_off_removes_allauths_app_and_on_again_restores_it(world) -> None:
    post(world, saml())
    data = saml()
    del data["enabled"]
    post(world, data)
    assert not SocialApp.objects.exists()
    post(world, saml())
    assert SocialApp.objects.get().provider_id == "irwell-sso"


def test_the_slug_cannot_change_once_made(world) -> None:
    post(world, saml())
    post(world, saml(slug="renamed"))
    assert IdentityProvider.objects.get().slug == "irwell-sso"


def test_the_it_page_lists_what_to_register(world) -> None:
    post(world, saml())
    page = (
        client_for(world.lena)
        .get(reverse("cohort:sso_it", kwargs={"cohort": world.cohort.slug, "institution": world.irwell.slug}))
        .content.decode()
    )
    assert "http://testserver/accounts/saml/irwell-sso/metadata/" in page
    assert "http://testserver/accounts/saml/irwell-sso/acs/" in page
    assert "http://testserver/accounts/saml/irwell-sso/sls/" in page
    assert "urn:oid:0.9.2342.19200300.100.1.3" in page


def test_the_it_page_gives_the_oidc_redirect_uri(world, oidc_discovery) -> None:
    post(world, oidc(oidc_discovery.issuer))
    page = (
        client_for(world.fran)
        .get(reverse("cohort:sso_it", kwargs={"cohort": world.cohort.slug, "institution": world.irwell.slug}))
        .content.decode()
    )
    assert "http://testserver/accounts/oidc/irwell-oidc/login/callback/" in page
    assert "email_verified" in page


def test_an_institution_outside_the_cohort_is_not_found(world) -> None:
    from tests.factories import make_institution

    elsewhere = make_institution("Elsewhere College", "Elsewhere")
    assert post(world, saml(), institution=elsewhere).status_code == 404
    assert nothing_saved()


# --- a facilitator cannot connect other people's domains (finding 1) ---------------------------------

OUTSIDERS = "is used by people outside University of Irwell Valley: only the site operator can connect it."


def test_a_domain_where_staff_or_the_operator_have_accounts_is_refused(world) -> None:
    """The tester's attack: the facilitator's own domain, where the operator's account is too."""
    response = post(world, saml(domains="irwell.example\nexample.org"))
    assert response.status_code == 400
    assert f"example.org {OUTSIDERS}" in response.content.decode()
    assert nothing_saved()


def test_a_domain_where_another_institutions_people_have_accounts_is_refused(world) -> None:
    make_user("Gus", email="gus@gmail.com")  # in no cohort at all
    response = post(world, saml(domains="gmail.com"))
    assert f"gmail.com {OUTSIDERS}" in response.content.decode()
    assert nothing_saved()
    make_user("Mel", email="mel@medlock.example")
    Membership.objects.create(
        user=User.objects.get(email="mel@medlock.example"),
        cohort=world.cohort,
        role="member",
        institution=world.medlock,
    )
    assert f"medlock.example {OUTSIDERS}" in post(world, saml(domains="medlock.example")).content.decode()
    assert nothing_saved()


def test_a_domain_with_a_pending_invitation_elsewhere_is_refused(world) -> None:
    invite(
        get_membership(world.fran, world.cohort.slug),
        email="nia@newdomain.example",
        role="lead",
        institution=world.medlock,
    )
    assert f"newdomain.example {OUTSIDERS}" in post(world, saml(domains="newdomain.example")).content.decode()
    assert nothing_saved()


def test_a_domain_of_the_institutions_own_people_and_invitees_is_accepted(world) -> None:
    ivy = make_user("Ivy", email="ivy@irwell.example")
    Membership.objects.create(user=ivy, cohort=world.cohort, role="member", institution=world.irwell)
    invite(
        get_membership(world.fran, world.cohort.slug),
        email="ian@irwell.example",
        role="member",
        institution=world.irwell,
    )
    make_user("Ian", email="ian@irwell.example")  # an account, invited to Irwell
    assert post(world, saml(sso_only="on")).status_code == 302
    assert IdentityProvider.objects.get().sso_only


def test_sso_only_is_refused_for_a_domain_the_operator_connected_with_outsiders_on_it(world) -> None:
    """The operator may connect such a domain (the admin is not restricted); the facilitator may then
    edit the provider but not cut those people off from their passwords."""
    provider = IdentityProvider(institution=world.irwell, kind="saml", slug="irwell-sso", name="Irwell Single Sign-On")
    for name, value in services.parse_metadata(metadata()).items():
        setattr(provider, name, value)
    provider.metadata_xml = metadata()
    services.save_provider(None, provider, ["irwell.example", "example.org"])
    data = saml(domains="irwell.example\nexample.org")
    assert post(world, {**data, "name": "Irwell SSO"}).status_code == 302  # kept domains: not checked again
    response = post(world, {**data, "sso_only": "on"})
    assert response.status_code == 400
    assert f"example.org {OUTSIDERS}" in response.content.decode()
    provider.refresh_from_db()
    assert (provider.name, provider.sso_only) == ("Irwell SSO", False)


def test_only_the_operator_trusts_a_provider_for_staff(world) -> None:
    xml = metadata()
    assert post(world, saml(signs_in_staff="on", metadata_xml=xml)).status_code == 302
    provider = IdentityProvider.objects.get()
    assert not provider.signs_in_staff
    assert "signs_in_staff" not in client_for(world.fran).get(url(world)).content.decode()
    # The admin's form has it.
    form = IdentityProviderForm(
        {**saml(metadata_xml=xml), "slug": "irwell-sso", "institution": world.irwell.pk, "signs_in_staff": "on"},
        instance=provider,
    )
    assert form.is_valid(), form.errors
    services.save_provider(None, form.instance, form.domain_list)
    provider.refresh_from_db()
    assert provider.signs_in_staff
    # A facilitator's change to the domains withdraws the operator's trust; a new name does not.
    assert post(world, saml(name="Irwell SSO", metadata_xml=xml)).status_code == 302
    provider.refresh_from_db()
    assert provider.signs_in_staff
    # Nor may a facilitator change what counts as multi-factor on a provider trusted for staff.
    assert post(world, saml(name="Irwell SSO", mfa_acr="pwd", metadata_xml=xml)).status_code == 302
    provider.refresh_from_db()
    assert (provider.mfa_acr, provider.signs_in_staff) == ("pwd", False)
    provider.signs_in_staff = True
    provider.save(update_fields=["signs_in_staff"])
    assert post(world, saml(domains="irwell.example\nstaff.irwell.example", metadata_xml=xml)).status_code == 302
    provider.refresh_from_db()
    assert not provider.signs_in_staff
