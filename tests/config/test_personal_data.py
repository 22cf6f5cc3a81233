"""The personal-data map classifies every text, JSON and file field of every model, as the access
matrix lists every URL: a field added without saying whose data it is and what erasure does fails here."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from cohort.models import Cohort, User
from config.personal_data import BY_MODEL, HOLDINGS, MAPPED_APPS, REFERENCE, Erase, classified

MAPPED_KINDS = (models.CharField, models.TextField, models.JSONField, models.FileField)


def project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in MAPPED_APPS]


def test_every_text_json_and_file_field_is_in_the_personal_data_map() -> None:
    missing = [
        f"{model._meta.label}.{f.name}"
        for model in project_models()
        for f in model._meta.concrete_fields
        if isinstance(f, MAPPED_KINDS) and f.name not in classified(model._meta.label)
    ]
    assert not missing, f"Fields missing from the personal-data map (config/personal_data.py): {missing}"


def test_every_model_is_in_the_map() -> None:
    unlisted = [m._meta.label for m in project_models() if m._meta.label not in BY_MODEL | REFERENCE]
    assert not unlisted, f"Models missing from the personal-data map: {unlisted}"


@pytest.mark.parametrize("holding", HOLDINGS, ids=lambda h: h.model)
def test_each_entry_names_real_fields_and_a_working_cohort_lookup(holding, db) -> None:
    model = apps.get_model(holding.model)
    for name in [f.name for f in holding.fields] + list(holding.not_personal):
        model._meta.get_field(name)
    for lookup in holding.people:
        field = model._meta.get_field(lookup)
        assert field.related_model is User, lookup
    if holding.cohort is not None:
        list(model._default_manager.filter(**{holding.cohort: Cohort(pk=1)})[:1])
    # When the rows' text was written and changed, and whose private work they are (erasure's copies).
    for lookup in filter(None, (holding.written, holding.changed, holding.private_to)):
        list(model._default_manager.values(lookup)[:1])
    if holding.private_to:
        list(model._default_manager.filter(**{f"{holding.private_to}__slug": "x"})[:1])  # leads to an institution
    assert not set(holding.not_personal) & {f.name for f in holding.fields}


def test_what_erasure_does_is_one_of_the_known_actions_and_every_field_says_how_long_it_is_kept() -> None:
    for holding in HOLDINGS:
        for spec in holding.fields:
            assert spec.erase in Erase
            assert spec.retention
