"""Rate limits on actions people can repeat: a fixed window per key, counted in the cache (Redis in
production, shared by every process).

    if not allow(request, "post", limit=20, per=60, key=str(user.pk)):
        return rate_limited(request, "posting")
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    """The address a request came from. Behind TRUSTED_PROXY_COUNT proxies, each of which appends
    the address it saw to X-Forwarded-For, that is the entry the outermost one added: anything
    before it was sent by the client and may be made up (so it must never pick a rate-limit key)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) >= count and forwarded[-count]:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def allow(request: HttpRequest, scope: str, *, limit: int, per: int, key: str | None = None) -> bool:
    """Count one hit for (scope, key, by default the client's address) in the current window; False
    once the limit is passed."""
    return hit(scope, key or client_ip(request), limit=limit, per=per)


def hit(scope: str, key: str, *, limit: int, per: int) -> bool:
    """Count one hit for (scope, key) in the current window of `per` seconds; False once past `limit`."""
    window = int(time.time()) // per
    cache_key = f"rl:{scope}:{key}:{window}"
    try:
        try:  # the window's count exists after the first hit: count on it (the common case, fewer round trips)
            hits = cache.incr(cache_key)
        except ValueError:  # the window's first hit, or it expired: start it, unless another request just did
            hits = 1 if cache.add(cache_key, 1, timeout=per + 1) else cache.incr(cache_key)
    except Exception:  # the cache (Redis) is down: keep serving rather than refuse everyone
        log.warning("rate limit not counted: the cache is unavailable")
        return True
    return hits <= limit


# Students send clips without an account, often a whole class at once from one campus network (one
# address). These limits let a class of 30 consent and upload together, with room for retries, and
# stop a flood from one address, or against one institution's link from many, within ten minutes.
STUDENT_WINDOW = 600
STUDENT_PER_ADDRESS = 120
STUDENT_PER_LINK = 200


def allow_student(request: HttpRequest, scope: str, link_id: int) -> str | None:
    """Count one student action on a link; None if allowed, else what to tell the student."""
    if not allow(request, f"{scope}-address", limit=STUDENT_PER_ADDRESS, per=STUDENT_WINDOW):
        return _(
            "More than %(limit)s clips have been started from your network in the last ten minutes, "
            "the most we take from one network. Nothing was saved. Please try again in ten minutes."
        ) % {"limit": STUDENT_PER_ADDRESS}
    if not hit(f"{scope}-link", str(link_id), limit=STUDENT_PER_LINK, per=STUDENT_WINDOW):
        return _(
            "More than %(limit)s clips have been started with this link in the last ten minutes, "
            "the most we take for one institution. Nothing was saved. Please try again in ten minutes."
        ) % {"limit": STUDENT_PER_LINK}
    return None


def rate_limited(request: HttpRequest, what: str, retry_after: int = 60, message: str = "") -> HttpResponse:
    context = {"what": what, "retry_after": retry_after, "message": message}
    response = render(request, "rate_limited.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response
