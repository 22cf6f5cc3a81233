"""Search across the cohort's discussions: full-text with ranking on PostgreSQL, icontains on SQLite.

Only posts the member may read: threads visible to them, posts neither deleted nor hidden.
"""

from __future__ import annotations

from django.db import connection

from cohort.models import Membership
from discussions.models import Post, Thread

LIMIT = 50


def search_posts(membership: Membership, query: str) -> list[Post]:
    posts = Post.objects.readable().filter(thread__in=Thread.objects.visible_to(membership))
    posts = posts.select_related("thread__theme__area", "institution")
    if connection.vendor == "postgresql":
        # Lazy on purpose: it loads the PostgreSQL driver (psycopg, a few hundred ms), which a
        # process on SQLite never needs.
        from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

        vector = SearchVector("search_text", config="english")
        search = SearchQuery(query, search_type="websearch", config="english")
        return list(
            posts.annotate(rank=SearchRank(vector, search), snippet=SearchHeadline("body", search, config="english"))
            .filter(rank__gt=0)
            .order_by("-rank", "-id")[:LIMIT]
        )
    words = query.split()
    for word in words[:8]:
        posts = posts.filter(search_text__icontains=word)
    return list(posts.order_by("-id")[:LIMIT])
