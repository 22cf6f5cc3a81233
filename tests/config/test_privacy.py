from __future__ import annotations

import json

from django.urls import reverse

from cohort.audit.models import AuditEvent
from cohort.models import ActionItem, Notification, User
from cohort.notifications import notify
from tests.factories import client_for


def test_a_facilitator_exports_everything_held_about_a_person(world) -> None:
    notify([world.alice], kind="meeting", title="Meeting moved", url="/")
    ActionItem.objects.create(
        cohort=world.cohort, institution=world.irwell, title="Write the data definition", owner=world.alice
    )
    response = client_for(world.fran).get(reverse("privacy_export", kwargs={"cohort": "gm", "user_id": world.alice.pk}))
    data = json.loads(response.content)
    assert data["account"]["email"] == world.alice.email
    assert data["cohort.Notification"][0]["fields"]["title"] == "Meeting moved"
    assert data["cohort.ActionItem"][0]["fields"]["title"] == "Write the data definition"
    assert "password" not in json.dumps(data["account"])
    assert AuditEvent.objects.filter(action="export.downloaded", target_id=str(world.alice.pk)).exists()


def test_erasure_needs_the_address_typed_and_then_removes_the_person(world) -> None:
    notify([world.alice], kind="meeting", title="Meeting moved", url="/")
    url = reverse("privacy_erase", kwargs={"cohort": "gm", "user_id": world.alice.pk})
    client_for(world.fran).post(url, {"confirm_email": "wrong@example.org"})
    assert User.objects.filter(pk=world.alice.pk).exists()
    client_for(world.fran).post(url, {"confirm_email": world.alice.email})
    assert not User.objects.filter(pk=world.alice.pk).exists()
    assert not Notification.objects.filter(user_id=world.alice.pk).exists()
    assert AuditEvent.objects.filter(action="erasure.done", target_id=str(world.alice.pk)).exists()


def test_a_facilitator_cannot_reach_people_of_another_cohort(world) -> None:
    url = reverse("privacy_export", kwargs={"cohort": "gm", "user_id": world.olga.pk})
    assert client_for(world.fran).get(url).status_code == 404
