"""allauth's SAML apps saved before sign-in stopped fetching an IdP's metadata at every log-in: their
settings named the metadata's address, which allauth fetched then. They now hold what was read from it
when the provider was saved (entity id, SSO and SLO addresses, certificate), as newly saved ones do."""

from django.db import migrations


def drop_metadata_urls(apps, schema_editor):
    SocialApp = apps.get_model("socialaccount", "SocialApp")
    IdentityProvider = apps.get_model("cohort", "IdentityProvider")
    for app in SocialApp.objects.filter(provider="saml"):
        idp = (app.settings or {}).get("idp") or {}
        if not idp.get("metadata_url"):
            continue
        provider = IdentityProvider.objects.filter(slug=app.provider_id, kind="saml").first()
        if provider is None or not (provider.entity_id and provider.sso_url and provider.x509cert):
            app.delete()  # nothing read to sign in with: the provider is saved again to refresh it
            continue
        idp = {"entity_id": provider.entity_id, "sso_url": provider.sso_url, "x509cert": provider.x509cert}
        if provider.slo_url:
            idp["slo_url"] = provider.slo_url
        app.settings = {**app.settings, "idp": idp}
        app.save(update_fields=["settings"])


class Migration(migrations.Migration):
    dependencies = [
        ("cohort", "0013_notification_message"),
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
    ]

    operations = [migrations.RunPython(drop_metadata_urls, migrations.RunPython.noop)]
