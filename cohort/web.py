"""The idioms every app's views share: a service error onto a form, a one-button POST that ends in
a message and a redirect, a confirmation before an action that cannot simply be taken back, and a
file sent as an attachment."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from cohort.editing import EditConflict
from cohort.errors import NotAllowed


def add_service_errors(form: BaseForm, error: ValidationError | NotAllowed) -> None:
    """Put what a service refused onto the form: bad input under the field it names, else (and a
    refusal) above the form."""
    if isinstance(error, NotAllowed):
        form.add_error(None, str(error))
    elif isinstance(error, EditConflict) and hasattr(form, "show_conflict"):
        form.show_conflict(error)  # their text beside the typed one, and the new version to save on
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def error_text(error: ValidationError | NotAllowed) -> str:
    """One line for a message: every sentence of a validation error, or the refusal."""
    if isinstance(error, NotAllowed):
        return str(error)
    return " ".join(error.messages)


def post_action(request: HttpRequest, action: Callable[[], str | None], *, to: str, **to_kwargs: Any) -> HttpResponse:
    """Run a one-button POST's service call and redirect. The call returns the success message (or
    None for none); bad input or a refusal becomes an error message and changes nothing."""
    try:
        done = action()
    except (ValidationError, NotAllowed) as error:
        messages.error(request, error_text(error))
    else:
        if done:
            messages.success(request, done)
    return redirect(to, **to_kwargs)


CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says before a deliberate action: the question, what will happen (who
    will be told, what is deleted), whether and how it can be undone, and the button that does it.

    `carry` holds the values a form already sent (an award date): the confirmed POST sends them again.
    """

    title: str
    consequences: Sequence[str]
    button: str
    back_url: str
    undo: str = ""
    carry: Sequence[tuple[str, str]] = field(default_factory=tuple)
    back_label: str = cast(str, gettext_lazy("No, go back"))  # translated when the page shows it


def is_confirmed(request: HttpRequest) -> bool:
    """True only for the POST that the confirmation page's button sends."""
    return request.method == "POST" and request.POST.get(CONFIRMED) == "yes"


def confirm_page(
    request: HttpRequest, confirmation: Confirmation, context: Mapping[str, Any] | None = None
) -> HttpResponse:
    """The one confirmation page: a GET of an action's URL (or a POST that did not come from this page)
    shows it and changes nothing; its button POSTs to the same URL with `confirmed=yes`."""
    return render(request, "confirm.html", {**(context or {}), "confirmation": confirmation})


def attachment(
    content: bytes | str | IO[bytes], *, filename: str, content_type: str, inline: bool = False
) -> HttpResponse | FileResponse:
    """A download: the browser saves it under `filename` and never sniffs it into something else."""
    if isinstance(content, bytes | str):
        response: HttpResponse | FileResponse = HttpResponse(content, content_type=content_type)
        disposition = "inline" if inline else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    else:
        response = FileResponse(content, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
