"""Events to open pages, sent after commit. Small: ids and sequence numbers, never HTML.

The fragment each event stands for is rendered here once (into the shared cache) before the event
goes out, so the consumers of every connected client read it instead of querying the database.
A lost event only delays a client: the next event (or its reconnect) reveals the gap and the
consumer catches up from the database.
"""

from __future__ import annotations

from cohort import live
from cohort.models import Membership
from discussions import fragments
from discussions.models import Post, Thread


def thread_group(thread_id: int) -> str:
    return f"discuss.thread.{thread_id}"


def _theme_group(theme_id: int, *, institution_id: int | None = None, facilitators: bool = False) -> str:
    """A theme page's group: its shared threads; or the private threads of one institution, or of
    every institution (for the facilitators)."""
    if facilitators:
        return f"discuss.theme.{theme_id}.private"
    if institution_id is not None:
        return f"discuss.theme.{theme_id}.inst.{institution_id}"
    return f"discuss.theme.{theme_id}"


def theme_groups(theme_id: int, institution_id: int | None) -> list[str]:
    """Where a thread's row goes: a shared thread to everyone on the theme page; a private one to its
    institution and the facilitators."""
    if institution_id is None:
        return [_theme_group(theme_id)]
    return [_theme_group(theme_id, institution_id=institution_id), _theme_group(theme_id, facilitators=True)]


def theme_page_groups(theme_id: int, membership: Membership) -> list[str]:
    """The groups a member's theme page joins: the shared threads', and the private threads' they
    may read (ThreadQuerySet.visible_to)."""
    groups = [_theme_group(theme_id)]
    if membership.is_facilitator:
        groups.append(_theme_group(theme_id, facilitators=True))
    elif membership.institution_id:
        groups.append(_theme_group(theme_id, institution_id=membership.institution_id))
    return groups


def version(thread: Thread) -> str:
    return str(int(thread.changed_at.timestamp() * 1_000_000))


def _send(group: str, message: dict) -> None:
    # The layer only signals: a lost event is caught up from the database.
    live.send_to_groups([group], message)


def post_changed(
    thread_id: int, post_id: int, seq: int, token: str, *, created: bool = False, post: Post | None = None
) -> None:
    """post: the instance as saved at seq, with what its fragment shows loaded (else read back)."""
    fragments.post_event_html(post_id, seq, token, post)
    kind = "post.created" if created else "post.updated"
    message = {"type": kind, "thread": thread_id, "post": post_id, "seq": seq, "key": token}
    _send(thread_group(thread_id), message)


def thread_row_changed(
    theme_id: int, thread_id: int, institution_id: int | None, *, thread: Thread | None = None
) -> None:
    """thread: the instance as saved, with what its row shows loaded (else read back).

    Nothing is rendered or sent while no theme page of the thread's readers is open (a page opened
    meanwhile asks for the rows changed since it was rendered).
    """
    groups = theme_groups(theme_id, institution_id)
    if not live.has_listeners(groups):
        return
    thread = thread or fragments.load_thread(thread_id)
    if thread is None:
        return
    v = version(thread)
    fragments.row_event_html(thread_id, v, thread)
    live.send_to_groups(groups, {"type": "thread.row", "thread": thread_id, "version": v})


def thread_status_changed(thread_id: int) -> None:
    thread = fragments.load_thread(thread_id)
    if thread is None:
        return
    v = version(thread)
    fragments.status_event_html(thread_id, v, thread)
    _send(thread_group(thread_id), {"type": "thread.status", "thread": thread_id, "version": v})


def revoke_sockets(user_id: int) -> None:
    """Close every open discussion socket of a user at once, whatever their access.

    Where access changes, cohort.live.access_changed() is the finer tool: the sockets re-check and
    close only if no longer allowed (a membership removed closes them through it).
    """
    live.send_to_user(user_id, {"type": "access.revoked"})
