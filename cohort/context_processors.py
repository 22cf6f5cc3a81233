from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cohort import authn


def header(request: HttpRequest) -> dict[str, object]:
    """The unread-notification count shown in the header of every page.

    Counted only when a template shows it: the partials that htmx swaps in (a post, a form) have no
    header, and should not cost a query for one.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: user.notifications.filter(read_at__isnull=True).count()),
        # For the sessions that end after a while without a request (staff): when to warn someone typing.
        "idle_seconds": settings.STAFF_IDLE_TIMEOUT_SECONDS if authn.LAST_SEEN_KEY in request.session else None,
    }
