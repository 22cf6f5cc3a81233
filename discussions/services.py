"""Writes with side effects: posts, threads, moderation, read state, follows.

Every write takes the acting `Membership` and checks it first: a member who may not do the thing at
all gets `NotAllowed`, a member who may but sent something wrong gets `ValidationError`. (Scope is
the getters' part, see access.py: the objects passed in are ones the member may see.)

Each write happens in a transaction; the events that tell open pages about it are sent on commit
(`transaction.on_commit`), small, carrying ids and sequence numbers only. The database is the truth.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cohort import editing
from cohort.errors import NotAllowed
from cohort.i18n import language_of
from cohort.models import (
    Area,
    Cohort,
    EffectivePractice,
    Membership,
    NotificationKind,
    Role,
    User,
)
from cohort.notifications import notify, notify_ids, preference_of
from cohort.text import render_markdown
from discussions import events
from discussions.models import (
    MAX_DEPTH,
    MAX_POST_LENGTH,
    Post,
    ReadState,
    Report,
    Subscription,
    Theme,
    Thread,
)

log = logging.getLogger(__name__)

EXTRA_THEMES = ["Data and definitions", "Target setting", "Student voice"]
POSTING_ROLES = {Role.FACILITATOR, Role.ASSESSOR, Role.LEAD, Role.MEMBER}
MENTION = re.compile(r"@\*\*([^*\n]{1,120})\*\*")


def can_post(membership: Membership) -> bool:
    """Observers read; everyone else in the cohort may write."""
    return membership.role in POSTING_ROLES


def ensure_area_themes(cohort: Cohort) -> None:
    """One theme per framework area. Idempotent: safe to call on every visit."""
    existing = set(Theme.objects.filter(cohort=cohort, area__isnull=False).values_list("area_id", flat=True))
    areas = [a for a in Area.objects.filter(framework_id=cohort.framework_id) if a.pk not in existing]
    for area in areas:
        try:
            with transaction.atomic():
                Theme.objects.get_or_create(
                    cohort=cohort,
                    area=area,
                    defaults={"title": area.title, "description": area.summary, "position": area.position},
                )
        except IntegrityError:  # a concurrent visit created it, or a facilitator's theme has its title
            continue


def add_theme(membership: Membership, *, title: str, description: str = "") -> Theme:
    if not membership.is_facilitator:
        raise NotAllowed(_("Only facilitators can add themes."))
    title = title.strip()
    if Theme.objects.filter(cohort_id=membership.cohort_id, title__iexact=title).exists():
        raise ValidationError({"title": _("There is already a theme with this title.")})
    position = 100 + Theme.objects.filter(cohort_id=membership.cohort_id, area__isnull=True).count()
    return Theme.objects.create(
        cohort_id=membership.cohort_id,
        title=title,
        description=description.strip(),
        position=position,
        created_by=membership.user,
    )


def _clean_body(body: str) -> tuple[str, str]:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something before you post.")})
    if len(body) > MAX_POST_LENGTH:
        raise ValidationError(
            {"body": _("A post can be at most %(limit)s characters long.") % {"limit": f"{MAX_POST_LENGTH:,}"}}
        )
    html = render_body(body)
    if not html.strip():
        raise ValidationError({"body": _("Write something before you post.")})
    return body, html


def render_body(body: str) -> str:
    """A post's HTML from its Markdown: sanitised, mentions marked."""
    return _link_mentions(render_markdown(body))


def _link_mentions(html: str) -> str:
    # Markdown has already turned @**Name** into @<strong>Name</strong>; the name is escaped by then.
    return re.sub(r"@<strong>([^<]{1,120})</strong>", r'<strong class="mention">@\1</strong>', html)


def _next_seq(thread_id: int, *, reply_delta: int = 0, post: Post | None = None) -> Thread:
    """Lock the thread row, take its next sequence number. Caller is inside a transaction."""
    thread = Thread.objects.select_for_update().select_related("theme").get(pk=thread_id)
    _take_seq(thread, reply_delta=reply_delta, post=post)
    return thread


