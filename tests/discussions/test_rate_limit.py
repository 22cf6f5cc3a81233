from __future__ import annotations

import uuid

from django.urls import reverse

from cohort.access import get_membership
from discussions import services
from discussions.models import Post, Theme, Thread
from tests.factories import client_for


def test_posting_faster_than_a_person_types_is_refused_with_a_clear_message(world, early_in_a_minute) -> None:
    membership = get_membership(world.alice, "gm")
    theme = Theme.objects.create(cohort=world.cohort, title="Target setting")
    result = services.start_thread(membership, theme, title="Targets", body="First", key=uuid.uuid4())
    thread = Thread.objects.get(pk=result.post.thread_id)
    client = client_for(world.alice)
    url = reverse("discussions:add_post", kwargs={"cohort": "gm", "thread_id": thread.pk})
    statuses = [client.post(url, {"body": f"Reply {i}", "key": str(uuid.uuid4())}).status_code for i in range(21)]
    assert 429 not in statuses[:20]
    assert statuses[20] == 429
    assert Post.objects.filter(thread=thread).count() == 21  # the first post and 20 replies
