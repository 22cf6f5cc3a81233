from tests.matrix import ANY_SIGNED_IN, Case

CASES = [
    Case("home", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN),
    Case("dashboard"),
    # The accessibility statement: public, like the footer link to it on every page.
    Case("accessibility", kwargs=lambda w: {}, public=True, allowed=ANY_SIGNED_IN),
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
