from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cohort import access, adapters, ratelimit, services
from cohort.errors import NotAllowed
from cohort.forms import AcceptInvitationForm, InviteForm, PreferencesForm, ProfileForm, RoleForm
from cohort.http import AuthedRequest
from cohort.models import Criterion, FormerMembership, Invitation, Membership, Notification, Role, User
from cohort.notifications import mark_read, set_preferences
from cohort.web import Confirmation, add_service_errors, confirm_page, error_text, is_confirmed, post_action


def _people_context(membership: Membership, invite_form: InviteForm | None = None) -> dict[str, object]:
    cohort = membership.cohort
    people = Membership.objects.filter(cohort=cohort).select_related("user", "institution")
    invitations = Invitation.objects.filter(cohort=cohort, accepted_at__isnull=True, revoked_at__isnull=True)
    former = FormerMembership.objects.filter(cohort=cohort, user__is_active=True)
    if not membership.is_facilitator:
        people = people.filter(institution=membership.institution)
        invitations = invitations.filter(institution=membership.institution)
        former = former.filter(institution=membership.institution, role=Role.MEMBER)
    return {
        "membership": membership,
        "cohort": cohort,
        "people": people.order_by("institution__name", "role", "user__display_name"),
        "invitations": invitations.select_related("institution", "invited_by"),
        "former": former.select_related("user", "institution"),
        "invite_form": invite_form or InviteForm(membership=membership),
        "role_choices": Role.choices,
        "institutions": cohort.institutions.all(),
    }


@login_required
def people(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, Role.FACILITATOR, Role.LEAD)
    return render(request, "cohort/people.html", _people_context(membership))


@login_required
@require_POST
def invite(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, Role.FACILITATOR, Role.LEAD)
    form = InviteForm(request.POST, membership=membership)
    if form.is_valid():
        try:
            invitation, _token = services.invite(
                membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                institution=form.cleaned_data.get("institution"),
                language=form.cleaned_data.get("language") or None,
            )
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("cohort:people", cohort=cohort)
    return render(request, "cohort/people.html", _people_context(membership, form), status=400)


@login_required
@require_POST
def change_role(request: AuthedRequest, cohort: str, membership_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    target = access.get_member_of_cohort(membership, membership_id)
    form = RoleForm(request.POST, cohort=membership.cohort)

    def change() -> str:
        if not form.is_valid():
            raise ValidationError(" ".join(str(e) for errs in form.errors.values() for e in errs))
        services.change_role(
            membership, target, role=form.cleaned_data["role"], institution=form.cleaned_data["institution"]
        )
        return _("%(person)s is now %(role)s.") % {"person": target.user, "role": target.get_role_display()}

    return post_action(request, change, to="cohort:people", cohort=cohort)


@login_required
@require_http_methods(["GET", "POST"])
def remove_member(request: AuthedRequest, cohort: str, membership_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, Role.FACILITATOR, Role.LEAD)
    target = access.get_member_of_cohort(membership, membership_id)
    if not is_confirmed(request):
        names = {"person": target.user, "cohort": membership.cohort.name, "role": target.get_role_display()}
        if target.institution:
            loses = _(
                "%(person)s (%(role)s at %(institution)s) loses access to the cohort at once; "
                "any page they have open closes."
            ) % {**names, "institution": target.institution.short_name}
        else:
            loses = (
                _("%(person)s (%(role)s) loses access to the cohort at once; any page they have open closes.") % names
            )
        confirmation = Confirmation(
            title=_("Remove %(person)s from %(cohort)s?") % names,
            consequences=[
                loses,
                _("They are not sent an e-mail or a notification."),
                _("What they wrote (posts, evidence, comments) stays in the cohort under their name."),
            ],
            undo=_(
                "You can add %(person)s back later from the People page, with the same role; their work is still there."
            )
            % names,
            button=_("Remove %(person)s") % names,
            back_url=reverse("cohort:people", kwargs={"cohort": cohort}),
        )
        return confirm_page(request, confirmation, {"membership": membership})

    def remove() -> str:
        services.remove_member(membership, target)
        return _("%(person)s was removed from %(cohort)s. You can add them back below.") % {
            "person": target.user,
            "cohort": membership.cohort.name,
        }

    return post_action(request, remove, to="cohort:people", cohort=cohort)


@login_required
@require_POST
def readd_member(request: AuthedRequest, cohort: str, former_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, Role.FACILITATOR, Role.LEAD)
    former = access.get_former_member(membership, former_id)

    def readd() -> str:
        back = services.readd_member(membership, former)
        return _("%(person)s is a member again, as %(role)s; they have been told.") % {
            "person": former.user,
            "role": back.get_role_display(),
        }

    return post_action(request, readd, to="cohort:people", cohort=cohort)


@login_required
@require_POST
def revoke_invitation(request: AuthedRequest, cohort: str, invitation_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, Role.FACILITATOR, Role.LEAD)
    invitation = access.get_invitation(membership, invitation_id)

    def revoke() -> str:
        services.revoke_invitation(membership, invitation)
        return _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}

    return post_action(request, revoke, to="cohort:people", cohort=cohort)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    if not ratelimit.allow(request, "invitation", limit=20, per=60):
        return ratelimit.rate_limited(request, _("opening invitations"))
    invitation = services.find_invitation(token)
    chosen = request.user.is_authenticated or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    if invitation is not None and not chosen:
        # The invitee has not chosen a language on this site yet: the page speaks as the e-mail did.
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = translation.get_language()
    if (
        invitation is not None
        and invitation.accepted_by_id is not None
        and request.user.is_authenticated
        and invitation.accepted_by_id == request.user.pk
    ):
        # Accepted by this person already (signing in through their institution accepts it): on to the cohort.
        return redirect("dashboard", cohort=invitation.cohort.slug)
    if invitation is None or not invitation.is_usable:
        return render(request, "cohort/invitation_invalid.html", {"invitation": invitation}, status=404)
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(request, "cohort/invitation_other_account.html", {"invitation": invitation})
        if request.method == "POST":
            try:
                services.accept_invitation(invitation, user)
            except ValidationError as error:
                messages.error(request, error_text(error))
                return redirect("home")
            messages.success(request, _("Welcome to %(cohort)s.") % {"cohort": invitation.cohort.name})
            return redirect("dashboard", cohort=invitation.cohort.slug)
        return render(request, "cohort/invitation_accept.html", {"invitation": invitation, "existing": True})
    # An institution that signs its people in itself (single sign-on only) takes over from here: no
    # password is set; accepting happens through its sign-in (settings.INVITATION_SIGN_IN, cohort.sso).
    if settings.INVITATION_SIGN_IN and (taken := import_string(settings.INVITATION_SIGN_IN)(request, invitation)):
        return taken
    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = f"{reverse('account_login')}?next={request.path}"
        return render(request, "cohort/invitation_accept.html", {"invitation": invitation, "login_url": login_url})
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = services.create_account_for_invitation(
                invitation,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(cohort)s.") % {"cohort": invitation.cohort.name})
            return redirect("dashboard", cohort=invitation.cohort.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "cohort/invitation_accept.html", {"invitation": invitation, "form": form}, status=status)


@login_required
def framework(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    areas = membership.cohort.framework.areas.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.prefetch_related("nation_notes"))
    )
    return render(
        request, "cohort/framework.html", {"membership": membership, "cohort": membership.cohort, "areas": areas}
    )


