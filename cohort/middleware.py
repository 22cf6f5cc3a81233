from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from cohort.models import STAFF_ROLES, Membership


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


class StaffTwoFactorMiddleware:
    """Facilitators and assessors must set up TOTP before they reach any cohort data.

    Only account pages (log-in, log-out, two-factor set-up), static files and the admin are reachable
    until they have.
    """

    allowed_prefixes = ("/accounts/", "/static/", "/admin/", "/invitations/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and needs_two_factor(user.pk)
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        return self.get_response(request)


def needs_two_factor(user_id: int) -> bool:
    has_staff_role = Membership.objects.filter(user_id=user_id, role__in=STAFF_ROLES).exists()
    if not has_staff_role:
        return False
    return not Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).exists()
