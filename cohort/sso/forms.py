from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cohort.forms import Form, ModelForm
from cohort.models import Institution
from cohort.sso import services, trust
from cohort.sso.models import ENTRA_ISSUER, IdentityProvider

# A directory (tenant) ID: a GUID. (A tenant's domain would give an issuer naming the GUID, which allauth refuses.)
TENANT_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class EmailFirstForm(Form):
    """The log-in's first step: an e-mail address, which says whether the person's institution signs
    them in (then they go there) or they type a password here."""

    login = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "placeholder": _("Email address")}),
    )


class IdentityProviderForm(ModelForm):
    domains = forms.CharField(
        label=_("E-mail domains it serves"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, as they follow the @ (example.ac.uk). A domain has one identity provider."),
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "name",
            "slug",
            "kind",
            "sso_only",
            "enabled",
            "signs_in_staff",
            "metadata_url",
            "metadata_xml",
            "issuer",
            "tenant_id",
            "client_id",
            "mfa_acr",
        ]
        help_texts = {
            "slug": _("Letters, digits and hyphens; it appears in the addresses your IT registers and cannot change."),
            "metadata_url": _("SAML: the address of the identity provider's metadata, or paste the XML below."),
            "metadata_xml": _("SAML: the identity provider's metadata, if it has no address."),
            "issuer": _("OpenID Connect: the issuer URL (its /.well-known/openid-configuration must answer)."),
            "tenant_id": _("Microsoft Entra ID: the directory (tenant) ID."),
        }

    def __init__(self, *args: Any, institution: Institution | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A facilitator's form (the cohort page): trusting a provider for staff is the operator's alone,
        # and the domains it may serve are checked (clean_domains).
        self.by_facilitator = institution is not None
        self.served_before = set(self.instance.domain_list) if self.instance.pk else set()
        self.sso_only_before = bool(self.instance.pk and self.instance.sso_only)
        if institution is not None:
            self.instance.institution = institution
            del self.fields["signs_in_staff"]
        else:  # the admin: the operator chooses the institution
            self.fields = {
                "institution": forms.ModelChoiceField(
                    label=_("Institution"), queryset=Institution.objects.all(), initial=self.instance.institution_id
                ),
                **self.fields,
            }
        if self.instance.pk:
            self.fields["domains"].initial = "\n".join(self.instance.domain_list)
            self.fields["slug"].disabled = True
            if self.instance.client_secret:
                self.fields["client_secret"].help_text = _(
                    "A secret is stored (%(hint)s). Leave this empty to keep it; type a new one to replace it."
                ) % {"hint": self.instance.secret_hint()}
        self.domain_list: list[str] = []

    def clean_domains(self) -> str:
        text = self.cleaned_data["domains"]
        self.domain_list = services.parse_domains(text)
        if not self.domain_list:
            raise ValidationError(_("Give at least one e-mail domain."))
        services.check_domains_free(self.domain_list, self.instance if self.instance.pk else None)
        if self.by_facilitator:
            institution = self.instance.institution
            for domain in self.domain_list:
                if domain not in self.served_before and trust.domain_has_outsiders(domain, institution):
                    raise ValidationError(trust.outsiders_message(domain, institution))
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("institution") is not None:
            self.instance.institution = data["institution"]
        if self.by_facilitator and data.get("sso_only") and not self.sso_only_before and "domains" in data:
            # "SSO only" cuts the domains off from passwords: every domain, kept ones too, is checked.
            for domain in self.domain_list:
                if trust.domain_has_outsiders(domain, self.instance.institution):
                    self.add_error("sso_only", trust.outsiders_message(domain, self.instance.institution))
                    break
        if self.by_facilitator and self.instance.signs_in_staff and self.changes_who_it_vouches_for(data):
            # The operator trusted this provider for staff as it was: a facilitator's change to where it
            # is or what it serves withdraws that trust until the operator gives it again.
            self.instance.signs_in_staff = False
        if self.errors:
            return data  # nothing is fetched for a form that is wrong already
        kind = data.get("kind")
        if kind == IdentityProvider.Kind.SAML:
            self._clean_saml(data)
        elif kind in (IdentityProvider.Kind.OIDC, IdentityProvider.Kind.ENTRA):
            self._clean_oidc(data, kind)
        return data

    def changes_who_it_vouches_for(self, data: dict[str, Any]) -> bool:
        identity = {"kind", "metadata_url", "metadata_xml", "issuer", "tenant_id", "client_id", "mfa_acr"}
        return bool(identity & set(self.changed_data)) or bool(set(self.domain_list) - self.served_before)

    def _clean_saml(self, data: dict[str, Any]) -> None:
        url, xml = data.get("metadata_url", ""), data.get("metadata_xml", "").strip()
        if not url and not xml:
            self.add_error("metadata_url", _("Give the metadata URL or paste the metadata XML."))
            return
        try:
            parsed = services.parse_metadata(xml if xml else services.fetch_metadata(url))
        except ValidationError as error:
            self.add_error("metadata_xml" if xml else "metadata_url", error)
            return
        for name, value in parsed.items():
            setattr(self.instance, name, value)
        if xml:
            self.instance.metadata_url = ""
            data["metadata_url"] = ""

    def _clean_oidc(self, data: dict[str, Any], kind: str) -> None:
        if kind == IdentityProvider.Kind.ENTRA:
            tenant = data.get("tenant_id", "").strip().lower()
            if not TENANT_RE.match(tenant):
                self.add_error(
                    "tenant_id",
                    _("Give the directory (tenant) ID, a GUID such as 3f1c0d2e-5b7a-4c1d-9e8f-0a1b2c3d4e5f."),
                )
                return
            data["tenant_id"] = tenant
            issuer = ENTRA_ISSUER.format(tenant=tenant)
        else:
            issuer = data.get("issuer", "")
            if not issuer:
                self.add_error("issuer", _("Give the issuer URL."))
                return
            try:
                services.check_url(issuer)
            except ValidationError as error:
                self.add_error("issuer", error)
                return
        if not data.get("client_id"):
            self.add_error("client_id", _("Give the client ID the provider issued."))
        secret = data.get("client_secret", "")
        if not secret and not self.instance.client_secret:
            self.add_error("client_secret", _("Give the client secret the provider issued."))
        if self.errors:
            return
        if data.get("enabled"):
            try:
                services.check_oidc_issuer(issuer)
            except ValidationError as error:
                self.add_error("tenant_id" if kind == IdentityProvider.Kind.ENTRA else "issuer", error)
                return
        if secret:
            self.instance.client_secret = secret
