"""Subject access and erasure, driven by the personal-data map (config/personal_data.py).

Both are scoped: a cohort's facilitator exports and erases what the person holds in that cohort only
(their account is shared with the other cohorts they belong to, and stays); the site operator erases
the account itself, in every cohort. Erasure reaches derived copies too: rendered HTML, search text,
denormalised names, practice-library copies, notifications that name the person, and the discussion
fragments cached for live pages.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
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
from cohort.models import Cohort, Membership, User
from config.copies import CopyFinder, Place, cut, remove_quotes, remove_sentences
from config.personal_data import BY_MODEL, FORMER_MEMBER, HOLDINGS, REFERENCE, REMOVED, Erase, Holding, Whose
from discussions import erasure as discussion_erasure
from discussions.models import Post

# Never exported: secrets and hashes that mean nothing to the person and help an attacker.
SECRET_FIELDS = {"password", "token_hash", "key", "receipt_token_hash", "upload_key_hash", "idempotency_key"}
# A sentence shorter than this, in a text the person wrote with others, is left there ("Thanks.").
MIN_SENTENCE = 20
SCRUB_BATCH = 50
SCAN_CHUNK = 2000
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


@dataclass
class _Written:
    """What the person wrote in scope, read before anything is erased."""

    finder: CopyFinder = dataclasses.field(default_factory=CopyFinder)  # for copies of their words in others' text
    # The sentences they added to texts several people write: {holding label: {shared text id: sentences}}.
    shared: dict[str, dict[int, set[str]]] = dataclasses.field(default_factory=dict)
    whole: set[str] = dataclasses.field(default_factory=set)  # each whole text they wrote, for the platform's copies
    posts: dict[int, str] = dataclasses.field(default_factory=dict)  # their posts' bodies, for replies quoting them


def _sentences(text: str) -> set[str]:
    found = set()
    for piece in re.split(r"(?<=[.!?])\s+|\n+", text or ""):
        piece = piece.strip().lstrip(">#*- ").strip()
        if len(piece) >= MIN_SENTENCE and piece != REMOVED:
            found.add(piece)
    return found


def _text_fields(holding: Holding, *, authored: bool) -> list[str]:
    """The holding's text fields: the person's own words (authored: not derived copies such as
    rendered HTML, nor web addresses, which others link to as well), or every one that names or quotes
    people (not a student's, which withdrawal decides)."""
    model = _model(holding)
    names = []
    for spec in holding.fields:
        kind = model._meta.get_field(spec.name)
        if not isinstance(kind, TEXT_FIELDS):
            continue
        if authored:
            own = spec.whose == Whose.AUTHOR and spec.erase != Erase.KEEP and spec.export
            if own and not isinstance(kind, models.URLField):
                names.append(spec.name)
        elif spec.whose != Whose.STUDENT:
            names.append(spec.name)
    return names


def _rows(
    holding: Holding, rows: models.QuerySet, names: list[str], *, source: bool = False
) -> Iterator[tuple[dict[str, Any], Place]]:
    """Each row's values of names, with where it is and when its text was written (source) or last
    changed."""
    lookups = {
        key: value
        for key, value in (
            ("cohort", holding.cohort or ""),
            ("private_to", holding.private_to),
            ("written", holding.written),
            ("changed", holding.changed),
        )
        if value
    }
    for row in rows.values(*dict.fromkeys(["pk", *lookups.values(), *names])).iterator(chunk_size=SCAN_CHUNK):
        written, changed = row.get(lookups.get("written", "")), row.get(lookups.get("changed", ""))
        when = (written or changed) if source else (changed or written)
        yield row, Place(when, row.get(lookups.get("cohort", "")), row.get(lookups.get("private_to", "")))


def _shared_words(holding: Holding, user: User, cohort: Cohort | None, names: list[str], written: _Written) -> None:
    """For versions of a shared text: the sentences each of the person's versions added to the version
    before it (by anyone), so that the others' sentences are not taken for theirs. A shared text with
    no versions (saved before versions were kept, or carried into a new cycle) is all its last writer's."""
    rows, theirs = _in_scope(holding, cohort), _theirs(holding, user)
    assert rows is not None and theirs is not None
    group = holding.revisions_of
    added = written.shared.setdefault(holding.model, {})
    mine = set(rows.filter(theirs).values_list("pk", flat=True))
    groups = set(rows.filter(pk__in=mine).values_list(group, flat=True))
    before: dict[int, set[str]] = {}
    versions = rows.filter(**{f"{group}__in": groups}).order_by(group, "pk")
    for row, place in _rows(holding, versions, [group, *names], source=True):
        now: set[str] = set().union(*(_sentences(row[n]) for n in names))
        if row["pk"] in mine:
            new = now - before.get(row[group], set())
            added.setdefault(row[group], set()).update(new)
            for sentence in new:
                written.finder.add(sentence, place)
        before[row[group]] = now
    key = _model(holding)._meta.get_field(group)
    assert isinstance(key, models.ForeignKey)
    parent = BY_MODEL[key.related_model._meta.label]
    rows, theirs = _in_scope(parent, cohort), _theirs(parent, user)
    if rows is None or theirs is None:
        return
    unrevised = rows.filter(theirs).filter(**{f"{key.remote_field.get_accessor_name()}__isnull": True})
    for row, place in _rows(parent, unrevised, names, source=True):
        added.setdefault(row["pk"], set()).update(*(_sentences(row[n]) for n in names))
        for name in names:
            written.finder.add(row[name] or "", place)


def _their_words(user: User, cohort: Cohort | None) -> _Written:
    """Everything the person wrote in scope (every cohort when None)."""
    written = _Written()
    for holding in HOLDINGS:
        rows, theirs = _in_scope(holding, cohort), _theirs(holding, user)
        names = _text_fields(holding, authored=True)
        if rows is None or theirs is None or not names:
            continue
        if holding.revisions_of:
            _shared_words(holding, user, cohort, names, written)
            continue
        for row, place in _rows(holding, rows.filter(theirs).distinct(), names, source=True):
            for name in names:
                text = (row[name] or "").strip()
                written.finder.add(text, place)
                if len(text) >= MIN_SENTENCE and text != REMOVED:
                    written.whole.add(text)
    posts = Post.objects.filter(author=user)
    if cohort is not None:
        posts = posts.filter(thread__theme__cohort=cohort)
    written.posts = dict(posts.values_list("pk", "body"))
    return written


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


def _rewrite(holding: Holding, name: str, values: dict[int, str]) -> set[int]:
    """Save new values of one text field ({pk: value}), cut to the field's length; the ids changed."""
    model = _model(holding)
    field = model._meta.get_field(name)
    limit = field.max_length if isinstance(field, models.CharField) else None
    rows = []
    for pk, value in values.items():
        obj = model(pk=pk)
        setattr(obj, name, value[:limit] if limit else value)
        rows.append(obj)
    model._default_manager.bulk_update(rows, [name], batch_size=500)
    return set(values)


def _scrub(
    needles: list[tuple[str, str]], cohort: Cohort | None, *, platform_copies: bool = False
) -> dict[str, set[int]]:
    """Replace each needle (in any case) by its replacement in every text field of the map's rows in
    scope (only the rows the platform copies others' text into, with platform_copies). Rows are found a
    batch of needles at a time and rewritten in Python: a few queries per field however much there is."""
    changed: dict[str, set[int]] = {}
    needles = [(n, r) for n, r in needles if n]
    # Whole words only: erasing "Al" must not turn "Also" into "a former memberso".
    patterns = [(re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.IGNORECASE), r) for n, r in needles]
    for holding in HOLDINGS:
        scope = _in_scope(holding, cohort)
        if scope is None or not holding.scrub or (platform_copies and not holding.platform_copies):
            continue
        for name in _text_fields(holding, authored=False):
            for start in range(0, len(needles), SCRUB_BATCH):
                found = Q()
                for needle, _replacement in needles[start : start + SCRUB_BATCH]:
                    found |= Q(**{f"{name}__icontains": needle})
                values = {}
                for pk, value in scope.filter(found).values_list("pk", name):
                    for pattern, replacement in patterns:
                        value = pattern.sub(replacement.replace("\\", r"\\"), value)
                    values[pk] = value
                if values:
                    changed.setdefault(holding.model, set()).update(_rewrite(holding, name, values))
    return changed


