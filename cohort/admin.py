from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohort import authn, models


def admin_has_permission(request: HttpRequest) -> bool:
    """Staff, and signed in through the chokepoint: the product's log-in with its second factor."""
    user = request.user
    return bool(user.is_active and user.is_staff) and authn.verdict(user, request.session) is authn.Verdict.SIGNED_IN


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin has no log-in of its own (a password alone): the product's, with two-factor and lockout."""
    if request.user.is_authenticated:
        raise Http404(_("This account has no access to the site administration."))
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse(settings.LOGIN_URL))


admin.site.has_permission = admin_has_permission  # type: ignore[method-assign]
admin.site.login = admin_login  # type: ignore[method-assign]


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "time_zone", "language", "is_active", "is_staff"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "time_zone", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class NationNoteInline(admin.TabularInline):
    model = models.NationNote
    extra = 0


@admin.register(models.Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "area"]
    list_filter = ["area__framework", "area"]
    inlines = [NationNoteInline]


class CriterionInline(admin.TabularInline):
    model = models.Criterion
    extra = 0


@admin.register(models.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["title", "position", "framework"]
    list_filter = ["framework"]
    inlines = [CriterionInline]


@admin.register(models.FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "is_current", "published_on"]


@admin.register(models.Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "nation"]
    prepopulated_fields = {"slug": ["short_name"]}
    search_fields = ["name", "short_name"]


class ParticipationInline(admin.TabularInline):
    model = models.Participation
    extra = 0


@admin.register(models.Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "funder", "starts_on", "ends_on", "framework"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ParticipationInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "cohort", "role", "institution"]
    list_filter = ["cohort", "role"]


@admin.register(models.Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "cohort", "role", "institution", "language", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]


admin.site.register(models.ActionItem)
admin.site.register(models.EffectivePractice)


@admin.register(models.PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    """What the operator checks when mail or reminders are late: which scheduled job is failing."""

    list_display = ["name", "failures_in_a_row", "last_error", "last_failed_at", "last_succeeded_at", "last_started_at"]
    readonly_fields = [f.name for f in models.PeriodicJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(models.OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """E-mails waiting or failed for good: subjects and errors only, never contents or addresses."""

    list_display = ["subject", "status", "attempts", "last_error", "next_attempt_at", "created_at"]
    list_filter = ["status"]
    fields = ("subject", "status", "recipient_count", "attempts", "last_error", "next_attempt_at", "created_at")
    readonly_fields = (
        "subject",
        "status",
        "recipient_count",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# The sub-domains' admin pages.
# allauth's own pages for its apps and tokens are not used: an identity provider's page keeps its app in
# step, and allauth's would show an OIDC client secret in full. Its admin module is imported here so that
# it has registered them, whichever app the admin's discovery reaches first.
import allauth.socialaccount.admin  # noqa: E402, F401
from allauth.socialaccount.models import SocialApp, SocialToken  # noqa: E402

import cohort.sso.admin  # noqa: E402, F401

for _allauth_model in (SocialApp, SocialToken):
    if admin.site.is_registered(_allauth_model):
        admin.site.unregister(_allauth_model)
