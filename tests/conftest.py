"""Fixtures that build on each other: framework → cohort → institutions → people.

The fixed cast, as in the access matrix:
- fran: facilitator of the cohort        - alex: assessor, assigned to Irwell
- lena: lead at Irwell                    - alice: member at Irwell
- bob: member at Medlock (another institution of the same cohort)
- olga: facilitator of another cohort    - oscar: observer of the cohort
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cohort.models import Cohort, Institution, Role, User
from tests import factories
from tests.factories import World


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep `--dist loadgroup` (the Makefile's `test`) grouping by `xdist_group`. pytest-xdist marks a
    grouped test by appending `@<group>` to its node id, but on pytest 9.2 the node id is a structured
    value that xdist's change no longer reaches, so every group was silently spread over both workers and
    its module fixtures set up on each (pytest-xdist#1386). Append the suffix where xdist could not."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if not names or "@" in item.nodeid.rpartition("]")[2]:  # xdist did it (older pytest)
            continue
        grouped = f"{item.nodeid}@{'_'.join(names)}"
        node_id = getattr(item, "_id", None)
        if node_id is not None and hasattr(type(node_id), "parse"):
            item._id = type(node_id).parse(grouped)  # type: ignore[attr-defined]
        else:
            item._nodeid = grouped  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits and cached fragments count in the cache: every test starts from an empty one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts and ends in the site's default language. A request by a Welsh reader leaves Welsh
    active in the thread that served it (LocaleMiddleware activates it; nothing deactivates it), and lazy
    messages would otherwise come out in whatever language the test before left behind."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def early_in_a_minute() -> None:
    """Rate limits count in fixed windows of a minute: a test that expects the 21st request of a burst to
    be refused starts with enough of its window left that the burst cannot straddle two windows."""
    factories.early_in_window(60, 10)


@pytest.fixture
def cohort(db: None) -> Cohort:
    return factories.make_cohort("Greater Manchester cohort", slug="gm")


@pytest.fixture
def other_cohort(db: None) -> Cohort:
    return factories.make_cohort("Yorkshire cohort", slug="yorks")


@pytest.fixture
def irwell(cohort: Cohort) -> Institution:
    return factories.make_institution("University of Irwell Valley", "Irwell")


@pytest.fixture
def medlock(cohort: Cohort) -> Institution:
    return factories.make_institution("Medlock Metropolitan University", "Medlock")


@pytest.fixture
def fran(cohort: Cohort) -> User:
    user = factories.make_user("Fran", totp=True)
    factories.member(user, cohort, Role.FACILITATOR)
    return user


@pytest.fixture
def alex(cohort: Cohort) -> User:
    user = factories.make_user("Alex", totp=True)
    factories.member(user, cohort, Role.ASSESSOR)
    return user


@pytest.fixture
def participations(cohort: Cohort, irwell: Institution, medlock: Institution, alex: User) -> None:
    factories.join(cohort, irwell, assessor=alex)
    factories.join(cohort, medlock)


@pytest.fixture
def lena(cohort: Cohort, irwell: Institution, participations: None) -> User:
    user = factories.make_user("Lena")
    factories.member(user, cohort, Role.LEAD, irwell)
    return user


@pytest.fixture
def alice(cohort: Cohort, irwell: Institution, participations: None) -> User:
    user = factories.make_user("Alice")
    factories.member(user, cohort, Role.MEMBER, irwell)
    return user


@pytest.fixture
def bob(cohort: Cohort, medlock: Institution, participations: None) -> User:
    user = factories.make_user("Bob")
    factories.member(user, cohort, Role.MEMBER, medlock)
    return user


@pytest.fixture
def oscar(cohort: Cohort) -> User:
    user = factories.make_user("Oscar")
    factories.member(user, cohort, Role.OBSERVER)
    return user


@pytest.fixture
def olga(other_cohort: Cohort) -> User:
    user = factories.make_user("Olga", totp=True)
    factories.member(user, other_cohort, Role.FACILITATOR)
    return user


@pytest.fixture
def world(
    cohort: Cohort,
    other_cohort: Cohort,
    irwell: Institution,
    medlock: Institution,
    fran: User,
    alex: User,
    lena: User,
    alice: User,
    bob: User,
    oscar: User,
    olga: User,
) -> World:
    return World(cohort, other_cohort, irwell, medlock, fran, alex, lena, alice, bob, oscar, olga)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SeaweedFS S3 endpoint shared by this test process (each test makes its own bucket)."""
    from tests.local_servers import SeaweedMissing, start_seaweed, stop
    from tests.services import missing

    try:
        process, endpoint = start_seaweed(tmp_path_factory.mktemp("seaweed"))
    except SeaweedMissing as error:
        missing(f"the S3 tests need SeaweedFS: {error}")
    try:
        yield endpoint
    finally:
        stop(process)
