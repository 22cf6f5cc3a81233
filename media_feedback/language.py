"""Which language a student's page is in: the visitor's own choice, else the call's.

A student has no account. Their first page, the institution's link, opens in the call's "first
language of the link" unless the visitor has chosen one with the toggle (its cookie) or is a
signed-in person with a preference; every later page of theirs (upload, done, the private receipt
link, the tus answers) keeps the language they consented in, on the same terms.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from cohort.i18n import CODES, normalise


def has_chosen(request: HttpRequest) -> bool:
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in CODES:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and getattr(user, "language", ""))


def use_student_language(request: HttpRequest, default: str) -> str:
    """Activate `default` (the call's first language, or the language the student consented in) for
    this request unless the visitor chose one; returns the language in use."""
    if not has_chosen(request):
        code = normalise(default)
        translation.activate(code)
        request.LANGUAGE_CODE = code  # type: ignore[attr-defined]
    return normalise(translation.get_language())
