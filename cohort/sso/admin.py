"""The operator's page for identity providers (registered by cohort.admin)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from cohort.sso import services
from cohort.sso.forms import IdentityProviderForm
from cohort.sso.models import IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ["name", "institution", "kind", "enabled", "sso_only"]
    list_filter = ["kind", "enabled", "sso_only"]
    search_fields = ["name", "slug", "institution__name", "domains__domain"]
    readonly_fields = ["for_it"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.form(institution=None).fields, "for_it"]

    @admin.display(description=_("For the institution's IT"))
    def for_it(self, obj: IdentityProvider) -> str:
        if not obj.pk:
            return "—"
        site = settings.SITE_URL
        if obj.is_saml:
            rows = [
                (_("Entity ID and metadata URL"), site + reverse("saml_metadata", args=[obj.slug])),
                (_("ACS URL"), site + reverse("saml_acs", args=[obj.slug])),
                (_("Single log-out URL"), site + reverse("saml_sls", args=[obj.slug])),
            ]
        else:
            rows = [(_("Redirect URI"), site + reverse("openid_connect_callback", args=[obj.slug]))]
        return format_html_join("", "<p>{}: <code>{}</code></p>", rows)

    def save_model(self, request: HttpRequest, obj: IdentityProvider, form: Any, change: bool) -> None:
        services.save_provider(None, obj, form.domain_list)

    def delete_model(self, request: HttpRequest, obj: IdentityProvider) -> None:
        services.delete_providers([obj])

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        services.delete_providers(list(queryset))
