"""Whether an identity provider says a log-in used more than one factor: exact values only, never a
value that merely contains "mfa" (a context such as "...:nomfa" is not multi-factor)."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialLogin

from cohort.sso.models import IdentityProvider
from cohort.sso.services import SAML_AMR_ATTRIBUTE, claims_of

# SAML AuthnContextClassRef values (and Entra's authnmethodsreferences) that mean multi-factor, exactly.
MFA_SAML_CONTEXTS = frozenset(
    {
        "https://refeds.org/profile/mfa",
        "http://schemas.microsoft.com/claims/multipleauthn",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
    }
)
# OIDC `amr` values (RFC 8176) by the kind of factor each proves. Two kinds together are multi-factor;
# one kind alone is not, however many values of it ("otp" and "sms" are both something one has).
AMR_FACTOR_KINDS = {
    "pwd": "knowledge",
    "pin": "knowledge",
    "kba": "knowledge",
    "otp": "possession",
    "hwk": "possession",
    "swk": "possession",
    "sms": "possession",
    "tel": "possession",
    "sc": "possession",
    "pop": "possession",
    "fpt": "inherence",
    "face": "inherence",
    "iris": "inherence",
    "retina": "inherence",
    "vbm": "inherence",
}


def amr_is_multi_factor(amr: Any) -> bool:
    values = [amr] if isinstance(amr, str) else list(amr) if isinstance(amr, list | tuple) else []
    names = {str(value).strip().lower() for value in values}
    if "mfa" in names:
        return True
    return len({AMR_FACTOR_KINDS[name] for name in names if name in AMR_FACTOR_KINDS}) >= 2


def saml_is_multi_factor(contexts: Any) -> bool:
    values = [contexts] if isinstance(contexts, str) else contexts if isinstance(contexts, list | tuple) else []
    return any(str(value).strip() in MFA_SAML_CONTEXTS for value in values)


def asserted_mfa(provider: IdentityProvider, sociallogin: SocialLogin) -> bool:
    """Whether the provider says this log-in used more than one factor."""
    claims = claims_of(sociallogin)
    if provider.is_saml:
        return saml_is_multi_factor(claims.get("_authn_contexts")) or saml_is_multi_factor(
            claims.get(SAML_AMR_ATTRIBUTE)
        )
    if amr_is_multi_factor(claims.get("amr")):
        return True
    acr = str(claims.get("acr") or "")
    return bool(provider.mfa_acr and acr == provider.mfa_acr)
