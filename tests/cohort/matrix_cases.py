from django.core import signing

from cohort.adapters import UNLOCK_SALT
from cohort.models import Notification
from cohort.services import invite
from tests.factories import CONFIRMED
from tests.matrix import ANY_SIGNED_IN, FACILITATOR_ONLY, Case, WsCase


def _invitation_token(w):
    from cohort.access import get_membership

    _invitation, token = invite(
        get_membership(w.fran, w.cohort.slug), email="newcomer@example.org", role="member", institution=w.irwell
    )
    return {"token": token}


def _alice_notification(w):
    n = Notification.objects.create(user=w.alice, kind="meeting", title="Hello", url="/")
    return {"notification_id": n.pk}


def _bob_membership(w):
    return {"cohort": w.cohort.slug, "membership_id": w.bob.memberships.get(cohort=w.cohort).pk}


def _alice_membership(w):
    return {"cohort": w.cohort.slug, "membership_id": w.alice.memberships.get(cohort=w.cohort).pk}


def _alice_removed(w):
    from cohort.access import get_membership
    from cohort.services import remove_member

    former = remove_member(get_membership(w.fran, w.cohort.slug), w.alice.memberships.get(cohort=w.cohort))
    return {"cohort": w.cohort.slug, "former_id": former.pk}


def _unlock_token(w):
    return {"token": signing.dumps({"user": w.alice.pk}, salt=UNLOCK_SALT)}


def _irwell_invitation(w):
    from cohort.access import get_membership

    invitation, _ = invite(
        get_membership(w.fran, w.cohort.slug), email="later@example.org", role="member", institution=w.irwell
    )
    return {"cohort": w.cohort.slug, "invitation_id": invitation.pk}


CASES = [
    Case("cohort:accept_invitation", kwargs=_invitation_token, public=True, allowed=ANY_SIGNED_IN),
    Case("cohort:unlock_account", kwargs=_unlock_token, public=True, allowed=ANY_SIGNED_IN),
    Case("cohort:notifications", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN),
    Case("cohort:mark_notifications_read", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN, method="post"),
    # A notification is its owner's alone: everyone else gets 404.
    Case("cohort:open_notification", kwargs=_alice_notification, allowed=frozenset({"member"})),
    Case("cohort:notification_preferences", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN),
    Case("cohort:profile", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN),
    Case("cohort:framework"),
    Case("cohort:institution", kwargs=lambda w: {"cohort": w.cohort.slug, "institution": w.irwell.slug}),
    Case("cohort:people", allowed=frozenset({"facilitator", "lead"})),
    Case(
        "cohort:invite",
        method="post",
        allowed=frozenset({"facilitator", "lead"}),
        data=lambda w: {"email": "someone.new@example.org", "role": "member", "institution": w.irwell.pk},
    ),
    # Changing Bob's role: facilitators only (Bob is at Medlock).
    Case(
        "cohort:change_role",
        kwargs=_bob_membership,
        method="post",
        allowed=FACILITATOR_ONLY,
        data=lambda w: {"role": "lead", "institution": w.medlock.pk},
    ),
    # Removing Alice (a member at Irwell): the facilitator, or Irwell's lead.
    Case("cohort:remove_member", kwargs=_alice_membership, allowed=frozenset({"facilitator", "lead"})),
    Case(
        "cohort:remove_member",
        kwargs=_alice_membership,
        method="post",
        allowed=frozenset({"facilitator", "lead"}),
        data=lambda w: CONFIRMED,
    ),
    # Adding Alice back after her removal: the facilitator, or Irwell's lead (Alice's own client is
    # refused like any outsider, since she is no longer a member).
    Case("cohort:readd_member", kwargs=_alice_removed, method="post", allowed=frozenset({"facilitator", "lead"})),
    Case(
        "cohort:revoke_invitation", kwargs=_irwell_invitation, method="post", allowed=frozenset({"facilitator", "lead"})
    ),
]


# The header's notification count: any signed-in person, their own count only (tests/cohort/test_live_notifications.py).
WS_CASES = [WsCase(route="ws/notifications/", path=lambda w: "/ws/notifications/", allowed=ANY_SIGNED_IN)]