def _take_seq(thread: Thread, *, reply_delta: int = 0, post: Post | None = None) -> None:
    """Give a thread whose row the caller has locked its next sequence number, and save it."""
    thread.last_seq += 1
    thread.reply_count = max(0, thread.reply_count + reply_delta)
    thread.changed_at = timezone.now()
    fields = ["last_seq", "reply_count", "changed_at"]
    if post is not None:
        thread.last_post_id = post.pk or 0
        thread.last_activity_at = timezone.now()
        thread.last_author_id = post.author_id
        fields += ["last_post_id", "last_activity_at", "last_author"]
    thread.save(update_fields=fields)


def _bump_theme(theme_id: int, thread: Thread, *, current: bool = False) -> None:
    """A thread's row on its theme page changed: tell the theme page (after commit).

    current: the thread instance holds the row as saved, with its theme (and cohort), institution and
    last author loaded, so the row is rendered from it rather than read back from the database.
    """
    transaction.on_commit(
        lambda: events.thread_row_changed(
            theme_id, thread.pk, thread.institution_id, thread=thread if current else None
        )
    )


@dataclass
class PostResult:
    post: Post
    created: bool


def _author_fields(membership: Membership) -> dict[str, object]:
    return {
        "author": membership.user,
        "author_name": str(membership.user)[:120],
        "institution_id": membership.institution_id,
    }


def start_thread(
    membership: Membership, theme: Theme, *, title: str, body: str, key: uuid.UUID, private: bool = False
) -> PostResult:
    """A new thread with its first post. The same key twice returns the first thread's post."""
    existing = Post.objects.filter(author=membership.user, idempotency_key=key).select_related("thread").first()
    if existing is not None:
        same = existing.thread.title == (title or "").strip() and existing.body == (body or "").strip()
        if same or existing.thread.theme_id != theme.pk:
            return PostResult(existing, False)
        # The form sent again with another title or text (Back after starting a thread): a new thread,
        # under a key made from both, so that sending this very form again still finds it.
        key = resent_key(key, f"{(title or '').strip()}\n{(body or '').strip()}")
        existing = Post.objects.filter(author=membership.user, idempotency_key=key).select_related("thread").first()
        if existing is not None:
            return PostResult(existing, False)
    if not can_post(membership):
        raise NotAllowed(_("Observers can read discussions but not start threads."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the thread a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("A title can be at most 200 characters long.")})
    text, html = _clean_body(body)
    if private and not membership.institution_id:
        raise ValidationError({"private": _("Only members of an institution can start a private thread.")})
    try:
        with transaction.atomic():
            thread = Thread.objects.create(
                theme=theme,
                title=title,
                author=membership.user,
                institution_id=membership.institution_id if private else None,
            )
            post = Post.objects.create(
                thread=thread,
                body=text,
                body_html=html,
                seq=1,
                idempotency_key=key,
                search_text=f"{title}\n{text}",
                **_author_fields(membership),
            )
            Thread.objects.filter(pk=thread.pk).update(
                last_seq=1, last_post_id=post.pk, last_author=membership.user, last_activity_at=timezone.now()
            )
            thread.refresh_from_db()
            _follow(membership.user, thread)
            _read_up_to(membership.user, thread, post.pk)
            _bump_theme(theme.pk, thread)
            _notify_after_events(membership, post)
    except IntegrityError:
        existing = Post.objects.filter(author=membership.user, idempotency_key=key).first()
        if existing is None:
            raise
        return PostResult(existing, False)
    log.info("thread %s started in theme %s", thread.pk, theme.pk)
    return PostResult(post, True)


