"""The log-in by e-mail first (home-realm discovery): allauth's log-in view and forms, with a first step
that sends people whose institution signs them in to its identity provider, and "SSO only" domains
refused a password here (log-in and password reset alike)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from allauth.account.forms import LoginForm as AllauthLoginForm, ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.utils import get_next_redirect_url
from allauth.account.views import LoginView as AllauthLoginView
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.csp import CSP
from django.utils.translation import gettext as _

from cohort.sso import services
from cohort.sso.forms import EmailFirstForm
from cohort.sso.models import IdentityProvider

log = logging.getLogger(__name__)


def sso_only_message(provider: IdentityProvider) -> str:
    return _(
        "People at %(institution)s sign in with their institution's account, not with a password here. "
        "Use “Continue with %(provider)s”."
    ) % {"institution": provider.institution.name, "provider": provider.name}


class LoginForm(AllauthLoginForm):
    sso_provider: IdentityProvider | None = None

    def clean(self) -> Any:
        login = str(self.cleaned_data.get("login") or "")
        provider = services.provider_for(login) if login else None
        if provider is not None and provider.sso_only:
            # Refused before any password is checked: the answer says nothing about the account.
            self.sso_provider = provider
            raise ValidationError(sso_only_message(provider))
        return super().clean()


class ResetPasswordForm(AllauthResetPasswordForm):
    sso_provider: IdentityProvider | None = None

    def clean_email(self) -> Any:
        email = super().clean_email()
        provider = services.provider_for(str(email))
        if provider is not None and provider.sso_only:
            self.sso_provider = provider
            raise ValidationError(
                _(
                    "%(institution)s looks after the passwords of its people: there is no password to reset here. "
                    "Sign in with your institution's account (“Continue with %(provider)s” on the log-in page)."
                )
                % {"institution": provider.institution.name, "provider": provider.name}
            )
        return email


def start_sso(request: HttpRequest, provider: IdentityProvider) -> HttpResponse | None:
    """Send the person to their institution's identity provider (allauth's redirect with its state),
    or None if the provider cannot be reached now."""
    app = SocialApp.objects.filter(provider=provider.allauth_provider, provider_id=provider.slug).first()
    if app is None:
        return None
    try:
        return app.get_provider(request).redirect(request, AuthProcess.LOGIN, next_url=get_next_redirect_url(request))
    except Exception as error:  # the IdP's configuration or metadata did not answer
        log.warning("sign-in through identity provider %s could not start: %s", provider.pk, type(error).__name__)
        return None


class LoginView(AllauthLoginView):
    """allauth's log-in, two steps: the e-mail address first, then the provider or the password. A post
    with a password (the second step, or a client that sends both) is allauth's password log-in."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "password" in request.POST:
            return super().post(request, *args, **kwargs)
        email_form = EmailFirstForm(request.POST)
        if not email_form.is_valid():
            return self.render_to_response(self.get_context_data(email_form=email_form, step="email"))
        email = email_form.cleaned_data["login"]
        provider = services.provider_for(email)
        if provider is not None:
            response = start_sso(request, provider)
            if response is not None:
                return response
            messages.error(
                request,
                _("%(provider)s, your institution's sign-in, cannot be reached just now. Try again in a few minutes.")
                % {"provider": provider.name},
            )
            if provider.sso_only:
                return self.render_to_response(self.get_context_data(email_form=email_form, step="email"))
        form = self.get_form_class()(initial={"login": email}, request=request)
        return self.render_to_response(self.get_context_data(form=form, step="password"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        step = kwargs.get("step") or ("password" if form.is_bound else "email")
        if step == "password":
            form.fields["password"].widget.attrs["autofocus"] = True
        context["step"] = step
        context.setdefault("email_form", EmailFirstForm())
        context["sso_provider"] = getattr(form, "sso_provider", None)
        return context


def identity_provider_origins() -> list[str]:
    """Where the log-in page's forms may lead: the browser applies the page's CSP form-action to the
    redirect that follows a form, so the enabled providers' origins (SAML's SSO URL, OpenID Connect's
    issuer) are allowed besides the site's own."""
    origins = set()
    for provider in IdentityProvider.objects.enabled():
        parts = urlsplit(provider.sso_url if provider.is_saml else provider.issuer_url)
        if parts.scheme in ("https", "http") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def allow_forms_to_identity_providers(response: HttpResponse) -> HttpResponse:
    policy = getattr(response, "_csp_config", settings.SECURE_CSP)
    if policy and (origins := identity_provider_origins()):
        response._csp_config = {**policy, "form-action": [*policy.get("form-action", [CSP.SELF]), *origins]}  # type: ignore[attr-defined]
    return response


def provider_origin(provider: IdentityProvider) -> str | None:
    parts = urlsplit(provider.sso_url if provider.is_saml else provider.issuer_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("https", "http") and parts.netloc else None


def allow_form_to_provider(response: HttpResponse, provider: IdentityProvider) -> HttpResponse:
    """A page whose form starts this provider's sign-in (through the log-in, which redirects there): its
    CSP form-action allows that provider's origin, and no other."""
    policy = getattr(response, "_csp_config", settings.SECURE_CSP)
    if policy and (origin := provider_origin(provider)):
        response._csp_config = {**policy, "form-action": [*policy.get("form-action", [CSP.SELF]), origin]}  # type: ignore[attr-defined]
    return response


def login(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return allow_forms_to_identity_providers(_login(request, *args, **kwargs))


_login = LoginView.as_view()


def invitation_sign_in(request: HttpRequest, invitation: Any) -> HttpResponse | None:
    """The invitation page for an address whose institution signs its people in itself ("SSO only"): no
    password is offered (a posted one is refused); the page sends them to their institution's sign-in,
    which accepts the invitation. None for every other address (the page carries on as usual)."""
    provider = services.provider_for(invitation.email)
    if provider is None or not provider.sso_only:
        return None
    context = {"invitation": invitation, "sso_provider": provider, "sso_next": request.path}
    response = render(
        request, "cohort/invitation_accept.html", context, status=400 if request.method == "POST" else 200
    )
    return allow_form_to_provider(response, provider)
