"""The demo's institution sign-in: Irwell has an OpenID Connect provider set up (switched off, pointing at
this machine) so `make run` shows the facilitator's sign-in page and the IT page. Its domain is one no
demo account uses: switching it on does not change how the demo's people log in."""

from __future__ import annotations

from cohort.demo import DemoWorld
from cohort.sso import services
from cohort.sso.models import IdentityProvider

DEMO_SLUG = "irwell-demo-oidc"


def seed(world: DemoWorld) -> None:
    irwell = next(i for i in world.institutions if i.slug == "irwell")
    if IdentityProvider.objects.filter(slug=DEMO_SLUG).exists():
        return
    provider = IdentityProvider(
        institution=irwell,
        kind=IdentityProvider.Kind.OIDC,
        slug=DEMO_SLUG,
        name="Irwell Valley Login",
        issuer="http://127.0.0.1:9000/realms/irwell",
        client_id="qm-cohort-demo",
        client_secret="demo-secret-not-a-real-one",
        enabled=False,
    )
    services.save_provider(None, provider, ["sso.irwell.example"])