@login_required
def institution(request: AuthedRequest, cohort: str, institution: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    participation = access.get_participation(membership, institution)
    working_group = (
        Membership.objects.working_group(membership.cohort, participation.institution)
        .select_related("user")
        .order_by("role", "user__display_name")
    )
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "participation": participation,
        "working_group": working_group,
        "can_manage": membership.can_manage_institution(participation.institution_id),
        "can_see_private": membership.can_see_institution_private(participation.institution_id),
    }
    return render(request, "cohort/institution.html", context)


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user).select_related("cohort")[:100]
    return render(request, "cohort/notifications.html", {"notifications": items})


@login_required
@require_POST
def mark_notifications_read(request: AuthedRequest) -> HttpResponse:
    mark_read(request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("cohort:notifications")


@login_required
def open_notification(request: AuthedRequest, notification_id: int) -> HttpResponse:
    notification = access.get_notification(request.user, notification_id)
    mark_read(request.user, notification.pk)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect("cohort:notifications")


@login_required
def notification_preferences(request: AuthedRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        set_preferences(request.user, form.cleaned_data)
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("cohort:notification_preferences")
    return render(request, "cohort/preferences.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.language:  # the page that confirms it is in the language just chosen, as are the next ones
            translation.activate(user.language)
        messages.success(request, _("Your profile is saved."))
        response = redirect("cohort:profile")
        if user.language:  # as the toggle does: pages before log-in follow it on this browser too
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax" in settings
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response
    return render(request, "cohort/profile.html", {"form": form}, status=400 if form.errors else 200)


def unlock_account(request: HttpRequest, token: str) -> HttpResponse:
    """The link e-mailed to an account's owner when log-in to it was paused: a button (a link checker
    that opens the e-mail unlocks nothing), then the account's lock cleared for this browser."""
    if not ratelimit.allow(request, "unlock", limit=20, per=60):
        return ratelimit.rate_limited(request, _("unlocking accounts"))
    user = adapters.read_unlock_token(token)
    if user is None:
        return render(request, "cohort/unlock_account.html", {"valid": False}, status=404)
    if request.method != "POST":
        return render(request, "cohort/unlock_account.html", {"valid": True})
    messages.success(request, _("Log-in to your account is open again on this browser: log in below."))
    response = redirect("account_login")
    adapters.unlock(request, response, user)
    return response
