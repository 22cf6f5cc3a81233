from tests.matrix import ANY_SIGNED_IN, Case

CASES = [
    Case("home", kwargs=lambda w: {}, allowed=ANY_SIGNED_IN),
    Case("dashboard"),
]

CASES += [Case("audit:log", allowed=frozenset({"facilitator"}))]
