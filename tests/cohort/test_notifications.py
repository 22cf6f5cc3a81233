from __future__ import annotations

from datetime import UTC, datetime

from django.core import mail
from django.urls import reverse

from cohort.models import Delivery, Notification, NotificationKind, NotificationPreference
from cohort.notifications import notify
from cohort.tasks import send_daily_digests
from tests.factories import client_for


def test_notifications_arrive_in_the_site_and_by_one_batched_email(world, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.alice], kind="meeting", title="Meeting moved", url="/c/gm/", cohort=world.cohort)
        notify([world.alice], kind="meeting", title="Agenda updated", url="/c/gm/", cohort=world.cohort)
    assert Notification.objects.filter(user=world.alice).count() == 2
    assert len(mail.outbox) == 1  # the second task found nothing left to send
    assert "Meeting moved" in mail.outbox[0].body and "Agenda updated" in mail.outbox[0].body


def test_a_digest_preference_holds_email_for_the_daily_digest(world, django_capture_on_commit_callbacks) -> None:
    NotificationPreference.objects.create(user=world.alice, kind="discussion", delivery=Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.alice], kind="discussion", title="A reply", url="/")
    assert mail.outbox == []
    send_daily_digests.call()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "A reply"


def test_an_off_preference_sends_no_email(world, django_capture_on_commit_callbacks) -> None:
    NotificationPreference.objects.create(user=world.alice, kind="discussion", delivery=Delivery.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.alice], kind="discussion", title="A reply", url="/")
    send_daily_digests.call()
    assert mail.outbox == []
    assert Notification.objects.filter(user=world.alice).exists()


def test_the_header_shows_the_unread_count_and_opening_marks_read(world) -> None:
    notify([world.alice], kind="meeting", title="Meeting moved", url="/c/gm/")
    client = client_for(world.alice)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert '<span class="badge" id="unread-count">1' in page
    n = Notification.objects.get(user=world.alice)
    response = client.get(reverse("cohort:open_notification", kwargs={"notification_id": n.pk}))
    assert response["Location"] == "/c/gm/"
    assert 'id="unread-count"' not in client.get(reverse("home"), follow=True).content.decode()


def test_preferences_are_saved_per_kind(world) -> None:
    client_for(world.alice).post(
        reverse("cohort:notification_preferences"),
        {kind: ("digest" if kind == "discussion" else "immediate") for kind in NotificationKind.values},
    )
    assert NotificationPreference.objects.get(user=world.alice, kind="discussion").delivery == Delivery.DIGEST


def test_times_are_shown_in_the_users_time_zone(world) -> None:
    world.alice.time_zone = "America/New_York"
    world.alice.save()
    Notification.objects.create(
        user=world.alice, kind="meeting", title="T", created_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    )
    page = client_for(world.alice).get(reverse("cohort:notifications")).content.decode()
    assert "2 Nov 2026, 10:00" in page


def test_an_unknown_time_zone_is_refused_on_the_profile(world) -> None:
    response = client_for(world.alice).post(
        reverse("cohort:profile"), {"display_name": "Alice", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    world.alice.refresh_from_db()
    assert world.alice.time_zone == "Europe/London"


def test_one_email_task_is_queued_per_person_per_batch(world, settings, django_capture_on_commit_callbacks) -> None:
    # With a worker that runs tasks later (as deployed), a person with a batch already queued needs no
    # other task: it sends everything unsent when it runs. Once the mark is gone, a new batch starts.
    from django.core.cache import cache
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.alice], kind="meeting", title="Meeting moved", url="/c/gm/", cohort=world.cohort)
        notify([world.alice, world.bob], kind="meeting", title="Agenda updated", url="/c/gm/", cohort=world.cohort)
    queued = [task.args_kwargs["args"][0] for task in DBTaskResult.objects.order_by("enqueued_at")]
    assert queued == [[world.alice.pk], [world.bob.pk]]
    cache.clear()  # the marks expire before the tasks run
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.alice], kind="meeting", title="Room changed", url="/c/gm/", cohort=world.cohort)
    assert DBTaskResult.objects.count() == 3
    assert Notification.objects.filter(user=world.alice, emailed_at__isnull=True).count() == 3
