from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohort import access as cohort_access, ratelimit
from cohort.errors import NotAllowed
from cohort.http import AuthedRequest
from cohort.integers import query_int
from cohort.models import Membership
from cohort.web import add_service_errors, post_action
from discussions import access, search, services
from discussions.forms import (
    EditPostForm,
    ModerateForm,
    PostForm,
    PracticeForm,
    ReportForm,
    SubscriptionForm,
    ThemeForm,
    ThreadForm,
)
from discussions.models import Post, Report, Subscription, Theme, Thread

# Enough for a lively discussion; stops a script (or a stuck key) flooding a thread.
POSTS_PER_MINUTE = 20
MODERATION_FLAGS = {
    "pin": {"pinned": True},
    "unpin": {"pinned": False},
    "lock": {"locked": True},
    "unlock": {"locked": False},
}


def _is_htmx(request: AuthedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def index(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    services.ensure_area_themes(membership.cohort)
    return render(request, "discussions/index.html", _index_context(membership, ThemeForm()))


def _index_context(membership: Membership, theme_form: ThemeForm) -> dict[str, object]:
    visible = Thread.objects.visible_to(membership)
    unread = visible.unread_by(membership.user).count_per_theme()
    counts = visible.count_per_theme()
    themes = list(Theme.objects.filter(cohort=membership.cohort).select_related("area"))
    for theme in themes:
        theme.unread = unread.get(theme.pk, 0)  # type: ignore[attr-defined]
        theme.thread_count = counts.get(theme.pk, 0)  # type: ignore[attr-defined]
    return {"membership": membership, "cohort": membership.cohort, "themes": themes, "theme_form": theme_form}


@login_required
@require_POST
def add_theme(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    form = ThemeForm(request.POST)
    if form.is_valid():
        try:
            theme = services.add_theme(membership, **form.cleaned_data)
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Theme “%(title)s” added.") % {"title": theme.title})
            return redirect(theme)
    return render(request, "discussions/index.html", _index_context(membership, form), status=400)


def _theme_context(membership: Membership, theme: Theme) -> dict[str, object]:
    threads = list(
        Thread.objects.visible_to(membership)
        .with_read_state(membership.user)
        .filter(theme=theme)
        .select_related("last_author", "institution")
    )
    version = max((t.changed_at for t in threads), default=None)
    return {
        "membership": membership,
        "cohort": membership.cohort,
        "cohort_slug": membership.cohort.slug,
        "theme": theme,
        "pinned": [t for t in threads if t.pinned],
        "recent": [t for t in threads if not t.pinned],
        "since": int(version.timestamp() * 1_000_000) if version else 0,
        "can_post": services.can_post(membership),
    }


@login_required
def theme(request: AuthedRequest, cohort: str, theme_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    theme = access.get_theme(membership, theme_id)
    return render(request, "discussions/theme.html", _theme_context(membership, theme))


@login_required
def new_thread(request: AuthedRequest, cohort: str, theme_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    cohort_access.require_role(membership, *services.POSTING_ROLES)
    theme = access.get_theme(membership, theme_id)
    if request.method == "POST" and not ratelimit.allow(
        request, "post", limit=POSTS_PER_MINUTE, per=60, key=str(request.user.pk)
    ):
        return ratelimit.rate_limited(request, _("posting"))
    form = ThreadForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.start_thread(
                membership,
                theme,
                title=data["title"],
                body=data["body"],
                key=data["key"],
                private=data.get("private", False),
            )
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            return redirect(result.post.thread)
    status = 400 if request.method == "POST" else 200
    context = {"membership": membership, "cohort": membership.cohort, "theme": theme, "form": form}
    return render(request, "discussions/new_thread.html", context, status=status)


def _thread_context(request: AuthedRequest, membership: Membership, thread: Thread) -> dict[str, object]:
    posts = list(thread.posts.select_related("institution", "parent").order_by("id"))
    this_thread = Thread.objects.filter(pk=thread.pk).with_read_state(request.user)
    read: int = this_thread.values_list("last_read", flat=True)[0]  # type: ignore[misc]
    by_id: dict[int, Post] = {}
    roots: list[Post] = []
    first_new = None
    for post in posts:
        post.children = []  # type: ignore[attr-defined]
        post.is_new = post.pk > read and post.author_id != request.user.pk and not post.is_gone  # type: ignore[attr-defined]
        if post.is_new and first_new is None:  # type: ignore[attr-defined]
            first_new = post.pk
        by_id[post.pk] = post
        parent = by_id.get(post.container_id) if post.container_id else None
        (parent.children if parent else roots).append(post)  # type: ignore[attr-defined]
    reply_to = query_int(request.GET, "reply_to")
    form = PostForm(initial={"parent": reply_to} if reply_to in by_id else {})
    subscription = Subscription.objects.filter(user=request.user, thread=thread).values_list("state", flat=True)
    return {
        "membership": membership,
        "cohort": membership.cohort,
        "cohort_slug": membership.cohort.slug,
        "thread": thread,
        "roots": roots,
        "post_count": len(posts),
        "seq": max((p.seq for p in posts), default=0),
        "form": form,
        "first_new": first_new,
        "can_post": services.can_post(membership),
        "reader": not services.can_post(membership),  # no Reply links for those who only read
        "subscription": subscription.first() or "",
        "reply_to_post": by_id.get(reply_to) if reply_to is not None else None,
    }


@login_required
def thread(request: AuthedRequest, cohort: str, thread_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    thread = access.get_thread(membership, thread_id)
    context = _thread_context(request, membership, thread)
    services.mark_read(membership, thread)
    return render(request, "discussions/thread.html", context)


@login_required
@require_POST
def add_post(request: AuthedRequest, cohort: str, thread_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    cohort_access.require_role(membership, *services.POSTING_ROLES)
    thread = access.get_thread(membership, thread_id)
    if not ratelimit.allow(request, "post", limit=POSTS_PER_MINUTE, per=60, key=str(request.user.pk)):
        return ratelimit.rate_limited(request, _("posting"))
    form = PostForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.add_post(membership, thread, body=data["body"], key=data["key"], parent_id=data["parent"])
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            if _is_htmx(request):
                # A fresh form (new key); the post itself arrives over the socket, and here too for a
                # page whose socket is down (the page skips a node it already has).
                context = {"form": PostForm(), "thread": thread, "cohort_slug": cohort, "post": result.post}
                context["can_post"] = True
                return render(request, "discussions/thread.html#compose_response", context)
            return redirect(f"{thread.get_absolute_url()}#post-{result.post.pk}")
    if _is_htmx(request):
        context = {"form": form, "thread": thread, "cohort_slug": cohort, "can_post": True}
        return render(request, "discussions/thread.html#compose", context, status=422)
    context = _thread_context(request, membership, thread)
    context["form"] = form
    return render(request, "discussions/thread.html", context, status=400)


@login_required
@require_POST
def mark_read(request: AuthedRequest, cohort: str, thread_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    thread = access.get_thread(membership, thread_id)
    services.mark_read(membership, thread)
    return HttpResponse(status=204)


@login_required
@require_POST
def subscription(request: AuthedRequest, cohort: str, thread_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    thread = access.get_thread(membership, thread_id)
    form = SubscriptionForm(request.POST)

    def subscribe() -> str:
        if not form.is_valid():
            raise ValidationError(_("Choose follow or mute."))
        state = form.cleaned_data["state"]
        services.set_subscription(membership, thread, None if state == "none" else state)
        return {"follow": _("You follow this thread."), "mute": _("Thread muted.")}.get(state, _("Done."))

    return post_action(request, subscribe, to=thread.get_absolute_url())


@login_required
@require_POST
def moderate_thread(request: AuthedRequest, cohort: str, thread_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    thread = access.get_thread(membership, thread_id)
    form = ModerateForm(request.POST)

    def moderate() -> str:
        if not form.is_valid():
            raise ValidationError(_("Choose pin, unpin, lock or unlock."))
        action = form.cleaned_data["action"]
        services.set_thread_flags(membership, thread, **MODERATION_FLAGS[action])
        done = {
            "pin": _("Thread pinned."),
            "unpin": _("Thread unpinned."),
            "lock": _("Thread locked."),
            "unlock": _("Thread unlocked."),
        }
        return done[action]

    return post_action(request, moderate, to=thread.get_absolute_url())


@login_required
def edit_post(request: AuthedRequest, cohort: str, post_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    post = access.get_own_post(membership, post_id)
    form = EditPostForm(request.POST or None, row=post)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(membership, post, body=form.cleaned_data["body"], based_on=form.based_on_version())
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            return redirect(f"{post.thread.get_absolute_url()}#post-{post.pk}")
    status = (409 if form.conflict else 400) if request.method == "POST" else 200
    context = {"membership": membership, "cohort": membership.cohort, "post": post, "form": form}
    return render(request, "discussions/edit_post.html", context, status=status)


@login_required
@require_POST
def delete_post(request: AuthedRequest, cohort: str, post_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    post = access.get_own_post(membership, post_id)
    services.delete_post(membership, post)
    if _is_htmx(request):  # the page hears of it over its socket
        return HttpResponse(status=204)
    messages.success(request, _("Post deleted."))
    return redirect(post.thread)


@login_required
def report_post(request: AuthedRequest, cohort: str, post_id: int) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    post = access.get_post(membership, post_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_post(membership, post, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: a facilitator will look at this post."))
            return redirect(post.thread)
    status = 400 if request.method == "POST" else 200
    context = {"membership": membership, "cohort": membership.cohort, "post": post, "form": form}
    return render(request, "discussions/report_post.html", context, status=status)


@login_required
@require_POST
def hide_post(request: AuthedRequest, cohort: str, post_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    post = access.get_post(membership, post_id)
    services.hide_post(membership, post)
    if _is_htmx(request):
        return HttpResponse(status=204)
    messages.success(request, _("The post is hidden."))
    return redirect(
        (request.POST.get("next") == "reports" and reverse("discussions:reports", args=[cohort])) or post.thread
    )


@login_required
def mark_practice(request: AuthedRequest, cohort: str, post_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    post = access.get_post(membership, post_id)
    form = PracticeForm(request.POST or None, membership=membership, initial={"title": post.thread.title})
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_effective_practice(
                membership, post, area=form.cleaned_data["area"], title=form.cleaned_data["title"]
            )
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added to the cohort's effective-practice library."))
            return redirect(f"{post.thread.get_absolute_url()}#post-{post.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"membership": membership, "cohort": membership.cohort, "post": post, "form": form}
    return render(request, "discussions/practice.html", context, status=status)


@login_required
def reports(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    open_reports = (
        Report.objects.open_in(membership.cohort).select_related("post__thread", "reporter").order_by("created_at")
    )
    context = {"membership": membership, "cohort": membership.cohort, "reports": open_reports}
    return render(request, "discussions/reports.html", context)


@login_required
@require_POST
def dismiss_report(request: AuthedRequest, cohort: str, report_id: int) -> HttpResponse:
    membership = cohort_access.get_facilitator_membership(request.user, cohort)
    report = access.get_report(membership, report_id)

    def dismiss() -> str:
        services.dismiss_report(membership, report)
        return _("Report dismissed.")

    return post_action(request, dismiss, to="discussions:reports", cohort=cohort)


@login_required
def search_view(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    query = request.GET.get("q", "").strip()[:200]
    results = search.search_posts(membership, query) if query else []
    context = {"membership": membership, "cohort": membership.cohort, "query": query, "results": results}
    return render(request, "discussions/search.html", context)


@login_required
def mention_suggestions(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = cohort_access.get_membership(request.user, cohort)
    query = request.GET.get("q", "").strip()[:60]
    thread_id = query_int(request.GET, "thread")
    if thread_id is not None:  # who may read the thread: a private one's mentions reach nobody else
        people = access.get_thread(membership, thread_id).readers()
    else:
        people = Membership.objects.filter(cohort=membership.cohort).active()
    people = people.select_related("user", "institution")
    if query:
        people = people.filter(user__display_name__icontains=query)
    names = [
        {"name": str(m.user), "detail": m.institution.short_name if m.institution else m.get_role_display()}
        for m in people.order_by("user__display_name")[:8]
    ]
    return JsonResponse({"results": names})
