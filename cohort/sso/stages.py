"""allauth's TOTP step of the log-in, skipped when an institution's identity provider asserted
multi-factor authentication for this log-in (cohort.sso.adapters records it as the second factor)."""

from __future__ import annotations

from allauth.mfa.stages import AuthenticateStage as AllauthAuthenticateStage
from django.http import HttpRequest

from cohort.sso import mfa, services


class AuthenticateStage(AllauthAuthenticateStage):
    def _should_handle(self, request: HttpRequest) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None:
            provider = services.provider_of(sociallogin)
            if provider is not None and mfa.asserted_mfa(provider, sociallogin):
                return False
        return super()._should_handle(request)