def _remove_shared(shared: dict[str, dict[int, set[str]]]) -> dict[str, set[int]]:
    """Remove the sentences the person added to shared texts from those texts and from every version
    of them (others' versions carried their sentences on)."""
    changed: dict[str, set[int]] = {}
    for label, groups in shared.items():
        if not groups:
            continue
        holding = BY_MODEL[label]
        key = _model(holding)._meta.get_field(holding.revisions_of)
        assert isinstance(key, models.ForeignKey)
        parent = BY_MODEL[key.related_model._meta.label]
        names = _text_fields(holding, authored=True)
        for target, group in ((parent, "pk"), (holding, holding.revisions_of)):
            rows = _model(target)._default_manager.filter(**{f"{group}__in": list(groups)})
            for name in names:
                values = {}
                for pk, owner, value in rows.values_list("pk", group, name):
                    new = remove_sentences(value or "", groups[owner], REMOVED)
                    if new != value:
                        values[pk] = new
                if values:
                    changed.setdefault(target.model, set()).update(_rewrite(target, name, values))
    return changed


def _remove_copies(written: _Written, cohort: Cohort | None) -> dict[str, set[int]]:
    """Remove copies of the person's words from others' text (config/copies.py says what is a copy)."""
    changed: dict[str, set[int]] = {}
    # Replies quoting one of their posts.
    quoting: dict[int, str] = {}
    replies = Post.objects.filter(parent_id__in=list(written.posts)).exclude(pk__in=list(written.posts))
    for pk, parent_id, body in replies.values_list("pk", "parent_id", "body"):
        new = remove_quotes(body, written.posts[parent_id], REMOVED)
        if new != body:
            quoting[pk] = new
    if quoting:
        changed["discussions.Post"] = _rewrite(BY_MODEL["discussions.Post"], "body", quoting)
    # Runs of their words.
    finder = written.finder
    if not finder.index:
        return changed
    for label, reference in REFERENCE.items():
        model = apps.get_model(label)
        texts = [n for n in reference if isinstance(model._meta.get_field(n), TEXT_FIELDS)]
        for values in model._default_manager.values_list(*texts).iterator(chunk_size=SCAN_CHUNK) if texts else ():
            for text in values:
                finder.common(text or "")
    for holding in HOLDINGS:
        scope = _in_scope(holding, cohort)
        names = _text_fields(holding, authored=False)
        if scope is None or not holding.scrub or not names:
            continue
        for row, place in _rows(holding, scope, names):
            for name in names:
                finder.scan((holding.model, name, row["pk"]), row[name] or "", place)
    found: dict[tuple[str, str], dict[int, list[tuple[int, int]]]] = {}
    for ref, spans in finder.copies().items():
        label, name, pk = ref  # type: ignore[misc]
        found.setdefault((label, name), {})[pk] = spans
    for (label, name), by_pk in found.items():
        holding = BY_MODEL[label]
        rows = _model(holding)._default_manager.filter(pk__in=list(by_pk)).values_list("pk", name)
        values = {pk: cut(value, by_pk[pk], REMOVED) for pk, value in rows}
        changed.setdefault(label, set()).update(_rewrite(holding, name, values))
    return changed


def _merge(into: dict[str, set[int]], more: dict[str, set[int]]) -> None:
    for label, ids in more.items():
        into.setdefault(label, set()).update(ids)


def _erase(user: User, cohort: Cohort | None) -> None:
    """Erase what the person holds in the cohort (every cohort when None): their rows and fields as the
    map says, their sentences in texts they wrote with others, copies of their words in others' text,
    and their name and address wherever they appear."""
    written = _their_words(user, cohort)
    changed = _erase_holdings(user, cohort)
    _merge(changed, _remove_shared(written.shared))
    _merge(changed, _remove_copies(written, cohort))
    names = {user.display_name.strip(), str(user).strip()} - {""}
    needles = [(user.email, "[address removed]")] + [(n, FORMER_MEMBER.lower()) for n in names]
    _merge(changed, _scrub(needles, cohort))
    _merge(changed, _scrub([(text, REMOVED) for text in written.whole], cohort, platform_copies=True))
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
