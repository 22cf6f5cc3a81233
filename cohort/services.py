"""Writes with side effects in the cohort app: invitations, memberships, action items.

A write by a member takes the acting Membership first and checks it: a refusal raises
cohort.errors.NotAllowed, bad input ValidationError, each with a sentence for the user.
"""

from __future__ import annotations

import logging
from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from cohort import i18n, live
from cohort.audit import services as audit
from cohort.audit.models import AuditAction
from cohort.errors import NotAllowed
from cohort.mail import send_later
from cohort.models import (
    INSTITUTION_ROLES,
    INVITATION_LIFETIME,
    ActionItem,
    Area,
    Cohort,
    FormerMembership,
    Institution,
    Invitation,
    Membership,
    NotificationKind,
    Role,
    SelfAssessment,
    User,
    hash_token,
)
from cohort.notifications import Sentence, notify

log = logging.getLogger(__name__)


def _check_role_and_institution(cohort: Cohort, role: str, institution: Institution | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles offered.")})
    if role in INSTITUTION_ROLES:
        if institution is None:
            raise ValidationError({"institution": _("An institution lead or member needs an institution.")})
        if not cohort.participations.filter(institution=institution).exists():
            raise ValidationError({"institution": _("That institution is not taking part in this cohort.")})
    elif institution is not None:
        raise ValidationError(
            {"institution": _("Facilitators, assessors and observers do not belong to an institution.")}
        )


def invite(
    actor: Membership,
    *,
    email: str,
    role: str,
    institution: Institution | None = None,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """Invite someone to a role in the actor's cohort. Returns the invitation and its one-off token.

    `language`: the one the e-mail is written in (and the new account's); by default the inviter's
    current language."""
    if not (actor.is_facilitator or actor.is_lead):
        raise NotAllowed(_("Only facilitators and institution leads invite people."))
    language = i18n.normalise(language or i18n.active())
    cohort = actor.cohort
    email = email.strip().lower()
    if role not in actor.grantable_roles():
        raise ValidationError({"role": _("You cannot invite people to that role.")})
    if actor.is_lead:
        institution = actor.institution
    _check_role_and_institution(cohort, role, institution)
    if Membership.objects.filter(cohort=cohort, user__email__iexact=email).exists():
        raise ValidationError({"email": _("That person is already a member of this cohort.")})
    token = Invitation.new_token()
    with transaction.atomic():
        # A new invitation replaces any open one for the same address.
        Invitation.objects.filter(
            cohort=cohort, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            cohort=cohort,
            email=email,
            role=role,
            institution=institution,
            invited_by=actor.user,
            token_hash=hash_token(token),
            expires_at=timezone.now() + INVITATION_LIFETIME,
            language=language,
        )
        transaction.on_commit(lambda: _send_invitation_email(invitation, token))
    audit.record(
        AuditAction.INVITED, actor=actor.user, cohort=cohort, target_type="invitation", target_id=invitation.pk
    )
    log.info("invitation %s created in cohort %s", invitation.pk, cohort.pk)
    return invitation, token


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("cohort:accept_invitation", kwargs={"token": token})


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    context = {"invitation": invitation, "url": invitation_url(token)}
    with i18n.in_language_of(invitation):
        subject = _("You are invited to %(cohort)s on QM Cohort") % {"cohort": invitation.cohort.name}
        body = render_to_string("cohort/email/invitation.txt", context)
    send_later(EmailMessage(subject, body, to=[invitation.email]))


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("cohort", "institution", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Attach the invitation's role to the user. The invitation can be used once. A person who has not
    chosen a language takes the invitation's (it is the one they were written to in)."""
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable:
            raise ValidationError(_("This invitation has already been used, withdrawn or has expired."))
        if Membership.objects.filter(cohort=locked.cohort, user=user).exists():
            raise ValidationError(_("You are already a member of this cohort."))
        try:
            membership = Membership.objects.create(
                cohort=locked.cohort, user=user, role=locked.role, institution=locked.institution
            )
        except IntegrityError:
            raise ValidationError(_("You are already a member of this cohort.")) from None
        FormerMembership.objects.filter(cohort=locked.cohort, user=user).delete()
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        if not user.language:
            user.language = locked.language
            user.save(update_fields=["language"])
        # The link arrived at this address, which proves the address.
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        if locked.invited_by is not None:
            notify(
                [locked.invited_by],
                kind=NotificationKind.INVITATION,
                title=Sentence(
                    gettext_lazy("%(person)s accepted your invitation to %(cohort)s"),
                    person=str(user),
                    cohort=locked.cohort.name,
                ),
                url=reverse("cohort:people", kwargs={"cohort": locked.cohort.slug}),
                cohort=locked.cohort,
            )
    return membership


def create_account_for_invitation(invitation: Invitation, *, display_name: str, password: str, time_zone: str) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            display_name=display_name,
            time_zone=time_zone,
            language=invitation.language,
        )
        accept_invitation(invitation, user)
    return user


def revoke_invitation(actor: Membership, invitation: Invitation) -> None:
    may_revoke = actor.is_facilitator or (actor.is_lead and invitation.institution_id == actor.institution_id)
    if invitation.cohort_id != actor.cohort_id or not may_revoke:
        raise NotAllowed(_("Only facilitators, and leads for their own institution, withdraw invitations."))
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def change_role(actor: Membership, target: Membership, *, role: str, institution: Institution | None) -> Membership:
    if not actor.is_facilitator:
        raise NotAllowed(_("Only facilitators change roles."))
    _check_role_and_institution(actor.cohort, role, institution if role in INSTITUTION_ROLES else None)
    if target.pk == actor.pk and role != Role.FACILITATOR:
        raise NotAllowed(_("You cannot take away your own facilitator role; ask another facilitator."))
    target.role = role
    target.institution = institution if role in INSTITUTION_ROLES else None
    target.save(update_fields=["role", "institution"])
    live.access_changed(target.user_id, cohort_id=target.cohort_id)  # e.g. no longer sees a private thread
    audit.record(
        AuditAction.ROLE_CHANGED, actor=actor.user, cohort=actor.cohort, target_type="membership", target_id=target.pk
    )
    notify(
        [target.user],
        kind=NotificationKind.INVITATION,
        title=Sentence(
            gettext_lazy("Your role in %(cohort)s is now %(role)s"),
            cohort=actor.cohort.name,
            role=Role(target.role).label,
        ),
        url=reverse("dashboard", kwargs={"cohort": actor.cohort.slug}),
        cohort=actor.cohort,
    )
    return target


def remove_member(actor: Membership, target: Membership) -> FormerMembership:
    """Take someone out of the cohort. Their work stays theirs; what their membership was is kept, so
    a facilitator (or their lead) can add them back as they were (`readd_member`)."""
    if target.pk == actor.pk:
        raise NotAllowed(_("You cannot remove yourself from the cohort."))
    if target.is_facilitator and not actor.is_facilitator:
        raise NotAllowed(_("Only a facilitator can remove a facilitator."))
    if not (actor.is_facilitator or actor.is_lead) or target.cohort_id != actor.cohort_id:
        raise NotAllowed(_("Only facilitators and institution leads remove people."))
    with transaction.atomic():
        former, _created = FormerMembership.objects.update_or_create(
            user_id=target.user_id,
            cohort_id=target.cohort_id,
            defaults={
                "role": target.role,
                "institution_id": target.institution_id,
                "member_since": target.created_at,
                "removed_at": timezone.now(),
                "removed_by": actor.user,
            },
        )
        audit.record(
            AuditAction.MEMBER_REMOVED,
            actor=actor.user,
            cohort=actor.cohort,
            target_type="user",
            target_id=target.user_id,
        )
        target.delete()
    live.access_changed(target.user_id, cohort_id=actor.cohort_id)  # their open live pages close at once
    log.info("membership %s removed from cohort %s", target.pk, actor.cohort_id)
    return former


def readd_member(actor: Membership, former: FormerMembership) -> Membership:
    """Give a removed person their membership back, with the role and institution they had."""
    if former.cohort_id != actor.cohort_id or not (
        actor.is_facilitator
        or (actor.is_lead and former.role == Role.MEMBER and former.institution_id == actor.institution_id)
    ):
        raise NotAllowed(_("Only facilitators, and leads for their own institution's members, add people back."))
    if not former.user.is_active:
        raise ValidationError(_("This account has been closed; it cannot be added back."))
    _check_role_and_institution(actor.cohort, former.role, former.institution)
    with transaction.atomic():
        if Membership.objects.filter(cohort_id=former.cohort_id, user_id=former.user_id).exists():
            former.delete()
            raise ValidationError(_("%(person)s is already a member of this cohort again.") % {"person": former.user})
        membership = Membership.objects.create(
            cohort_id=former.cohort_id, user_id=former.user_id, role=former.role, institution_id=former.institution_id
        )
        former.delete()
        audit.record(
            AuditAction.MEMBER_READDED,
            actor=actor.user,
            cohort=actor.cohort,
            target_type="user",
            target_id=former.user_id,
        )
        notify(
            [former.user],
            kind=NotificationKind.INVITATION,
            title=Sentence(
                gettext_lazy("You are a member of %(cohort)s again, as %(role)s"),
                cohort=actor.cohort.name,
                role=Role(membership.role).label,
            ),
            url=reverse("dashboard", kwargs={"cohort": actor.cohort.slug}),
            cohort=actor.cohort,
        )
    live.access_changed(former.user_id, cohort_id=actor.cohort_id)
    return membership


def add_action_item(
    *,
    cohort: Cohort,
    institution: Institution | None,
    title: str,
    source: str,
    owner: User | None = None,
    owner_name: str = "",
    due_on: date | None = None,
    area: Area | None = None,
    detail: str = "",
    source_label: str = "",
    source_url: str = "",
) -> ActionItem:
    """Add an item to an institution's action plan (or the cohort's, with no institution).

    Meetings, consultations and the self-assessment's action plan call this when they record an
    action; each has checked its acting member first (this takes no member: it is their common step).
    """
    if institution is not None and not cohort.participations.filter(institution=institution).exists():
        raise ValidationError(_("That institution is not taking part in this cohort."))
    if area is not None and area.framework_id != cohort.framework_id:
        raise ValidationError(_("That area belongs to another framework."))
    # The item joins the plan of the institution's current self-assessment cycle.
    current = SelfAssessment.objects.current(cohort, institution) if institution is not None else None
    return ActionItem.objects.create(
        self_assessment=current,
        cohort=cohort,
        institution=institution,
        title=title,
        detail=detail,
        owner=owner,
        owner_name=owner_name,
        due_on=due_on,
        area=area,
        source=source,
        source_label=source_label,
        source_url=source_url,
    )
