"""Subject access and erasure, driven by the personal-data map (config/personal_data.py).

Both are scoped: a cohort's facilitator exports and erases what the person holds in that cohort only
(their account is shared with the other cohorts they belong to, and stays); the site operator erases
the account itself, in every cohort. Erasure reaches derived copies too: rendered HTML, search text,
denormalised names, practice-library copies, notifications that name the person, and the discussion
fragments cached for live pages.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cohort import live
from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.errors import NotAllowed
from cohort.models import Cohort, EffectivePractice, Membership, User
from config.personal_data import BY_MODEL, FORMER_MEMBER, HOLDINGS, REMOVED, Erase, Holding, Whose
from discussions import erasure as discussion_erasure
from discussions.models import Post

# Never exported: secrets and hashes that mean nothing to the person and help an attacker.
SECRET_FIELDS = {"password", "token_hash", "key", "receipt_token_hash", "upload_key_hash", "idempotency_key"}
# A sentence shorter than this is too common to be the person's own ("Thanks.").
MIN_SENTENCE = 20
SCRUB_BATCH = 50
TEXT_FIELDS = (models.CharField, models.TextField)


def _model(holding: Holding) -> type[models.Model]:
    return apps.get_model(holding.model)


def _user_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is User  # OneToOneField is a ForeignKey
    ]


def _in_scope(holding: Holding, cohort: Cohort | None) -> models.QuerySet | None:
    """The holding's rows in the cohort (every row when cohort is None; None for site-wide rows in a
    cohort's scope)."""
    manager = _model(holding)._default_manager
    if cohort is None:
        return manager.all()
    if holding.cohort is None:
        return None
    return manager.filter(**{holding.cohort: cohort})


def _theirs(holding: Holding, user: User) -> Q | None:
    if not holding.people:
        return None
    q = Q()
    for lookup in holding.people:
        q |= Q(**{lookup: user})
    return q


# Export


def export_user(user: User, cohort: Cohort) -> dict[str, Any]:
    """What the person holds in the cohort, grouped by model, as plain JSON: nothing of another cohort."""
    result: dict[str, Any] = {
        "account": {"email": user.email, "display_name": user.display_name, "time_zone": user.time_zone},
        "cohort": cohort.slug,
    }
    for holding in HOLDINGS:
        rows = _in_scope(holding, cohort)
        theirs = _theirs(holding, user)
        if rows is None or theirs is None:
            continue
        rows = rows.filter(theirs).distinct()
        if not rows.exists():
            continue
        model = _model(holding)
        hidden = SECRET_FIELDS | {f.name for f in holding.fields if not f.export}
        names = [f.name for f in model._meta.concrete_fields if f.name not in hidden and not f.primary_key]
        result[holding.model] = json.loads(serializers.serialize("json", rows, fields=names))
    return result


# Erasure


def _sentences(text: str) -> set[str]:
    found = set()
    for piece in re.split(r"(?<=[.!?])\s+|\n+", text or ""):
        piece = piece.strip().lstrip(">#*- ").strip()
        if len(piece) >= MIN_SENTENCE and piece != REMOVED:
            found.add(piece)
    return found


def _added_by(holding: Holding, rows: models.QuerySet, theirs: Q, names: list[str]) -> set[str]:
    """For versions of a shared text: the sentences each of the person's versions added to the
    version before it (by anyone), so that the others' sentences are not taken for theirs."""
    added: set[str] = set()
    group = holding.revisions_of
    mine = set(rows.filter(theirs).values_list("pk", flat=True))
    groups = set(rows.filter(pk__in=mine).values_list(group, flat=True))
    before: dict[object, set[str]] = {}
    for version in rows.filter(**{f"{group}__in": groups}).order_by(group, "pk"):
        key = getattr(version, f"{group}_id")
        now: set[str] = set().union(*(_sentences(getattr(version, n)) for n in names))
        if version.pk in mine:
            added |= now - before.get(key, set())
        before[key] = now
    return added


