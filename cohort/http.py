from django.http import HttpRequest

from cohort.models import User


class AuthedRequest(HttpRequest):
    """The request a view behind @login_required receives: its user is signed in."""

    user: User  # type: ignore[assignment]
