from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from cohort import authn, i18n
from cohort.authn import Verdict


class UserTimezoneMiddleware:
    """Shows every time in the signed-in user's own time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.tzinfo)
        else:
            timezone.deactivate()
        return self.get_response(request)


class SignedInMiddleware:
    """Every page request goes through the authentication chokepoint (cohort.authn.verdict).

    - a staff role without TOTP: only the account pages (two-factor set-up, log-out) until it is set up;
    - TOTP set up but not used in this session (a password alone): only the two-factor check and log-out;
    - a staff session idle past STAFF_IDLE_TIMEOUT_SECONDS: logged out, sent to log in again;
    - the admin: only for staff fully signed in; anyone signed out is sent to the product's log-in, anyone
      else signed in gets 404.
    """

    setup_prefixes = ("/accounts/", "/static/", "/invitations/", "/language/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        result, idle_limited = authn.assess(user, request.session)
        if result is Verdict.SIGNED_OUT:
            if request.path.startswith(ADMIN_PREFIX):  # the admin's own log-in takes a password alone: never it
                return redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL))
            return back_to_the_page(request, self.get_response(request))
        if result is Verdict.IDLE:
            get_adapter(request).logout(request)  # as the log-out button: the session's live pages close too
            messages.info(
                request,
                _(
                    "You were signed out after %(minutes)s minutes without activity. Log in again to carry on: "
                    "what you were typing is kept in this browser."
                )
                % {"minutes": authn.idle_timeout() // 60},
            )
            return back_to_the_page(request, redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL)))
        if result is Verdict.NEEDS_SETUP and not request.path.startswith(self.setup_prefixes):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        if result is Verdict.NEEDS_SECOND_FACTOR and request.path not in second_factor_paths():
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
        if result is Verdict.SIGNED_IN:
            if idle_limited:
                authn.touch(request.session)
            if request.path.startswith(ADMIN_PREFIX) and not request.user.is_staff:
                raise Http404(_("This account has no access to the site administration."))
        return self.get_response(request)


ADMIN_PREFIX = "/admin/"


def page_of(request: HttpRequest) -> str | None:
    """The path (and query) of the page a request was sent from, if it is one of this site's: htmx
    names it in HX-Current-URL, a browser's form in Referer (SECURE_REFERRER_POLICY is same-origin)."""
    url = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    if not url or not url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return None
    parts = urlsplit(url)
    if not parts.path.startswith("/") or parts.path.startswith("/accounts/"):
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def back_to_the_page(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A form sent after the session ended goes to log in; afterwards the person comes back to the page
    the form was on, where what they typed is restored from the browser (static/js/drafts.js), rather
    than to the address the form was sent to, which may answer POST only. htmx is told to load the
    log-in page as a page: following the redirect itself, it would put the log-in page inside the form."""
    login = reverse(settings.LOGIN_URL)
    location = response.get("Location", "") if response.status_code == 302 else ""
    if urlsplit(location).path != login:
        return response
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "GET" and not htmx:
        return response
    page = page_of(request)
    target = f"{login}?{urlencode({'next': page})}" if page else location
    if htmx:
        return HttpResponseClientRedirect(target)
    response["Location"] = target
    return response


def second_factor_paths() -> set[str]:
    """What a session that has not used its second factor may reach: the check itself and log-out."""
    return {reverse("mfa_reauthenticate"), reverse("account_logout"), reverse("set_language")}


class PersonLanguageMiddleware:
    """A signed-in person who has chosen a language sees every page in it, on any device. (For everyone
    else LocaleMiddleware has already chosen: the toggle's cookie, else the browser's language.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        chosen = getattr(user, "language", "") if signed_in else ""
        visitor_choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if user is not None and signed_in and not chosen and visitor_choice in i18n.CODES:
            # The toggle used before logging in (on the log-in page, say) becomes the person's preference,
            # so what is sent to them follows it too.
            user.language = chosen = visitor_choice
            user.save(update_fields=["language"])
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)  # LocaleMiddleware's Content-Language follows the activated language
