"""Log hygiene: request lines keep their route's shape but never a secret.

Student links, receipts, invitations, tus upload keys, calendar feeds and password-reset links carry
their secret in the path, and searches carry what someone typed in the query string. `MaskSecrets`
(configured in settings.LOGGING for every request and access log) rewrites each URL in a record:

- a path parameter of a known route is kept when it is an id or a public name (`<id:…>`, `<uuid:…>`,
  the cohort, institution and area slugs) and replaced by `***` otherwise (`/my-clip/***/email/`);
- on a path that no route matches, any segment long enough to be a token is replaced;
- every query-string value is replaced (`?q=***&call=***`), names kept.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from django.urls import Resolver404, resolve

MASK = "***"
# Path parameters that are no secret: numbers, clip ids (served only to those allowed) and public names.
PUBLIC_PARAMETERS = {"cohort", "institution", "area", "what"}
_URL = re.compile(r"(?<![\w:/])(/[^\s\"'?#]*)(\?[^\s\"'#]*)?")
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-.:~%]{16,}")


def _mask_query(query: str) -> str:
    pairs = [part.split("=", 1)[0] + (f"={MASK}" if "=" in part else "") for part in query[1:].split("&") if part]
    return "?" + "&".join(pairs)


def _mask_path(path: str) -> str:
    try:
        match = resolve(unquote(path))
    except (Resolver404, ValueError):
        return "/".join(MASK if _TOKEN_LIKE.fullmatch(part) else part for part in path.split("/"))
    secrets = {
        str(value)
        for name, value in match.kwargs.items()
        if not (name.endswith("_id") or name in PUBLIC_PARAMETERS) and str(value)
    }
    parts = path.split("/")
    for index, part in enumerate(parts):
        for secret in secrets:
            if secret and secret in unquote(part):
                parts[index] = unquote(part).replace(secret, MASK)
    return "/".join(parts)


def mask_urls(text: str) -> str:
    """`text` with the secrets of every URL path and query string in it replaced by ***."""
    return _URL.sub(lambda m: _mask_path(m.group(1)) + (_mask_query(m.group(2)) if m.group(2) else ""), text)


class MaskSecrets(logging.Filter):
    """A logging filter: the record's message with its URLs masked (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_urls(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