def add_post(
    membership: Membership, thread: Thread, *, body: str, key: uuid.UUID, parent_id: int | None = None
) -> PostResult:
    """A reply in a thread. The same idempotency key twice saves one post and returns it both times.

    The key is not looked up first: the second insert of a key fails on its unique constraint, which
    rolls the attempt back and returns the first post (a query saved on every post, spent only on a
    repeat).
    """
    if not can_post(membership):
        raise NotAllowed(_("Observers can read discussions but not post."))
    text, html = _clean_body(body)
    parent = None
    if parent_id is not None:
        parent = Post.objects.filter(pk=parent_id, thread=thread).first()
        if parent is None:
            raise ValidationError({"parent": _("You can only reply to a post in this thread.")})
        if parent.is_gone:
            raise ValidationError({"parent": _("That post was removed; reply to the thread instead.")})
    try:
        with transaction.atomic():
            locked = Thread.objects.select_for_update().get(pk=thread.pk)
            if locked.locked:
                raise ValidationError(_("This thread is locked: no new posts."))
            if parent is None:
                depth, container_id = 0, None
            elif parent.depth < MAX_DEPTH:
                depth, container_id = parent.depth + 1, parent.pk
            else:
                depth, container_id = parent.depth, parent.container_id
            post = Post.objects.create(
                thread=thread,
                parent=parent,
                container_id=container_id,
                depth=depth,
                body=text,
                body_html=html,
                seq=locked.last_seq + 1,
                idempotency_key=key,
                search_text=f"{thread.title}\n{text}",
                **_author_fields(membership),
            )
            _take_seq(locked, reply_delta=1, post=post)
            if parent is not None and not parent.has_replies:
                Post.objects.filter(pk=parent.pk).update(has_replies=True)
            _follow(membership.user, thread)
            _read_up_to(membership.user, thread, post.pk)
            # The events render from these instances as saved, with what their templates show loaded
            # (the caller's thread has its theme, cohort and institution): no query to read them back.
            post.institution = membership.institution
            locked.theme, locked.institution, locked.last_author = thread.theme, thread.institution, membership.user
            transaction.on_commit(
                lambda: events.post_changed(
                    thread.pk, post.pk, post.seq, post.idempotency_key.hex, created=True, post=post
                )
            )
            _bump_theme(locked.theme_id, locked, current=True)
            _notify_after_events(membership, post)
    except IntegrityError:
        existing = Post.objects.filter(author=membership.user, idempotency_key=key).first()
        if existing is None:
            raise
        if existing.thread_id != thread.pk:
            raise ValidationError(
                _("This form was already used in another thread. Reload the page and try again.")
            ) from None
        if existing.body != text:
            # The same form sent again with other words (Back after posting, then a new text): a new post,
            # never a silent drop. Its key comes from the first key and the text, so sending this very text
            # again (a double click, a retry) still finds the one post.
            return add_post(membership, thread, body=body, key=resent_key(key, text), parent_id=parent_id)
        return PostResult(existing, False)
    return PostResult(post, True)


def resent_key(key: uuid.UUID, text: str) -> uuid.UUID:
    """The idempotency key of a post sent with a form key that already saved a different text."""
    return uuid.uuid5(key, text)


def _follow(user: User, thread: Thread) -> None:
    """You follow what you start or reply to, unless you chose otherwise (a mute stays a mute)."""
    Subscription.objects.bulk_create(
        [Subscription(user=user, thread=thread, state=Subscription.State.FOLLOW)], ignore_conflicts=True
    )


def _read_up_to(user: User, thread: Thread, post_id: int) -> None:
    """The author has read the thread up to their own new post (the newest): one upsert."""
    ReadState.objects.bulk_create(
        [ReadState(user=user, thread=thread, last_read_post_id=post_id)],
        update_conflicts=True,
        unique_fields=["user", "thread"],
        update_fields=["last_read_post_id", "read_at"],
    )


def _may_change(membership: Membership, post: Post) -> bool:
    return membership.is_facilitator or (post.author_id is not None and post.author_id == membership.user_id)


def _restamp(post: Post, fields: list[str], *, reply_delta: int = 0) -> None:
    """Save a change to a post under the thread's next sequence number and broadcast it on commit."""
    thread = _next_seq(post.thread_id, reply_delta=reply_delta)
    post.seq = thread.last_seq
    post.save(update_fields=[*fields, "seq"])
    transaction.on_commit(lambda: events.post_changed(thread.pk, post.pk, post.seq, post.idempotency_key.hex))
    if reply_delta:
        _bump_theme(thread.theme_id, thread)


def edit_post(membership: Membership, post: Post, *, body: str, based_on: str | None = None) -> Post:
    """Change a post's text; refused (editing.EditConflict) when it was edited (by its author or a
    facilitator, in another tab too) since the version `based_on` that the form showed."""
    if not _may_change(membership, post):
        raise NotAllowed(_("You can only edit your own posts."))
    if post.is_gone:
        raise ValidationError(_("This post was removed and cannot be edited."))
    text, html = _clean_body(body)
    if text == post.body:
        return post
    with transaction.atomic():
        stored = editing.lock(Post, post.pk)
        editing.refuse_stale(stored, based_on, ["body"], by=False, at=stored.edited_at)
        post.body, post.body_html, post.edited_at = text, html, timezone.now()
        post.search_text = f"{post.thread.title}\n{text}"
        _restamp(post, ["body", "body_html", "edited_at", "search_text"])
    return post


