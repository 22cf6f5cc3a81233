"""An institution's own sign-in: the identity providers (SAML 2.0, OpenID Connect, Microsoft Entra ID)
that prove who someone is, and the e-mail domains each serves. allauth does the protocol work: each
provider keeps one allauth SocialApp in step (cohort.sso.services.sync_social_app)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohort.models import Institution

ENTRA_ISSUER = "https://login.microsoftonline.com/{tenant}/v2.0"


class IdentityProviderQuerySet(models.QuerySet["IdentityProvider"]):
    def enabled(self) -> IdentityProviderQuerySet:
        return self.filter(enabled=True)

    def serving(self, email: str) -> IdentityProviderQuerySet:
        """The provider that serves this address's domain (at most one: a domain has one provider)."""
        domain = email.rpartition("@")[2].strip().lower()
        return self.filter(domains__domain=domain) if domain else self.none()


class IdentityProvider(models.Model):
    class Kind(models.TextChoices):
        SAML = "saml", _("SAML 2.0")
        OIDC = "oidc", _("OpenID Connect")
        ENTRA = "entra", _("Microsoft Entra ID")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="identity_providers", verbose_name=_("institution")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SAML)
    # allauth's organization slug (SAML) or provider id (OpenID Connect): it appears in the addresses
    # the institution's IT registers, so it does not change once made.
    slug = models.SlugField(_("short name in addresses"), max_length=50, unique=True)
    name = models.CharField(_("name shown on the log-in page"), max_length=120)
    sso_only = models.BooleanField(
        _("sign-in only through this provider"),
        default=False,
        help_text=_("Password log-in is refused for the e-mail domains this provider serves."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Set by the site operator only (the admin): whether this provider may sign in accounts that run the
    # site or hold a staff role (facilitator, assessor, observer). Off, those accounts use their password.
    signs_in_staff = models.BooleanField(
        _("signs in staff"),
        default=False,
        help_text=_(
            "Only for a provider the site operator trusts: it may sign in facilitators, assessors, observers "
            "and the site's administrators whose addresses it serves."
        ),
    )
    # SAML 2.0: the IdP's metadata, by address or pasted; what is parsed from it.
    metadata_url = models.URLField(_("metadata URL"), max_length=500, blank=True)
    metadata_xml = models.TextField(_("metadata XML"), blank=True)
    entity_id = models.CharField(_("entity ID"), max_length=500, blank=True)
    sso_url = models.URLField(_("single sign-on URL"), max_length=500, blank=True)
    slo_url = models.URLField(_("single log-out URL"), max_length=500, blank=True)
    x509cert = models.TextField(_("signing certificate"), blank=True)
    # OpenID Connect (and Entra ID, whose issuer follows from the tenant).
    issuer = models.URLField(_("issuer URL"), max_length=500, blank=True)
    tenant_id = models.CharField(_("tenant ID"), max_length=64, blank=True)
    client_id = models.CharField(_("client ID"), max_length=200, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    # An OIDC `acr` value that means the person used more than one factor (besides the `amr` values).
    mfa_acr = models.CharField(
        _("acr value meaning multi-factor"),
        max_length=200,
        blank=True,
        help_text=_("Optional. Sign-ins whose acr claim equals this value count as multi-factor."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IdentityProviderQuerySet.as_manager()

    class Meta:
        ordering = ["institution__name", "name"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return self.name

    @property
    def is_saml(self) -> bool:
        return self.kind == self.Kind.SAML

    @property
    def allauth_provider(self) -> str:
        """allauth's provider id for this kind."""
        return "saml" if self.is_saml else "openid_connect"

    @property
    def issuer_url(self) -> str:
        if self.kind == self.Kind.ENTRA:
            return ENTRA_ISSUER.format(tenant=self.tenant_id) if self.tenant_id else ""
        return self.issuer if self.kind == self.Kind.OIDC else ""

    @property
    def domain_list(self) -> list[str]:
        return [d.domain for d in self.domains.all()]

    def login_path(self) -> str:
        if self.is_saml:
            return reverse("saml_login", kwargs={"organization_slug": self.slug})
        return reverse("openid_connect_login", kwargs={"provider_id": self.slug})

    def secret_hint(self) -> str:
        """The stored secret as it may be shown: its last four characters at most."""
        if not self.client_secret:
            return ""
        return "…" + self.client_secret[-4:] if len(self.client_secret) > 11 else "…"


class ServedDomain(models.Model):
    """An e-mail domain and the one provider that serves it (unique: a domain has one provider)."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
