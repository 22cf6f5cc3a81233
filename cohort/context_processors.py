from django.http import HttpRequest


def header(request: HttpRequest) -> dict[str, object]:
    """The unread-notification count shown in the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": user.notifications.filter(read_at__isnull=True).count()}
