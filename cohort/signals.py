"""Live pages close at once when an account stops being usable, wherever that happens (the admin,
a script, the erasure path): deactivated, or deleted."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cohort import live
from cohort.models import User


@receiver(post_save, sender=User, dispatch_uid="cohort.user_saved_live")
def close_live_pages_of_a_deactivated_account(sender: type[User], instance: User, **kwargs: Any) -> None:
    if not instance.is_active and not kwargs.get("created"):
        live.access_changed(instance.pk)


@receiver(post_delete, sender=User, dispatch_uid="cohort.user_deleted_live")
def close_live_pages_of_a_deleted_account(sender: type[User], instance: User, **kwargs: Any) -> None:
    live.access_changed(instance.pk)
