"""Whom an institution's identity provider may vouch for. A provider proves only that someone controls an
address at a domain it serves, and a facilitator sets providers up, so: it signs in the accounts of its
own institution (or invited to it); accounts that run the site or hold a staff role only where the site
operator has marked it as trusted for staff; and a facilitator cannot give it a domain where other
people's accounts live."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cohort.models import STAFF_ROLES, Institution, Invitation, Membership, Role, User
from cohort.sso import services
from cohort.sso.models import IdentityProvider

# The roles whose accounts only a provider trusted for staff signs in.
SIGN_IN_STAFF_ROLES = {*STAFF_ROLES, Role.OBSERVER}


def is_staff_account(user: User) -> bool:
    return bool(
        user.is_staff
        or user.is_superuser
        or Membership.objects.filter(user=user, role__in=SIGN_IN_STAFF_ROLES).exists()
    )


def invitations_through(provider: IdentityProvider, email: str) -> list[Invitation]:
    """The usable invitations to this address that this provider may accept: to its own institution, and
    to a staff role only if the operator trusts the provider for staff."""
    return [
        invitation
        for invitation in services.usable_invitations(email)
        if (
            provider.signs_in_staff
            if invitation.role in SIGN_IN_STAFF_ROLES
            else invitation.institution_id == provider.institution_id
        )
    ]


def refusal(provider: IdentityProvider, user: User) -> str | None:
    """Why this provider may not sign this existing account in (a refusal page's reason), or None."""
    if is_staff_account(user):
        return None if provider.signs_in_staff else "staff"
    if Membership.objects.filter(user=user, institution_id=provider.institution_id).exists():
        return None
    if invitations_through(provider, user.email):
        return None
    return "not_tied"


def domain_has_outsiders(domain: str, institution: Institution) -> bool:
    """Whether an account (or a pending invitation) with an address at this domain belongs outside this
    institution: not its lead or member nor invited to it, or an account with a staff role or that runs
    the site."""
    at = "@" + domain.lower()
    users = User.objects.filter(Q(email__iendswith=at) | Q(emailaddress__email__iendswith=at)).distinct()
    if users.filter(Q(is_staff=True) | Q(is_superuser=True) | Q(memberships__role__in=SIGN_IN_STAFF_ROLES)).exists():
        return True
    pending = Invitation.objects.filter(
        email__iendswith=at, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    if pending.filter(
        Q(role__in=SIGN_IN_STAFF_ROLES) | ~Q(institution=institution) | Q(institution__isnull=True)
    ).exists():
        return True
    invited = {email.lower() for email in pending.filter(institution=institution).values_list("email", flat=True)}
    members = set(Membership.objects.filter(institution=institution, user__in=users).values_list("user_id", flat=True))
    return any(user.pk not in members and user.email.lower() not in invited for user in users)


def outsiders_message(domain: str, institution: Institution) -> str:
    return _("%(domain)s is used by people outside %(institution)s: only the site operator can connect it.") % {
        "domain": domain,
        "institution": institution.name,
    }
