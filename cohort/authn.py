"""The one place that decides whether a session signs someone in: used by every page (the middleware),
the admin and every websocket.

A session signs its person in when:
- Django's session authentication holds (the account exists and is active, the password unchanged);
- for those whose role needs a second factor (facilitators, assessors, and the admin's staff), the
  person has set one up and *this session* completed it. The log-in flow records that (allauth's
  TOTP or recovery-code step, or setting up TOTP in this session); another way of signing in, such
  as single sign-on whose identity provider asserted multi-factor authentication, records it with
  record_second_factor(session, user, by="sso:<provider>"). A password alone never does;
- for those same roles, the session has not been idle longer than STAFF_IDLE_TIMEOUT_SECONDS.

verdict() answers with one of the Verdict values; the HTTP middleware turns each into a redirect,
the websocket guard into a refusal.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from cohort.models import STAFF_ROLES, Membership, User

SECOND_FACTOR_KEY = "qm_second_factor"  # {"user": pk, "by": "mfa:totp" | "sso:<provider>" | ..., "at": time}
LAST_SEEN_KEY = "qm_last_seen"  # time of the last page request, for staff sessions
# A page request writes the time it was seen at most this often (one session save a minute, not one a request).
TOUCH_EVERY_SECONDS = 60


class Verdict(enum.Enum):
    SIGNED_OUT = "signed out"  # no one, or an account that cannot sign in
    NEEDS_SETUP = "needs two-factor set-up"  # a staff role without TOTP yet
    NEEDS_SECOND_FACTOR = "needs the second factor"  # TOTP set up, but this session has not used it
    IDLE = "idle too long"  # a staff session past its inactivity limit
    SIGNED_IN = "signed in"


def idle_timeout() -> int:
    return int(settings.STAFF_IDLE_TIMEOUT_SECONDS)


def needs_second_factor(user: User) -> tuple[bool, bool]:
    """(whether the person's role needs a second factor, whether they have set one up): one query."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            staff_role=Exists(Membership.objects.filter(user_id=OuterRef("pk"), role__in=STAFF_ROLES)),
            has_totp=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        )
        .values_list("staff_role", "has_totp")
        .first()
    )
    if row is None:
        return False, False
    staff_role, has_totp = row
    return bool(staff_role or user.is_staff or user.is_superuser), bool(has_totp)


def verdict(user: Any, session: SessionBase | None, *, now: float | None = None) -> Verdict:
    """Whether this user, in this session, is signed in as far as the product is concerned. Sync (one query)."""
    return assess(user, session, now=now)[0]


def assess(user: Any, session: SessionBase | None, *, now: float | None = None) -> tuple[Verdict, bool]:
    """The verdict, and whether the person's role has the second factor and the inactivity limit."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Verdict.SIGNED_OUT, False
    needs, has_totp = needs_second_factor(user)
    if not needs:
        return Verdict.SIGNED_IN, False
    if session is None:
        return Verdict.SIGNED_OUT, True
    done = second_factor(session, user)
    if not has_totp and not (done or "").startswith("sso:"):
        # No TOTP of their own: set it up, unless their institution's identity provider asserted
        # multi-factor authentication for this very session.
        return Verdict.NEEDS_SETUP, True
    if done is None:
        return Verdict.NEEDS_SECOND_FACTOR, True
    if idle_deadline(session) < (time.time() if now is None else now):
        return Verdict.IDLE, True
    return Verdict.SIGNED_IN, True


def record_second_factor(session: SessionBase, user: Any, *, by: str) -> None:
    """Record that this session completed a second factor for this user, and how ("mfa:totp",
    "mfa:recovery_codes", "sso:<provider>" for an identity provider that asserted it)."""
    now = time.time()
    session[SECOND_FACTOR_KEY] = {"user": str(user.pk), "by": by, "at": now}
    session[LAST_SEEN_KEY] = now


def second_factor(session: SessionBase, user: Any) -> str | None:
    """How this session completed the second factor for this user, or None if it has not."""
    record = session.get(SECOND_FACTOR_KEY)
    if not isinstance(record, dict) or record.get("user") != str(user.pk):
        return None
    by = record.get("by")
    return by if isinstance(by, str) and by else None


def idle_deadline(session: SessionBase) -> float:
    """When this session ends if nothing more is requested (for the roles the idle limit applies to)."""
    seen = session.get(LAST_SEEN_KEY)
    if not isinstance(seen, (int, float)):
        return 0.0
    return float(seen) + idle_timeout()


def touch(session: SessionBase, *, now: float | None = None) -> None:
    """A request was made in this session: move the idle deadline (saved at most once a minute)."""
    now = time.time() if now is None else now
    seen = session.get(LAST_SEEN_KEY)
    if not isinstance(seen, (int, float)) or now - seen >= TOUCH_EVERY_SECONDS:
        session[LAST_SEEN_KEY] = now


def stored_session(scope: dict[str, Any]) -> SessionBase | None:
    """A websocket's session as the store holds it now (the scope's is a snapshot from the handshake),
    or None if it no longer exists (logged out, expired). Sync."""
    session = scope.get("session")
    key = session.session_key if session is not None else None
    if not key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return store if store.exists(key) else None


@dataclass
class SocketState:
    verdict: Verdict
    user: Any = None
    idle_deadline: float | None = None  # when the session goes idle, for the roles with an inactivity limit


def socket_state(scope: dict[str, Any]) -> SocketState:
    """The verdict for a websocket's session as the store holds it now, whom it signs in, and when it
    goes idle. Sync."""
    session = stored_session(scope)
    if session is None:
        return SocketState(Verdict.SIGNED_OUT)
    request = HttpRequest()
    request.session = session
    user = auth.get_user(request)  # anonymous if the account is gone, deactivated or its password changed
    result, limited = assess(user, session)
    return SocketState(result, user, idle_deadline(session) if limited and result is Verdict.SIGNED_IN else None)


def socket_user(scope: dict[str, Any]) -> Any:
    """Whom a websocket's session signs in now, through the same verdict as every page; else None."""
    state = socket_state(scope)
    return state.user if state.verdict is Verdict.SIGNED_IN else None
