"""Requests refused before any view sees them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

NUL = "\x00"


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or NUL in request.path_info:
        return True
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return True
    return any(NUL in name or NUL in value for name, value in request.COOKIES.items())


class RejectNulBytesMiddleware:
    """400 for a NUL byte in the path, the query string or a cookie (issue 13, finding 8).

    PostgreSQL cannot store or compare a string holding NUL, so ``/registry/pcts/%00/``,
    ``?q=%00`` or a session cookie holding one reached the database and failed there (a
    500). No page of this service needs one; form fields already refuse them (Django's
    ``ProhibitNullCharactersValidator``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return HttpResponseBadRequest(
                "Bad request: the address contains a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)
