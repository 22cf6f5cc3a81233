"""Subject access and erasure: everything the platform holds about one person, across every app.

Found generically, so that a model added later is covered without a change here: every row with a
foreign key to the user is theirs to see; erasing the account deletes or detaches those rows as each
model's `on_delete` says, and text the person wrote for others (discussion posts) is replaced.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction

from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.errors import NotAllowed
from cohort.models import Membership, User

# Fields never exported: secrets and hashes that mean nothing to the person and help an attacker.
SECRET_FIELDS = {"password", "token_hash", "secret", "key", "data"}


def user_foreign_keys() -> list[tuple[type[models.Model], models.ForeignKey]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is User and field.concrete:
                found.append((model, field))
    return found


def export_user(user: User) -> dict[str, Any]:
    """Every row that refers to the user, grouped by model, as plain JSON."""
    result: dict[str, Any] = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
    }
    for model, field in user_foreign_keys():
        rows = model._default_manager.filter(**{field.name: user})
        if not rows.exists():
            continue
        data = json.loads(serializers.serialize("json", rows))
        for item in data:
            for name in SECRET_FIELDS & set(item["fields"]):
                item["fields"][name] = "(withheld)"
        result.setdefault(model._meta.label, []).extend(data)
    return result


def scrub_authored_text(user: User) -> int:
    """Replace the text of what the person wrote for others, keeping threads readable."""
    scrubbed = 0
    for model, field in user_foreign_keys():
        if field.name not in {"author", "created_by"}:
            continue
        text_fields = [
            f.name for f in model._meta.fields if isinstance(f, models.TextField) and f.name in {"body", "text"}
        ]
        for name in text_fields:
            scrubbed += model._default_manager.filter(**{field.name: user}).update(
                **{name: "[removed at the person's request]"}
            )
    return scrubbed


@transaction.atomic
def erase_user(actor: Membership, user: User, *, confirm_email: str) -> None:
    """Erase a person: their authored text is replaced, their account and everything that depends on
    it are deleted (each model's on_delete decides: cascade or detach). The facilitator confirms by
    typing the person's address."""
    if not actor.is_facilitator:
        raise NotAllowed("Only a facilitator erases a person's data.")
    if user.pk == actor.user_id:
        raise NotAllowed("You cannot erase your own account here.")
    if confirm_email.strip().lower() != user.email.lower():
        raise ValidationError("Type the person's e-mail address to confirm the erasure. Nothing was erased.")
    audit.record(AuditAction.ERASED, actor=actor.user, cohort=actor.cohort, target_type="user", target_id=user.pk)
    scrub_authored_text(user)
    user.delete()
