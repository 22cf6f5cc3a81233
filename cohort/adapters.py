from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.http import HttpRequest

from cohort import live
from cohort.mail import send_later
from cohort.models import User

log = logging.getLogger(__name__)

# After this many failed log-ins for one address within the window, allauth refuses further attempts
# (ACCOUNT_RATE_LIMITS["login_failed"]) and the owner is told once.
LOCKOUT_ATTEMPTS = 5
LOCKOUT_WINDOW = 15 * 60


class AccountAdapter(DefaultAccountAdapter):
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
        send_later(self.render_mail(template_prefix, email, context))

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created only by accepting an invitation.
        return False

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        email = str(credentials.get("email") or "").strip().lower()
        if not email:
            return
        key = f"login-failures:{email}"
        cache.add(key, 0, timeout=LOCKOUT_WINDOW)
        try:
            failures = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=LOCKOUT_WINDOW)
            failures = 1
        if failures == LOCKOUT_ATTEMPTS:
            notify_owner_of_lockout(email)


def notify_owner_of_lockout(email: str) -> None:
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    log.warning("account locked after %d failed log-ins (user id %s)", LOCKOUT_ATTEMPTS, user.pk if user else None)
    if user is None:
        return
    send_later(
        EmailMessage(
            "QM Cohort: your account was locked for a while",
            (
                f"Hello {user},\n\nThere were {LOCKOUT_ATTEMPTS} failed attempts to log in to your QM Cohort account, "
                f"so log-in is paused for {LOCKOUT_WINDOW // 60} minutes.\n\nIf this was not you, reset your password: "
                f"{settings.SITE_URL}/accounts/password/reset/\n"
            ),
            to=[user.email],
        )
    )