def _unrevised(holding: Holding, user: User, cohort: Cohort | None, names: list[str]) -> set[str]:
    """Shared texts that have no versions (saved before versions were kept, or carried into a new
    cycle): all of such a text counts as its last writer's."""
    key = _model(holding)._meta.get_field(holding.revisions_of)
    assert isinstance(key, models.ForeignKey)
    parent = BY_MODEL[key.related_model._meta.label]
    rows, theirs = _in_scope(parent, cohort), _theirs(parent, user)
    if rows is None or theirs is None:
        return set()
    found: set[str] = set()
    for values in (
        rows.filter(theirs).filter(**{f"{key.remote_field.get_accessor_name()}__isnull": True}).values_list(*names)
    ):
        for text in values:
            found |= _sentences(text)
    return found


def _their_text(user: User, cohort: Cohort | None) -> list[str]:
    """Each sentence the person wrote in scope, longest first (so a sentence goes before its parts)."""
    sentences: set[str] = set()
    for holding in HOLDINGS:
        rows = _in_scope(holding, cohort)
        theirs = _theirs(holding, user)
        authored = [f.name for f in holding.fields if f.whose == Whose.AUTHOR and f.erase != Erase.KEEP]
        if rows is None or theirs is None or not authored:
            continue
        model = _model(holding)
        text_names = [n for n in authored if isinstance(model._meta.get_field(n), TEXT_FIELDS)]
        if holding.revisions_of:
            sentences |= _added_by(holding, rows, theirs, text_names)
            sentences |= _unrevised(holding, user, cohort, text_names)
            continue
        for values in rows.filter(theirs).values_list(*text_names):
            for text in values:
                sentences |= _sentences(text)
    return sorted(sentences, key=len, reverse=True)


def _erased_value(erase: Erase) -> str:
    if erase == Erase.REPLACE:
        return REMOVED
    if erase == Erase.NAME:
        return FORMER_MEMBER
    return ""


def _delete_files(rows: models.QuerySet) -> None:
    for field in rows.model._meta.concrete_fields:
        if isinstance(field, models.FileField):
            for obj in rows.exclude(**{field.name: ""}):
                getattr(obj, field.name).delete(save=False)


def _erase_holdings(user: User, cohort: Cohort | None) -> dict[str, set[int]]:
    """Apply each holding's erasure to the person's rows in scope; detach them from what others keep.
    Returns {model label: ids of rows changed}."""
    changed: dict[str, set[int]] = {}
    for holding in HOLDINGS:
        scope = _in_scope(holding, cohort)
        if scope is None:
            continue
        model = _model(holding)
        theirs = _theirs(holding, user)
        if theirs is not None:
            rows = scope.filter(theirs)
            if holding.delete_rows:
                _delete_files(rows)
                rows.delete()
            else:
                updates = {
                    f.name: _erased_value(f.erase)
                    for f in holding.fields
                    if f.erase in (Erase.REPLACE, Erase.BLANK, Erase.NAME, Erase.DELETE)
                }
                if updates:
                    changed.setdefault(holding.model, set()).update(rows.values_list("pk", flat=True))
                    rows.update(**updates)
        for field in holding.fields:
            # An address others typed (an invitation) goes with the person.
            if isinstance(model._meta.get_field(field.name), models.EmailField) and holding.model != "cohort.User":
                scope.filter(**{f"{field.name}__iexact": user.email}).delete()
        for key in _user_keys(model):
            if key.null:
                scope.filter(**{key.name: user}).update(**{key.name: None})
    return changed


