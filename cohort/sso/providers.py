"""allauth's SAML provider, keeping what the product needs from a response beyond its attributes:
the AuthnContextClassRef (did the person use more than one factor) and the NameID and session index
(single log-out). Registered through SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.saml.provider import SAMLProvider as AllauthSAMLProvider
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class SAMLProvider(AllauthSAMLProvider):
    package = "allauth.socialaccount.providers.saml"  # allauth's URLs and views

    def unstash_redirect_state(self, request: HttpRequest, state_id: Any) -> Any:
        """A response that answers no log-in this session started (a replayed one, or one meant for
        another browser) gets the refusal page, not a bare 403."""
        try:
            return super().unstash_redirect_state(request, state_id)
        except PermissionDenied as error:
            get_adapter(request).on_authentication_error(request, self, error="unknown_state", exception=error)
            raise  # the adapter answers with a page of its own; this only if it did not

    def extract_extra_data(self, data: Any) -> dict[str, Any]:
        extra = dict(super().extract_extra_data(data))
        extra["_authn_contexts"] = list(data.get_last_authn_contexts() or [])
        extra["_nameid"] = data.get_nameid()
        extra["_nameid_format"] = data.get_nameid_format()
        extra["_session_index"] = data.get_session_index()
        return extra


provider_classes = [SAMLProvider]