def delete_post(membership: Membership, post: Post) -> Post:
    """The text goes; a post with replies leaves a placeholder so the replies keep their place."""
    if not _may_change(membership, post):
        raise NotAllowed(_("You can only delete your own posts."))
    if post.deleted_at is not None:
        return post
    with transaction.atomic():
        was_counted = post.hidden_at is None and post.parent_id is not None
        post.deleted_at = timezone.now()
        post.body, post.body_html, post.search_text = "", "", ""
        _restamp(post, ["deleted_at", "body", "body_html", "search_text"], reply_delta=-1 if was_counted else 0)
    return post


def hide_post(membership: Membership, post: Post) -> Post:
    """Moderation: the post vanishes for everyone (live); its open reports are closed."""
    if not membership.is_facilitator:
        raise NotAllowed(_("Only facilitators can hide posts."))
    with transaction.atomic():
        if post.hidden_at is None:
            was_counted = post.deleted_at is None and post.parent_id is not None
            post.hidden_at, post.hidden_by = timezone.now(), membership.user
            _restamp(post, ["hidden_at", "hidden_by"], reply_delta=-1 if was_counted else 0)
        Report.objects.filter(post=post, outcome=Report.Outcome.OPEN).update(
            outcome=Report.Outcome.HIDDEN, resolved_at=timezone.now(), resolved_by=membership.user
        )
    return post


def set_thread_flags(
    membership: Membership, thread: Thread, *, pinned: bool | None = None, locked: bool | None = None
) -> Thread:
    if not membership.is_facilitator:
        raise NotAllowed(_("Only facilitators can pin or lock threads."))
    thread.changed_at = timezone.now()
    fields = ["changed_at"]
    if pinned is not None:
        thread.pinned = pinned
        fields.append("pinned")
    if locked is not None:
        thread.locked = locked
        fields.append("locked")
    with transaction.atomic():
        thread.save(update_fields=fields)
        transaction.on_commit(lambda: events.thread_status_changed(thread.pk))
        _bump_theme(thread.theme_id, thread)
    return thread


