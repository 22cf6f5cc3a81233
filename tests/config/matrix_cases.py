from tests.matrix import ANY_SIGNED_IN, Case

CASES = [
    Case("home", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN),
    Case("dashboard"),
    # The accessibility statement: public, like the footer link to it on every page.
    Case("accessibility", kwargs=lambda w: {}, public=True, allowed=ANY_SIGNED_IN),
    # The JavaScript's translations, loaded by every page (the log-in page too).
    Case("javascript-catalog", kwargs=lambda w: {}, public=True, allowed=ANY_SIGNED_IN),
    # The language toggle on every page, the log-in page included: anyone.
    Case(
        "set_language",
        kwargs=lambda w: {},
        method="post",
        public=True,
        public_status=302,
        allowed=ANY_SIGNED_IN,
        data=lambda w: {"language": "cy", "next": "/"},
    ),
]

CASES += [Case("audit:log", allowed=frozenset({"facilitator"}))]


def _someone(w):
    from cohort.models import Role
    from tests import factories

    person = factories.make_user("Someone Leaving")
    factories.member(person, w.cohort, Role.MEMBER, w.irwell)
    return {"cohort": w.cohort.slug, "user_id": person.pk}


CASES += [
    Case("privacy", allowed=frozenset({"facilitator"})),
    Case("retention", allowed=frozenset({"facilitator"})),
    Case("privacy_export", kwargs=_someone, allowed=frozenset({"facilitator"})),
    Case(
        "privacy_erase",
        kwargs=_someone,
        method="post",
        allowed=frozenset({"facilitator"}),
        data=lambda w: {"confirm_email": "someone.leaving@example.org"},
    ),
]

# The site operator's erasure of an account: superusers only (no actor of the matrix is one).
CASES += [
    Case("account_search", kwargs=lambda w: {}, allowed=frozenset()),
    Case("account_erasure", kwargs=lambda w: {"user_id": w.alice.pk}, allowed=frozenset()),
    Case(
        "account_erasure",
        kwargs=lambda w: {"user_id": w.alice.pk},
        method="post",
        allowed=frozenset(),
        data=lambda w: {"confirm_email": w.alice.email},
        id="account_erasure:post",
    ),
]

# The site administration: staff only, and only through the product's log-in with its second factor
# (cohort.authn). No actor of the matrix is staff: signed in, each gets 404; anonymous, the log-in page.
# tests/cohort/test_two_factor.py walks every admin page for the operator.
CASES += [
    Case("admin:index", kwargs=lambda w: {}, allowed=frozenset()),
    Case("admin:login", kwargs=lambda w: {}, allowed=frozenset()),
    Case(
        "admin:login",
        kwargs=lambda w: {},
        method="post",
        allowed=frozenset(),
        data=lambda w: {"username": w.fran.email, "password": "correct-horse-battery-staple"},
        id="admin:login:post",
    ),
    Case("admin:cohort_membership_changelist", kwargs=lambda w: {}, allowed=frozenset()),
    Case("admin:cohort_user_change", kwargs=lambda w: {"object_id": w.alice.pk}, allowed=frozenset()),
    Case(
        "admin:cohort_user_change",
        kwargs=lambda w: {"object_id": w.alice.pk},
        method="post",
        allowed=frozenset(),
        data=lambda w: {"email": w.alice.email, "is_staff": "on", "is_superuser": "on", "is_active": "on"},
        id="admin:cohort_user_change:post",
    ),
]

# Sent while someone types, to keep a staff session alive: anyone signed in (it changes nothing else).
CASES += [Case("still_typing", kwargs=lambda w: {}, method="post", allowed=ANY_SIGNED_IN)]