def _scrub(needles: list[tuple[str, str]], cohort: Cohort | None) -> dict[str, set[int]]:
    """Replace each needle (in any case) by its replacement in every text field of the map's rows in
    scope. Rows are found a batch of needles at a time and rewritten in Python: a few queries per field
    however much the person wrote."""
    changed: dict[str, set[int]] = {}
    needles = [(n, r) for n, r in needles if n]
    # Whole words only: erasing "Al" must not turn "Also" into "a former memberso".
    patterns = [(re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.IGNORECASE), r) for n, r in needles]
    for holding in HOLDINGS:
        scope = _in_scope(holding, cohort)
        if scope is None or not holding.scrub:
            continue
        model = _model(holding)
        for spec in holding.fields:
            field = model._meta.get_field(spec.name)
            if spec.whose == Whose.STUDENT or not isinstance(field, TEXT_FIELDS):
                continue
            limit = field.max_length if isinstance(field, models.CharField) else None
            for start in range(0, len(needles), SCRUB_BATCH):
                found = Q()
                for needle, _replacement in needles[start : start + SCRUB_BATCH]:
                    found |= Q(**{f"{spec.name}__icontains": needle})
                rows = []
                for obj in scope.filter(found).only("pk", spec.name):
                    value = getattr(obj, spec.name)
                    for pattern, replacement in patterns:
                        value = pattern.sub(replacement, value)
                    setattr(obj, spec.name, value[:limit] if limit else value)
                    rows.append(obj)
                if rows:
                    model._default_manager.bulk_update(rows, [spec.name], batch_size=500)
                    changed.setdefault(holding.model, set()).update(obj.pk for obj in rows)
    return changed


def _erase(user: User, cohort: Cohort | None) -> None:
    """Erase what the person holds in the cohort (every cohort when None), and every copy of it."""
    sentences = _their_text(user, cohort)
    their_posts = Post.objects.filter(author=user)
    if cohort is not None:
        their_posts = their_posts.filter(thread__theme__cohort=cohort)
    # Practice-library copies of their posts carry their words under another name.
    EffectivePractice.objects.filter(pk__in=their_posts.exclude(practice=None).values("practice_id")).delete()
    changed = _erase_holdings(user, cohort)
    needles = [(s, REMOVED) for s in sentences]
    names = {user.display_name.strip(), str(user).strip()} - {""}
    needles += [(user.email, "[address removed]")] + [(n, FORMER_MEMBER.lower()) for n in names]
    for label, ids in _scrub(needles, cohort).items():
        changed.setdefault(label, set()).update(ids)
    discussion_erasure.refresh_after_erasure(
        post_ids=changed.get("discussions.Post", set()), thread_ids=changed.get("discussions.Thread", set())
    )


def _confirm(user: User, confirm_email: str) -> None:
    if confirm_email.strip().lower() != user.email.lower():
        raise ValidationError(_("Type the person's e-mail address to confirm the erasure. Nothing was erased."))


@transaction.atomic
def erase_in_cohort(actor: Membership, user: User, *, confirm_email: str) -> None:
    """Erase what the person holds in the actor's cohort: their membership, their words (and every copy
    of them), their name where others' text in the cohort carries it. Their account, and what they
    hold in other cohorts, stay. The facilitator confirms by typing the person's address."""
    if not actor.is_facilitator:
        raise NotAllowed(_("Only a facilitator erases a person's data in a cohort."))
    if user.pk == actor.user_id:
        raise NotAllowed(_("You cannot erase your own data here."))
    if not Membership.objects.filter(user=user, cohort_id=actor.cohort_id).exists():
        raise NotAllowed(_("This person is not a member of the cohort."))
    _confirm(user, confirm_email)
    _erase(user, actor.cohort)
    live.access_changed(user.pk, cohort_id=actor.cohort_id)  # their open live pages of the cohort close at once
    audit.record(AuditAction.ERASED, actor=actor.user, cohort=actor.cohort, target_type="user", target_id=user.pk)


@transaction.atomic
def erase_account(operator: User, user: User, *, confirm_email: str) -> None:
    """The site operator's erasure of an account, in every cohort, then the account itself."""
    if not operator.is_superuser:
        raise NotAllowed(_("Only the site operator erases an account."))
    if user.pk == operator.pk:
        raise NotAllowed(_("You cannot erase your own account."))
    _confirm(user, confirm_email)
    _erase(user, None)
    target = user.pk
    user.delete()
    audit.record(AuditAction.ACCOUNT_ERASED, actor=operator, cohort=None, target_type="user", target_id=target)


def holdings_summary(user: User, cohort: Cohort) -> dict[str, int]:
    """{model label: how many rows} the person holds in the cohort, for the facilitator's page."""
    return {label: len(rows) for label, rows in export_user(user, cohort).items() if label not in {"account", "cohort"}}
