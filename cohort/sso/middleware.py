"""allauth's SAML views (its ACS, the finish after it, its single log-out) with junk from anyone: an
answer that cannot be read gets the refusal page (400), not a 500 with the payload in a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from allauth.core.exceptions import ImmediateHttpResponse
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cohort.sso.models import IdentityProvider

log = logging.getLogger(__name__)

SAML_VIEWS = {"saml_acs", "saml_finish_acs", "saml_sls"}


class SAMLErrorMiddleware:
    """Last in MIDDLEWARE, so that its process_exception is asked first about a SAML view's exception."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            _saml_view(request)
            and request.resolver_match is not None
            and request.resolver_match.url_name == "saml_sls"
            and response.status_code == 400
            and response.get("Content-Type", "").startswith("text/plain")
        ):
            # allauth answers a log-out message it refuses with the reason as plain text: the page instead.
            return refused(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _saml_view(request) or isinstance(exception, (ImmediateHttpResponse, Http404, PermissionDenied)):
            return None  # allauth's own answers, and "no such provider"
        log.warning("SAML message refused at %s: %s", request.path, type(exception).__name__)
        return refused(request)


def _saml_view(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name in SAML_VIEWS


def refused(request: HttpRequest) -> HttpResponse:
    slug = (request.resolver_match.kwargs.get("organization_slug") if request.resolver_match else "") or ""
    provider = IdentityProvider.objects.filter(slug=slug).first() if slug else None
    return render(request, "socialaccount/refused.html", {"reason": "error", "provider": provider}, status=400)
