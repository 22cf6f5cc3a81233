"""allauth's SAML provider, keeping what the product needs from a response beyond its attributes:
the AuthnContextClassRef (did the person use more than one factor) and the NameID and session index
(single log-out). Registered through SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.saml.provider import SAMLProvider as AllauthSAMLProvider


class SAMLProvider(AllauthSAMLProvider):
    package = "allauth.socialaccount.providers.saml"  # allauth's URLs and views

    def extract_extra_data(self, data: Any) -> dict[str, Any]:
        extra = dict(super().extract_extra_data(data))
        extra["_authn_contexts"] = list(data.get_last_authn_contexts() or [])
        extra["_nameid"] = data.get_nameid()
        extra["_nameid_format"] = data.get_nameid_format()
        extra["_session_index"] = data.get_session_index()
        return extra


provider_classes = [SAMLProvider]
