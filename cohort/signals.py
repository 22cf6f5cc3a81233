"""Live pages close at once when an account stops being usable, wherever that happens (the admin,
a script, the erasure path): deactivated, or deleted. And a session records a completed second factor
(cohort.authn)."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import authentication_step_completed
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cohort import authn, live
from cohort.models import User


@receiver(post_save, sender=User, dispatch_uid="cohort.user_saved_live")
def close_live_pages_of_a_deactivated_account(sender: type[User], instance: User, **kwargs: Any) -> None:
    if not instance.is_active and not kwargs.get("created"):
        live.access_changed(instance.pk)


@receiver(post_delete, sender=User, dispatch_uid="cohort.user_deleted_live")
def close_live_pages_of_a_deleted_account(sender: type[User], instance: User, **kwargs: Any) -> None:
    live.access_changed(instance.pk)


@receiver(authentication_step_completed, dispatch_uid="cohort.second_factor_used")
def record_a_second_factor_used(sender: Any, request: Any, method: str, user: Any, **kwargs: Any) -> None:
    """The log-in's (or a re-check's) TOTP or recovery-code step: this session completed the second factor."""
    if method == "mfa":
        authn.record_second_factor(request.session, user, by=f"mfa:{kwargs.get('type', 'unknown')}")


@receiver(authenticator_added, dispatch_uid="cohort.second_factor_set_up")
def record_a_second_factor_set_up(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    """Setting up TOTP proves the code in this session too: no need to log in again to use it."""
    if authenticator.type == Authenticator.Type.TOTP:
        authn.record_second_factor(request.session, user, by="mfa:totp-set-up")
