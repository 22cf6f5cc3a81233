"""allauth's account adapter: accounts only by invitation, live pages closed on log-out, and log-in locks
that a stranger cannot turn against someone.

Locks, both counted in the cache over LOCKOUT_WINDOW:
- per account *and address*: LOCKOUT_ATTEMPTS failed passwords for one account from one address lock
  that address out of that account (allauth's "login_failed" limit, keyed here by both). Someone
  else's wrong guesses never lock the owner's own address;
- per account, when it is attacked from many addresses: ACCOUNT_LOCK_FAILURES failed passwords across
  addresses (so from several of them) lock the account for everyone, and its owner is e-mailed, once
  per lock, a link (signed, valid UNLOCK_MAX_AGE) that clears the lock and lets their browser past the
  account-wide lock for a day, however long the attack goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context, ratelimit
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from cohort import i18n, live
from cohort.mail import send_later
from cohort.models import User

log = logging.getLogger(__name__)

# ACCOUNT_RATE_LIMITS["login_failed"] says "5/15m/key": keep these in step with it.
LOCKOUT_ATTEMPTS = 5
LOCKOUT_WINDOW = 15 * 60
ACCOUNT_LOCK_FAILURES = 20  # one address can fail only LOCKOUT_ATTEMPTS times: this takes at least four
UNLOCK_MAX_AGE = 24 * 3600
UNLOCK_COOKIE = "qm_unlocked"
UNLOCK_SALT = "cohort.adapters.unlock"


def _email(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or "").strip().lower()


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_locked": (
            "Log-in to this account is paused: there were many failed attempts from several places. "
            "Its owner has been e-mailed a link that unlocks it."
        ),
    }

    def logout(self, request: HttpRequest) -> None:
        user_id = request.user.pk if request.user.is_authenticated else None
        session_key = request.session.session_key
        super().logout(request)
        if user_id is not None and session_key:
            live.access_changed(user_id, session_key=session_key)  # this session's live pages close at once

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails (password reset, address confirmation) go through the queue like all others."""
        request = allauth_context.request
        context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        # In the account holder's language; for an address with no account (or no choice), the page's.
        person = User.objects.filter(email__iexact=email).first()
        language = person.language if person is not None and person.language else i18n.active()
        with i18n.in_language_of(language):
            send_later(self.render_mail(template_prefix, email, context))

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created only by accepting an invitation.
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """allauth's per-account failure count, made per account and address."""
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}@{self.get_client_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        email = _email(credentials)
        if email and account_locked(email) and not holds_unlock(request, email):
            raise self.validation_error("account_locked")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        email = _email(credentials)
        if not email:
            return
        key = f"login-failures:{email}"
        cache.add(key, 0, timeout=LOCKOUT_WINDOW)
        try:
            failures = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=LOCKOUT_WINDOW)
            failures = 1
        if failures == ACCOUNT_LOCK_FAILURES:
            lock_account(email)


def _lock_key(email: str) -> str:
    return f"login-lock:{email}"


def account_locked(email: str) -> bool:
    return cache.get(_lock_key(email)) is not None


def lock_account(email: str) -> None:
    """Lock the account for LOCKOUT_WINDOW and e-mail its owner a link that unlocks it."""
    cache.set(_lock_key(email), True, timeout=LOCKOUT_WINDOW)
    cache.delete(f"login-failures:{email}")
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    log.warning("account locked after failed log-ins from several addresses (user id %s)", user.pk if user else None)
    if user is None:
        return
    token = signing.dumps({"user": user.pk}, salt=UNLOCK_SALT)
    link = f"{settings.SITE_URL}{reverse('cohort:unlock_account', kwargs={'token': token})}"
    minutes = LOCKOUT_WINDOW // 60
    with i18n.in_language_of(user):
        subject = _("QM Cohort: log-in to your account was paused")
        body = _(
            "Hello %(name)s,\n\nThere were %(failures)s failed attempts to log in to your QM Cohort account from several "
            "places in %(minutes)s minutes, so log-in to it is paused for %(minutes)s minutes.\n\nTo log in now, open "
            "this link on your own device (it works for %(hours)s hours):\n%(link)s\n\nIf the failed attempts were not "
            "yours, someone may be guessing your password: choose a new one at %(reset)s\n"
        ) % {
            "name": user,
            "failures": ACCOUNT_LOCK_FAILURES,
            "minutes": minutes,
            "hours": UNLOCK_MAX_AGE // 3600,
            "link": link,
            "reset": f"{settings.SITE_URL}{reverse('account_reset_password')}",
        }
    send_later(EmailMessage(subject, body, to=[user.email]))


def read_unlock_token(token: str) -> User | None:
    """The account whose lock this link clears, if the link is genuine and not expired."""
    try:
        payload = signing.loads(token, salt=UNLOCK_SALT, max_age=UNLOCK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    return User.objects.filter(pk=payload["user"], is_active=True).first()


def unlock(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """Clear the account's lock and this address's lock for it; this browser passes the account-wide
    lock for UNLOCK_MAX_AGE (its own address's limit still applies)."""
    email = user.email.lower()
    cache.delete(_lock_key(email))
    cache.delete(f"login-failures:{email}")
    adapter = AccountAdapter(request)
    ratelimit.clear(request, action="login_failed", key=adapter._get_login_attempts_cache_key(request, email=email))
    response.set_signed_cookie(
        UNLOCK_COOKIE,
        str(user.pk),
        salt=UNLOCK_SALT,
        max_age=UNLOCK_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def holds_unlock(request: HttpRequest, email: str) -> bool:
    value = request.get_signed_cookie(UNLOCK_COOKIE, default=None, salt=UNLOCK_SALT, max_age=UNLOCK_MAX_AGE)
    if value is None:
        return False
    return User.objects.filter(pk=value, email__iexact=email).exists()
