"""allauth's adapters with institutions' sign-in: the account adapter refuses nothing new itself (the
log-in form refuses passwords for "SSO only" domains) but completes an SSO log-in (second factor,
single log-out); the social-account adapter decides who an identity provider lets in."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.saml.utils import build_auth
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cohort import adapters, authn
from cohort.models import User
from cohort.services import accept_invitation
from cohort.sso import mfa, services, trust
from cohort.sso.models import IdentityProvider

log = logging.getLogger(__name__)

SLO_KEY = "qm_saml_slo"  # {"slug", "nameid", "format", "session_index"}: what a SAML log-out needs


class AccountAdapter(adapters.AccountAdapter):
    def get_login_stages(self) -> list[str]:
        return [
            "cohort.sso.stages.AuthenticateStage" if path == "allauth.mfa.stages.AuthenticateStage" else path
            for path in super().get_login_stages()
        ]

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            after_sso_login(request, user, sociallogin)
        return response

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        """Where log-out goes: the IdP's single log-out when this session came from a SAML IdP that has
        one (it comes back to allauth's SLS view), else the log-in page. Called before the session ends."""
        slo = request.session.get(SLO_KEY) if hasattr(request, "session") else None
        if isinstance(slo, dict):
            url = saml_logout_url(request, slo)
            if url:
                return url
        return super().get_logout_redirect_url(request)


def after_sso_login(request: HttpRequest, user: User, sociallogin: SocialLogin) -> None:
    """An SSO log-in completed: accept the invitations it proved, record a second factor the IdP
    asserted, keep what single log-out needs."""
    provider = services.provider_of(sociallogin)
    if provider is None:
        return
    accept_invitations_through(provider, user)
    if mfa.asserted_mfa(provider, sociallogin):
        authn.record_second_factor(request.session, user, by=f"sso:{provider.slug}")
    extra = sociallogin.account.extra_data or {}
    if provider.is_saml and provider.slo_url and extra.get("_nameid"):
        request.session[SLO_KEY] = {
            "slug": provider.slug,
            "nameid": extra.get("_nameid"),
            "format": extra.get("_nameid_format"),
            "session_index": extra.get("_session_index"),
        }
    log.info("user %s signed in through identity provider %s", user.pk, provider.pk)


def accept_invitations_through(provider: IdentityProvider, user: User) -> int:
    """Accept the usable invitations to this person's address that this provider may vouch for (its own
    institution's; staff roles only through a provider trusted for staff)."""
    accepted = 0
    for invitation in trust.invitations_through(provider, user.email):
        try:
            accept_invitation(invitation, user)
        except ValidationError:
            continue  # already a member there, or used meanwhile: nothing to do
        accepted += 1
    return accepted


def saml_logout_url(request: HttpRequest, slo: dict[str, Any]) -> str | None:
    provider = IdentityProvider.objects.enabled().filter(slug=slo.get("slug"), kind=IdentityProvider.Kind.SAML).first()
    if provider is None or not provider.slo_url:
        return None
    app = SocialApp.objects.filter(provider="saml", provider_id=provider.slug).first()
    if app is None:
        return None
    try:
        auth = build_auth(request, app.get_provider(request))
        return str(
            auth.logout(
                return_to=request.build_absolute_uri("/accounts/login/"),
                name_id=slo.get("nameid"),
                session_index=slo.get("session_index"),
                name_id_format=slo.get("format"),
            )
        )
    except Exception as error:  # the IdP's metadata unreachable: log out here all the same
        log.warning("SAML single log-out not started for provider %s: %s", provider.pk, type(error).__name__)
        return None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """SSO proves who someone is; an invitation or an existing account decides whether they get in."""

    def refuse(self, request: HttpRequest, reason: str, provider: IdentityProvider | None) -> ImmediateHttpResponse:
        log.info("SSO log-in refused (%s) through provider %s", reason, provider.pk if provider else None)
        context = {"reason": reason, "provider": provider}
        return ImmediateHttpResponse(render(request, "socialaccount/refused.html", context, status=403))

    def asserted_email(self, sociallogin: SocialLogin) -> str:
        """The address the provider asserted, stripped and in lower case. allauth drops an address it
        finds invalid (" Mo@Medlock.example " with its spaces), so the claim itself is read then."""
        email = (sociallogin.user.email if sociallogin.user else "") or ""
        if not email and sociallogin.email_addresses:
            email = sociallogin.email_addresses[0].email
        if not email:
            claimed = services.claims_of(sociallogin).get("email")
            if isinstance(claimed, list):
                claimed = claimed[0] if claimed else ""
            email = claimed if isinstance(claimed, str) else ""
        return email.strip().lower()

    def normalise_email(self, sociallogin: SocialLogin, email: str, verified: bool) -> None:
        """The asserted address, normalised, is the one allauth matches and keeps."""
        if sociallogin.user is not None and not sociallogin.user.pk:
            sociallogin.user.email = email
        for address in sociallogin.email_addresses:
            address.email = address.email.strip().lower()
        if not any(address.email == email for address in sociallogin.email_addresses):
            sociallogin.email_addresses.insert(0, EmailAddress(email=email, verified=verified, primary=True))

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider = services.provider_of(sociallogin)
        if provider is None or not provider.enabled:
            raise self.refuse(request, "provider", provider)
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            # Signing in only: no connecting an institution's account to whoever is signed in.
            raise self.refuse(request, "error", provider)
        email = self.asserted_email(sociallogin)
        if not email or "@" not in email:
            raise self.refuse(request, "no_email", provider)
        if services.domain_of(email) not in provider.domain_list:
            raise self.refuse(request, "domain", provider)
        if not services.email_is_verified(provider, sociallogin):
            raise self.refuse(request, "unverified", provider)
        if sociallogin.is_existing:
            if not sociallogin.user.is_active or sociallogin.user.email.lower() != email:
                raise self.refuse(request, "no_invitation", provider)
            self.check_may_sign_in(request, provider, sociallogin.user)
            return
        if sociallogin.user is not None and sociallogin.user.pk:  # matched an account by its verified address
            self.check_may_sign_in(request, provider, sociallogin.user)
            return
        if User.objects.filter(email__iexact=email).exists() or not trust.invitations_through(provider, email):
            raise self.refuse(request, "no_invitation", provider)
        self.normalise_email(sociallogin, email, verified=True)

    def check_may_sign_in(self, request: HttpRequest, provider: IdentityProvider, user: User) -> None:
        """An institution's provider signs in only its institution's people (or those invited to it);
        accounts that run the site or hold a staff role only through a provider the operator trusts."""
        reason = trust.refusal(provider, user)
        if reason is not None:
            log.warning("SSO log-in of user %s refused (%s) through provider %s", user.pk, reason, provider.pk)
            raise self.refuse(request, reason, provider)

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[Any, str] | None:
        """An existing account whose verified address is the one the provider asserted (and checked in
        pre_social_login: its domain served, the address verified)."""
        email = self.asserted_email(sociallogin)
        if not email:
            return None
        address = (
            EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True)
            .select_related("user")
            .first()
        )
        if address is None or address.user.email.lower() != email:
            return None
        return address.user, address.email

    def get_requests_session(self) -> Any:
        """allauth's requests at sign-in (OIDC discovery, token, userinfo, keys) through the guarded fetch."""
        return services.guarded_session()

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        provider = services.provider_of(sociallogin)
        return provider is not None and bool(trust.invitations_through(provider, self.asserted_email(sociallogin)))

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        user.display_name = str(name or "")[:120]
        user.email = (user.email or "").lower()
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        """A new account for an invited person: made and their invitations accepted together, or not at all."""
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            provider = services.provider_of(sociallogin)
            if provider is None or not accept_invitations_through(provider, user):
                transaction.set_rollback(True)
                raise self.refuse(request, "no_invitation", provider)
        return user

    def on_authentication_error(self, request: HttpRequest, provider: Any, error: Any = None, **kwargs: Any) -> None:
        log.info("SSO authentication error from %s: %s", getattr(provider, "id", None), error)
        slug = getattr(getattr(provider, "app", None), "provider_id", "") or ""
        known = IdentityProvider.objects.filter(slug=slug).first() if slug else None
        raise ImmediateHttpResponse(
            render(request, "socialaccount/refused.html", {"reason": "error", "provider": known}, status=403)
        )
