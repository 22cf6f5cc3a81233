"""The service contract: a member who may not do a thing is refused with NotAllowed; and the
groups of live theme pages match who may read a thread."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError

from cohort.access import get_membership
from cohort.errors import NotAllowed
from discussions import events, services
from discussions.models import Report, Thread
from tests.discussions.factories import reply, start, theme_for


@pytest.mark.parametrize(
    ("who", "write", "refusal"),
    [
        ("oscar", lambda m, t: services.start_thread(m, t.theme, title="Hi", body="Hello", key=uuid.uuid4()),
         "Observers can read discussions but not start threads."),
        ("oscar", lambda m, t: services.add_post(m, t, body="Hello", key=uuid.uuid4()),
         "Observers can read discussions but not post."),
        ("bob", lambda m, t: services.edit_post(m, t.posts.get(), body="Mine now"), "You can only edit your own posts."),
        ("bob", lambda m, t: services.delete_post(m, t.posts.get()), "You can only delete your own posts."),
        ("lena", lambda m, t: services.hide_post(m, t.posts.get()), "Only facilitators can hide posts."),
        ("lena", lambda m, t: services.set_thread_flags(m, t, pinned=True), "Only facilitators can pin or lock threads."),
        ("alex", lambda m, t: services.add_theme(m, title="Student voice"), "Only facilitators can add themes."),
        ("alex", lambda m, t: services.dismiss_report(m, Report.objects.create(post=t.posts.get(), reporter=m.user)),
         "Only facilitators can dismiss reports."),
        ("lena", lambda m, t: services.mark_effective_practice(
            m, t.posts.get(), area=t.theme.cohort.framework.areas.first(), title=""),
         "Only facilitators can mark effective practice."),
    ],
)  # fmt: skip
def test_a_member_who_may_not_write_is_refused_in_a_sentence(world, who, write, refusal) -> None:
    thread = start(world.alice, world.cohort)
    membership = get_membership(getattr(world, who), "gm")
    with pytest.raises(NotAllowed) as error:
        write(membership, thread)
    assert str(error.value) == refusal


def test_bad_input_is_a_validation_error_not_a_refusal(world) -> None:
    thread = start(world.alice, world.cohort)
    membership = get_membership(world.bob, "gm")
    with pytest.raises(ValidationError):
        services.add_post(membership, thread, body="   ", key=uuid.uuid4())
    with pytest.raises(ValidationError):
        services.set_subscription(membership, thread, "shout")


@pytest.mark.parametrize("reader", ["alice", "lena", "bob", "fran", "alex", "oscar"])
@pytest.mark.parametrize("private", [False, True])
def test_a_theme_page_hears_of_exactly_the_threads_its_member_may_read(world, reader, private) -> None:
    thread = start(world.alice, world.cohort, private=private)
    membership = get_membership(getattr(world, reader), "gm")
    page = set(events.theme_page_groups(thread.theme_id, membership))
    hears = bool(page & set(events.theme_groups(thread.theme_id, thread.institution_id)))
    assert hears == Thread.objects.visible_to(membership).filter(pk=thread.pk).exists()


@pytest.mark.parametrize("private", [False, True])
def test_the_readers_of_a_thread_are_the_members_it_is_visible_to(world, private) -> None:
    thread = start(world.alice, world.cohort, private=private, theme=theme_for(world.cohort))
    reply(world.lena, thread)
    readers = {m.user_id for m in thread.readers()}
    everyone = [
        get_membership(getattr(world, name), "gm") for name in ("alice", "lena", "bob", "fran", "alex", "oscar")
    ]
    assert readers == {m.user_id for m in everyone if Thread.objects.visible_to(m).filter(pk=thread.pk).exists()}
