"""Who is asking, and how often (issue 16).

A request is its token's owner (``Authorization: Bearer wcc_…``), else the signed-in
person of a browser session, else anonymous. A token sees exactly what its owner sees in
the pages because every endpoint then asks the same ``access/`` functions the pages do.
A bad or revoked token is a 401, never a quiet fall back to anonymous.

Anonymous use is rate-limited per client address in the Django cache (Redis in
production): a fixed window counted with ``incr``, atomic in Redis, so every gunicorn
worker shares one count. People with a token are not limited here: a token names
someone who can be asked, or revoked.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security.base import AuthBase
from ninja.throttling import BaseThrottle

from assurance.access.api_tokens import token_for_secret
from assurance.services.api_tokens import note_use

SCHEME = "PersonalToken"  # the class name: what django-ninja calls the security scheme


class PersonalToken(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = (
        "A personal API token from /account/api-tokens/ (it starts wcc_). "
        "Optional on public endpoints: without one you read what the public reads."
    )

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header is None:
            user = getattr(request, "user", None)
            return user if user is not None and user.is_authenticated else AnonymousUser()
        scheme, _, secret = header.partition(" ")
        token = token_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise AuthenticationError(message="Invalid or revoked token")
        note_use(token)
        return token.user


def client_address(request: HttpRequest) -> str:
    """The client's address: behind the one trusted proxy (``BEHIND_PROXY``), the address
    it appended to X-Forwarded-For; otherwise the socket's. A client cannot pick its own."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class AnonymousRateLimit(BaseThrottle):
    """``settings.API_ANON_RATE`` = (requests, seconds) per address for anonymous callers.

    Stateless between requests (gunicorn threads share this object): the window and the
    wait are worked out from the clock each time.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        user = getattr(request, "auth", None)
        if user is not None and user.is_authenticated:
            return True
        limit, period = settings.API_ANON_RATE
        window = int(time.time() // period)
        key = f"api-anon-rate:{client_address(request)}:{window}"
        cache.add(key, 0, period + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # the entry expired between add and incr
            cache.set(key, 1, period + 5)
            count = 1
        return count <= limit

    def wait(self) -> float:
        _, period = settings.API_ANON_RATE
        return period - time.time() % period
