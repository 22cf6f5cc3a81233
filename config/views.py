from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohort import access
from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.errors import NotAllowed
from cohort.http import AuthedRequest
from cohort.middleware import page_of
from cohort.models import Membership, Participation, User
from cohort.web import attachment, error_text
from config.composition import dashboard_panels
from config.dashboard import facilitator_overview
from config.notice import notice_for
from config.personal_data import BY_MODEL
from config.privacy import erase_account, erase_in_cohort, export_user, holdings_summary
from config.retention import call_deletes_on, rules
from media_feedback.access import get_open_link
from media_feedback.language import use_student_language
from media_feedback.models import UPLOAD_LIFETIME, Clip, FeedbackCall


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("cohort", "institution")
        .order_by("-cohort__starts_on")
    )
    only = list(memberships[:2])
    if len(only) == 1:
        # One cohort: its dashboard is the only place to go from here.
        return redirect("dashboard", cohort=only[0].cohort.slug)
    return render(request, "home.html", {"memberships": memberships})


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: public, linked from every page's footer."""
    return render(request, "accessibility.html", {"contact": settings.ACCESSIBILITY_CONTACT})


@login_required
def dashboard(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    participations = list(
        Participation.objects.filter(cohort=membership.cohort).select_related("institution", "assessor")
    )
    people = Membership.objects.filter(cohort=membership.cohort).select_related("user", "institution")
    context = {
        "overview": facilitator_overview(membership, participations) if membership.is_facilitator else None,
        "membership": membership,
        "cohort": membership.cohort,
        "participations": participations,
        "staff": [m for m in people if m.institution_id is None],
        "group_sizes": _group_sizes(people),
        "areas": membership.cohort.framework.areas.all(),
        "panels": dashboard_panels(membership),
    }
    return render(request, "dashboard.html", context)


def _group_sizes(people: object) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for m in people:  # type: ignore[attr-defined]
        if m.institution_id:
            sizes[m.institution_id] = sizes.get(m.institution_id, 0) + 1
    return sizes


@login_required
def privacy(request: AuthedRequest, cohort: str) -> HttpResponse:
    """Subject access and erasure requests, for the cohort's facilitators: what the person holds in
    this cohort only."""
    membership = access.get_facilitator_membership(request.user, cohort)
    email = request.GET.get("email", "").strip()
    person = None
    if email:
        person = User.objects.filter(email__iexact=email, memberships__cohort=membership.cohort).first()
    context = {"membership": membership, "cohort": membership.cohort, "email": email, "person": person}
    if person is not None:
        context["holdings"] = holdings_summary(person, membership.cohort)
    return render(request, "privacy.html", context)


def _person_in_cohort(membership: Membership, user_id: int) -> User:
    return get_object_or_404(User, pk=user_id, memberships__cohort=membership.cohort)


@login_required
def privacy_export(request: AuthedRequest, cohort: str, user_id: int) -> HttpResponse | FileResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    person = _person_in_cohort(membership, user_id)
    audit.record(
        AuditAction.EXPORTED, actor=request.user, cohort=membership.cohort, target_type="user", target_id=person.pk
    )
    return attachment(
        json.dumps(export_user(person, membership.cohort), cls=DjangoJSONEncoder, indent=2),
        filename=f"qm-cohort-{membership.cohort.slug}-data-{person.pk}.json",
        content_type="application/json",
    )


@login_required
@require_POST
def privacy_erase(request: AuthedRequest, cohort: str, user_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    person = _person_in_cohort(membership, user_id)
    try:
        erase_in_cohort(membership, person, confirm_email=request.POST.get("confirm_email", ""))
    except (NotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
        return redirect(f"{reverse('privacy', kwargs={'cohort': cohort})}?{urlencode({'email': person.email})}")
    messages.success(
        request,
        _("What the person held in %(cohort)s was erased. Their account stays.") % {"cohort": membership.cohort.name},
    )
    return redirect("privacy", cohort=cohort)


@login_required
def account_search(request: AuthedRequest) -> HttpResponse:
    """The site operator finds an account by its address, to erase it in every cohort."""
    if not request.user.is_superuser:
        raise Http404
    email = request.GET.get("email", "").strip()
    person = User.objects.filter(email__iexact=email).first() if email else None
    return render(request, "account_search.html", {"email": email, "person": person})


@login_required
def account_erasure(request: AuthedRequest, user_id: int) -> HttpResponse:
    """The site operator's erasure of an account in every cohort, confirmed by typing its address."""
    if not request.user.is_superuser:
        raise Http404
    person = get_object_or_404(User, pk=user_id)
    if request.method == "POST":
        try:
            erase_account(request.user, person, confirm_email=request.POST.get("confirm_email", ""))
        except (NotAllowed, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The account and everything it held in every cohort were erased."))
            return redirect("account_search")
    cohorts = Membership.objects.filter(user=person).select_related("cohort")
    return render(request, "account_erasure.html", {"person": person, "memberships": cohorts})


def privacy_notice(request: HttpRequest, token: str) -> HttpResponse:
    """The privacy notice for the call behind a student's link: public, as the link itself is."""
    link = get_open_link(token)
    use_student_language(request, link.call.language)  # as the student's other pages: the call's, unless chosen
    return render(request, "privacy_notice.html", {"link": link, "notice": notice_for(link.call)})


@login_required
def retention(request: AuthedRequest, cohort: str) -> HttpResponse:
    """What will be deleted when, for the cohort's facilitators, from the personal-data map's
    retention declarations (what the retention task deletes by): each call's clips with their
    deletion dates (soonest first; calls whose summary is not published yet have no date), the
    uploads that were never finished, and every rule for students' material."""
    membership = access.get_facilitator_membership(request.user, cohort)
    clips = BY_MODEL["media_feedback.Clip"]
    per_call = next((r for r in clips.scheduled if r.per_call), None)
    unfinished = next((r for r in clips.scheduled if dict(r.where).get("status") == Clip.Status.RECEIVING), None)
    calls = FeedbackCall.objects.filter(cohort=membership.cohort).prefetch_related(
        Prefetch("clips", Clip.objects.exclude(status=Clip.Status.RECEIVING).select_related("institution"))
    )
    dated = [(call, call_deletes_on(per_call, call) if per_call else None) for call in calls]
    far = timezone.now() + timedelta(days=365 * 100)
    abandoned = Clip.objects.none()
    if unfinished is not None:
        abandoned = (
            Clip.objects.filter(call__cohort=membership.cohort, **dict(unfinished.where))
            .select_related("call", "institution")
            .order_by("upload_expires_at")
        )
    context = {
        "membership": membership,
        "calls": sorted(dated, key=lambda pair: (pair[1] or far, pair[0].title)),
        "per_call": per_call is not None,
        "abandoned": abandoned,
        "unfinished": unfinished,
        "upload_lifetime_hours": int(UPLOAD_LIFETIME.total_seconds() // 3600),
        "rules": rules(),
    }
    return render(request, "retention.html", context)


@login_required
@require_POST
def still_typing(request: AuthedRequest) -> HttpResponse:
    """Sent by static/js/drafts.js at most every few minutes while someone types into a form, and when they
    press "Stay signed in": like any request of theirs, it moves a staff session's idle deadline
    (cohort.middleware.SignedInMiddleware). Nothing is sent with it, never what was typed."""
    return HttpResponse(status=204)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page whose security token no longer holds (its session ended or changed, the
    cookies were cleared): say so in the product's words, and lead back to the page, where what was
    typed comes back from the browser (static/js/drafts.js)."""
    user = getattr(request, "user", None)
    context = {"back": page_of(request), "signed_in": bool(user and user.is_authenticated)}
    return render(request, "csrf_failure.html", context, status=403)
