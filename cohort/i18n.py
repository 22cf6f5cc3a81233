"""English and Welsh: which language a page, an e-mail or a document is in, and data kept in both.

- Pages: LocaleMiddleware picks the visitor's choice (the language cookie the toggle sets) or their
  browser's language; PersonLanguageMiddleware then uses a signed-in person's own preference.
- Everything sent to someone (e-mails, calendar invitations, digests) is written in *their* language,
  not the sender's: render it inside `in_language_of(recipient)`.
- Data people read in both languages (an area's name, a feedback call's title, a summary) keeps a Welsh
  version in a field named like the English one with `_cy` after it; `localised(obj, "title")` gives the
  reader's version, or the English one when there is no Welsh yet (see cohort.templatetags.bilingual).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.i18n import JavaScriptCatalog

ENGLISH = "en-gb"
WELSH = "cy"
CODES = frozenset(code for code, _name in settings.LANGUAGES)


def normalise(code: str | None) -> str:
    """A supported language code for any code or none: 'cy', 'cy-GB' -> 'cy'; anything else -> 'en-gb'."""
    if code and code.lower().split("-")[0] == WELSH:
        return WELSH
    return ENGLISH


def active() -> str:
    return normalise(translation.get_language())


def language_of(person: Any) -> str:
    """The language to write to a person in: their chosen one, else English. `person` may be a user, an
    object with a `language` attribute (an invitation), a language code, or None."""
    if person is None:
        return ENGLISH
    if isinstance(person, str):
        return normalise(person)
    return normalise(getattr(person, "language", "") or ENGLISH)


@contextmanager
def in_language_of(person: Any) -> Iterator[str]:
    """Render what is sent to `person` in their language: `with in_language_of(user): subject = _(...)`."""
    code = language_of(person)
    with translation.override(code):
        yield code


def localised(obj: Any, field: str, language: str | None = None) -> tuple[str, str]:
    """(text, the language it is in) of a bilingual field: the Welsh version for a Welsh reader when it
    has one, otherwise the English one."""
    language = normalise(language) if language else active()
    if language == WELSH:
        welsh = getattr(obj, f"{field}_cy", "") or ""
        if welsh.strip():
            return welsh, WELSH
    return getattr(obj, field, "") or "", ENGLISH


def set_language(request: HttpRequest) -> HttpResponse:
    """The language toggle (POST language, next): the same page in the chosen language. Remembers the
    choice in a cookie and, for a signed-in person, as their preference (their e-mails follow it).
    An unknown language changes nothing; `next` must be a page of this site."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    following = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        following, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    response = HttpResponseRedirect(following if safe and following.startswith("/") else "/")
    code = request.POST.get("language", "")
    if code not in CODES:
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    return response


class JavaScriptCatalogue(JavaScriptCatalog):
    """The JavaScript's messages in the page's language. A page names its language (`?language=cy`):
    the view decides it (a student's link follows its call), which a request of its own for the
    catalogue, going by the cookie or the browser, would not know."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        code = request.GET.get("language", "")
        if code not in CODES:
            return super().get(request, *args, **kwargs)
        with translation.override(code):
            return super().get(request, *args, **kwargs)
