"""The one refusal every service raises.

A service function takes the acting `Membership` and checks it before it writes. When the member may
not do the thing at all, it raises `NotAllowed`; when the member may but the input is wrong, it raises
Django's `ValidationError`. Views tell the two apart: bad input goes back onto the form, a refusal is
a message (or, left uncaught, a 403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class NotAllowed(PermissionDenied):
    """The acting member may not do this. `str(error)` is a sentence fit to show them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