def report_post(membership: Membership, post: Post, *, reason: str) -> Report:
    """Anyone who may read a post may report it: the facilitators hear of it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say briefly what is wrong with this post.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Keep the reason under 1,000 characters.")})
    if post.is_gone:
        raise ValidationError(_("This post has already been removed."))
    with transaction.atomic():
        report, created = Report.objects.get_or_create(post=post, reporter=membership.user, defaults={"reason": reason})
        if created:
            url = reverse("discussions:reports", kwargs={"cohort": membership.cohort.slug})
            for language, users in _by_language(User.objects.facilitators_of(membership.cohort_id)).items():
                with translation.override(language):
                    notify(
                        users,
                        kind=NotificationKind.MODERATION,
                        title=_("A post in “%(title)s” was reported") % {"title": post.thread.title},
                        url=url,
                        cohort=membership.cohort,
                        exclude=membership.user,
                    )
    return report


def dismiss_report(membership: Membership, report: Report) -> Report:
    if not membership.is_facilitator:
        raise NotAllowed(_("Only facilitators can dismiss reports."))
    report.outcome, report.resolved_at, report.resolved_by = Report.Outcome.DISMISSED, timezone.now(), membership.user
    report.save(update_fields=["outcome", "resolved_at", "resolved_by"])
    return report


def mark_read(membership: Membership, thread: Thread) -> None:
    """The member has read the thread to its last post. Read state moves forward only."""
    target = thread.last_post_id
    state, created = ReadState.objects.get_or_create(
        user=membership.user, thread=thread, defaults={"last_read_post_id": target}
    )
    if not created and state.last_read_post_id < target:
        ReadState.objects.filter(pk=state.pk, last_read_post_id__lt=target).update(
            last_read_post_id=target, read_at=timezone.now()
        )


def set_subscription(membership: Membership, thread: Thread, state: str | None) -> None:
    """Follow or mute a thread (any reader may), or None: back to the default."""
    if state is None:
        Subscription.objects.filter(user=membership.user, thread=thread).delete()
        return
    if state not in Subscription.State.values:
        raise ValidationError(_("Choose follow or mute."))
    Subscription.objects.update_or_create(user=membership.user, thread=thread, defaults={"state": state})


def mark_effective_practice(membership: Membership, post: Post, *, area: Area, title: str) -> EffectivePractice:
    if not membership.is_facilitator:
        raise NotAllowed(_("Only facilitators can mark effective practice."))
    if post.is_gone:
        raise ValidationError(_("This post was removed."))
    if area.framework_id != membership.cohort.framework_id:
        raise ValidationError({"area": _("Choose an area of this cohort's framework.")})
    title = (title or "").strip() or post.thread.title
    with transaction.atomic():
        if post.practice_id:
            practice = post.practice
            assert practice is not None
            practice.area, practice.title = area, title[:200]
            practice.save(update_fields=["area", "title"])
            return practice
        practice = EffectivePractice.objects.create(
            cohort_id=membership.cohort_id,
            institution_id=post.institution_id,
            area=area,
            title=title[:200],
            description=post.body,
            source=EffectivePractice.Source.DISCUSSION,
            source_url=f"{post.thread.get_absolute_url()}#post-{post.pk}",
            created_by=membership.user,
            author=post.author,  # the words are the post's writer's
        )
        post.practice = practice
        _restamp(post, ["practice"])
    return practice


# Notifications


def _notify_after_events(membership: Membership, post: Post) -> None:
    """Tell the mentioned and the followers about a new post once it has committed and its events
    have gone out (on commit, callbacks run in the order they were registered).

    Readers of the thread see the post before its notifications are written, and a failure here
    (logged) leaves the post as it is: the post is the truth, a notification only points to it.
    """

    def notify_all() -> None:
        # Each notify writes its rows in one statement: no transaction around the two is needed.
        mentioned = _notify_mentions(membership, post)
        _notify_followers(membership, post, skip=mentioned)

    transaction.on_commit(notify_all, robust=True)


def _notify_mentions(membership: Membership, post: Post) -> set[int]:
    names = {n.strip().casefold() for n in MENTION.findall(post.body)}
    if not names:
        return set()
    users = [m.user for m in post.thread.readers().select_related("user") if str(m.user).casefold() in names]
    for language, group in _by_language(users).items():
        with translation.override(language):
            notify(
                group,
                kind=NotificationKind.MENTION,
                title=_("%(name)s mentioned you in “%(title)s”")
                % {"name": post.author_name, "title": post.thread.title},
                url=f"{post.thread.get_absolute_url()}#post-{post.pk}",
                cohort=membership.cohort,
                exclude=membership.user,
            )
    return {u.pk for u in users}


def _notify_followers(membership: Membership, post: Post, *, skip: set[int]) -> None:
    followers = Subscription.objects.filter(thread=post.thread, state=Subscription.State.FOLLOW).values("user_id")
    readers = post.thread.readers().filter(user_id__in=followers).exclude(user_id__in={*skip, membership.user_id})
    rows = readers.annotate(delivery=preference_of("user_id", NotificationKind.DISCUSSION)).values_list(
        "user_id", "delivery", "user__language"
    )
    # Each follower reads the notification in their own language: one batch per language.
    per_language: dict[str, dict[int, str | None]] = {}
    for user_id, delivery, language in rows:
        per_language.setdefault(language_of(language or None), {})[user_id] = delivery
    for language, chosen in per_language.items():
        with translation.override(language):
            notify_ids(
                chosen,
                deliveries=chosen,
                kind=NotificationKind.DISCUSSION,
                title=_("%(name)s replied in “%(title)s”") % {"name": post.author_name, "title": post.thread.title},
                url=f"{post.thread.get_absolute_url()}#post-{post.pk}",
                cohort=membership.cohort,
            )


def _by_language(users: Iterable[User]) -> dict[str, list[User]]:
    """People grouped by the language they read (cohort.i18n.language_of), to write to each in theirs."""
    groups: dict[str, list[User]] = {}
    for user in users:
        groups.setdefault(language_of(user), []).append(user)
    return groups
