"""Themes, threads and posts with nested replies; read state, follows, reports.

Every change to a post (creation, edit, deletion, hiding) takes the next sequence number of its
thread (`Thread.last_seq`, bumped under a row lock) and stores it on the post (`Post.seq`). So
`max(Post.seq) == Thread.last_seq`, commits happen in seq order, and "everything after seq n" is
`thread.posts.filter(seq__gt=n)`: that is how a reconnecting page catches up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohort.i18n import localised
from cohort.models import Area, Cohort, EffectivePractice, Institution, Membership, MembershipQuerySet, User

MAX_POST_LENGTH = 20_000
MAX_DEPTH = 4  # replies nest this deep; deeper ones sit at this depth with "in reply to"


class Theme(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="themes")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "area"], name="one_theme_per_area"),
            models.UniqueConstraint(fields=["cohort", "title"], name="unique_theme_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discussions:theme", kwargs={"cohort": self.cohort.slug, "theme_id": self.pk})

    @property
    def title_cy(self) -> str:
        """An area's theme is called after its area, so its Welsh title is the area's (see cohort.i18n)."""
        return self.area.title_cy if self.area_id and self.area else ""

    @property
    def description_cy(self) -> str:
        return self.area.summary_cy if self.area_id and self.area else ""

    def localised_title(self) -> str:
        return localised(self, "title")[0]


class ThreadQuerySet(models.QuerySet["Thread"]):
    def visible_to(self, membership: Membership) -> ThreadQuerySet:
        """Threads of the member's cohort they may read: shared ones, and their institution's private ones
        (facilitators see all)."""
        qs = self.filter(theme__cohort_id=membership.cohort_id)
        if membership.is_facilitator:
            return qs
        if membership.institution_id:
            return qs.filter(Q(institution__isnull=True) | Q(institution_id=membership.institution_id))
        return qs.filter(institution__isnull=True)

    def with_read_state(self, user: User) -> ThreadQuerySet:
        """Each thread with `last_read`: the id of the last post the user has read in it (0: none)."""
        last_read = ReadState.objects.filter(user=user, thread=OuterRef("pk")).values("last_read_post_id")[:1]
        return self.annotate(
            last_read=Coalesce(Subquery(last_read, output_field=IntegerField()), Value(0), output_field=IntegerField())
        )

    def unread_by(self, user: User) -> ThreadQuerySet:
        """Threads with a post the user has not read (their own posts do not count)."""
        return self.with_read_state(user).filter(last_post_id__gt=F("last_read")).exclude(last_author_id=user.pk)

    def count_per_theme(self) -> dict[int, int]:
        """{theme id: how many of these threads are in it}, for the themes that have any."""
        return dict(self.values("theme_id").annotate(n=Count("id")).values_list("theme_id", "n"))


class Thread(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Set: private to this institution's working group (and the facilitator).
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    # When the thread's row on its theme page last changed (posts, pin, lock): theme pages catch up from it.
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_seq = models.PositiveIntegerField(default=0)
    last_post_id = models.PositiveBigIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    last_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned", "-last_activity_at"]
        indexes = [models.Index(fields=["theme", "last_activity_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discussions:thread", kwargs={"cohort": self.theme.cohort.slug, "thread_id": self.pk})

    def readers(self) -> MembershipQuerySet:
        """The memberships that may read this thread, of active users: the whole cohort for a shared
        thread; the facilitators and the institution's working group for a private one (the
        converse of ThreadQuerySet.visible_to)."""
        cohort_id = self.theme.cohort_id
        if self.institution_id is None:
            members = Membership.objects.filter(cohort_id=cohort_id)
        else:
            members = Membership.objects.facilitators_of(cohort_id) | Membership.objects.working_group(
                cohort_id, self.institution_id
            )
        return members.active()


class PostQuerySet(models.QuerySet["Post"]):
    def readable(self) -> PostQuerySet:
        return self.filter(deleted_at__isnull=True, hidden_at__isnull=True)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies")
    # Where the post is shown: the parent, or for replies deeper than MAX_DEPTH the parent's container.
    container = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_name = models.CharField(max_length=120)
    institution = models.ForeignKey(Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.TextField()
    body_html = models.TextField()
    seq = models.PositiveIntegerField()
    idempotency_key = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    practice = models.ForeignKey(EffectivePractice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    has_replies = models.BooleanField(default=False)
    search_text = models.TextField(blank=True, help_text=_("Thread title and body, for search."))

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            # A double-clicked or retried submit carries the same key: the second insert fails.
            models.UniqueConstraint(fields=["author", "idempotency_key"], name="one_post_per_submit"),
            models.UniqueConstraint(fields=["thread", "seq"], name="unique_post_seq"),
        ]
        indexes = [models.Index(fields=["thread", "seq"])]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"

    @property
    def is_gone(self) -> bool:
        return self.deleted_at is not None or self.hidden_at is not None

    @property
    def in_reply_to(self) -> bool:
        """Shown flattened under its container rather than under its parent."""
        return self.parent_id is not None and self.parent_id != self.container_id


class ReadState(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_post_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="one_read_state")]


class Subscription(models.Model):
    class State(models.TextChoices):
        FOLLOW = "follow", _("Following")
        MUTE = "mute", _("Muted")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    state = models.CharField(max_length=10, choices=State.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="one_subscription")]


class ReportQuerySet(models.QuerySet["Report"]):
    def open_in(self, cohort: Cohort | int) -> ReportQuerySet:
        """Reports in the cohort that no facilitator has acted on yet."""
        return self.filter(post__thread__theme__cohort=cohort, outcome=Report.Outcome.OPEN)


class Report(models.Model):
    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=1000)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="one_report_per_person")]
