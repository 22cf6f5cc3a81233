"""The self-assessment's tests start and end in the site's default language.

A request by a Welsh reader leaves Welsh active in the thread that served it (LocaleMiddleware activates
the language and nothing deactivates it), and this app's messages are lazy: without this, a test that
reads one would see it in whatever language the test before it left behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    translation.deactivate()
    yield
    translation.deactivate()
