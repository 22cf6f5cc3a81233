from __future__ import annotations

from discussions.models import Theme
from tests.discussions.factories import reply, start
from tests.factories import client_for


def test_the_index_creates_one_theme_per_framework_area_once(world) -> None:
    client = client_for(world.alice)
    assert client.get(f"/c/{world.cohort.slug}/discussions/").status_code == 200
    client.get(f"/c/{world.cohort.slug}/discussions/")
    assert Theme.objects.filter(cohort=world.cohort, area__isnull=False).count() == 7


def test_the_thread_page_shows_nested_replies(world) -> None:
    thread = start(world.alice, world.cohort)
    first = reply(world.bob, thread, "Medlock counts differently.")
    reply(world.lena, thread, "Say more?", parent=first)
    response = client_for(world.alice).get(thread.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="replies-{first.pk}"' in html
    assert "Say more?" in html
