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
    """Count one hit for (scope, key) in the current window; False once the limit is passed."""
    window = int(time.time()) // per
    cache_key = f"rl:{scope}:{key or client_ip(request)}:{window}"
    try:
        try:  # the window's count exists after the first hit: count on it (the common case, fewer round trips)
            hits = cache.incr(cache_key)
        except ValueError:  # the window's first hit, or it expired: start it, unless another request just did
            hits = 1 if cache.add(cache_key, 1, timeout=per + 1) else cache.incr(cache_key)
    except Exception:  # the cache (Redis) is down: keep serving rather than refuse everyone
        log.warning("rate limit not counted: the cache is unavailable")
        return True
    return hits <= limit


def rate_limited(request: HttpRequest, what: str, retry_after: int = 60) -> HttpResponse:
    response = render(request, "rate_limited.html", {"what": what, "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
