"""One Redis connection pool per process for the cache.

Django makes a cache object per thread and per async context, which under ASGI means per request,
and each makes its own connection pool: every request opened a new connection to Redis (a TCP
handshake and redis-py's HELLO and CLIENT SETINFO round trips) and left it for the garbage
collector. With this pool class (the cache's "pool_class" option) they all share one pool per URL
and reuse its connections. redis-py pools are thread-safe and reset themselves in a forked child.
"""

from __future__ import annotations

import threading
from typing import Any

import redis

_pools: dict[tuple[str, str], redis.ConnectionPool] = {}
_lock = threading.Lock()


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Any:
        # The options other than the client's self-description are the same for every cache object
        # of one CACHES entry; they are part of the key all the same.
        options = repr(sorted((k, repr(v)) for k, v in kwargs.items() if k not in {"driver_info", "lib_name"}))
        with _lock:
            pool = _pools.get((url, options))
            if pool is None:
                pool = _pools[url, options] = super().from_url(url, **kwargs)
        return pool
