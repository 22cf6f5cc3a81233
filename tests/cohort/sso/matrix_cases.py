"""Access-matrix rows for an institution's sign-in (SSO): the facilitator sets it up; the IT page is for
the facilitator and the institution's lead (Irwell's, Lena)."""

from __future__ import annotations

from tests.cohort.sso.support import metadata
from tests.matrix import FACILITATOR_ONLY, Case


def _irwell(w):
    return {"cohort": w.cohort.slug, "institution": w.irwell.slug}


def _saml_settings(w):
    return {
        "name": "Irwell Single Sign-On",
        "slug": "irwell-sso",
        "kind": "saml",
        "domains": "irwell.example",
        "enabled": "on",
        "metadata_xml": metadata(),
    }


CASES = [
    Case("cohort:sso_settings", kwargs=_irwell, allowed=FACILITATOR_ONLY),
    Case("cohort:sso_settings", kwargs=_irwell, method="post", allowed=FACILITATOR_ONLY, data=_saml_settings),
    Case("cohort:sso_it", kwargs=_irwell, allowed=frozenset({"facilitator", "lead"})),
]
