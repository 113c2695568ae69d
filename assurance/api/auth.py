"""Who is asking, and how often (issue 16).

A request is its token's owner (``Authorization: Bearer wcc_…``), else the signed-in
person of a browser session, else anonymous. A token sees exactly what its owner sees in
the pages because every endpoint then asks the same ``access/`` functions the pages do.
A bad or revoked token is a 401, never a quiet fall back to anonymous.

Anonymous use is rate-limited per client address in the Django cache (Redis in
production): a fixed window counted with an atomic INCRBY, so every gunicorn worker shares
one count; each worker reports its requests in batches (``BATCH``) so that the shared
cache is not a round trip on every anonymous request. People with a token are not limited here: a token names
someone who can be asked, or revoked.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
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


_clients: dict[int, Any] = {}


def _redis_client(backend: RedisCache) -> Any:
    """A client on the cache's own connection pool for writes, made once per pool: Django
    makes a new client object for every operation, which cost more than the round trip."""
    pool = backend._cache._get_connection_pool(True)
    client = _clients.get(id(pool))
    if client is None:
        client = _clients[id(pool)] = backend._cache._client(connection_pool=pool)
    return client


def count(key: str, timeout: int, by: int = 1) -> int:
    """Add ``by`` to the shared counter ``key`` (made if missing, kept ``timeout`` seconds):
    the new total. On Redis one round trip (SET NX EX, INCRBY in a pipeline) rather than
    Django's three (add; EXISTS, INCR)."""
    backend = caches["default"]  # the backend itself: ``cache`` is a proxy to it
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(key)
        pipeline = _redis_client(backend).pipeline(transaction=False)
        pipeline.set(full, 0, ex=timeout, nx=True)  # Django stores ints unpickled
        pipeline.incrby(full, by)
        return int(pipeline.execute()[1])
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key, by)
    except ValueError:  # expired between add and incr
        cache.set(key, by, timeout)
        return by


#: An address's requests a worker may let through before reporting them to the shared
#: count: the shared cache is asked about one anonymous request in BATCH, not every one.
#: Within BATCH of the limit every request is reported, so gunicorn's workers together
#: can let through at most (workers × BATCH) more than the limit in a window.
BATCH = 10
#: Addresses a worker keeps counts for in a window; beyond, each request is reported.
MAX_ADDRESSES = 10_000


class _WorkerCounts:
    """This worker's unreported requests and last known shared total, per address."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[str, list[int]] = {}  # address → [unreported, known total]

    def take(self, address: str, window: int, limit: int) -> int:
        """Count one request: 0 when it may pass unreported, else how many to report."""
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            entry = self._counts.get(address)
            if entry is None:
                if len(self._counts) >= MAX_ADDRESSES:
                    return 1
                entry = self._counts[address] = [0, 0]
            entry[0] += 1
            if entry[0] < BATCH and entry[1] + entry[0] + BATCH <= limit:
                return 0
            unreported, entry[0] = entry[0], 0
            return unreported

    def learn(self, address: str, window: int, total: int) -> None:
        with self._lock:
            if window == self._window and address in self._counts:
                self._counts[address][1] = total

    def clear(self) -> None:
        with self._lock:
            self._window, self._counts = -1, {}


worker_counts = _WorkerCounts()


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
        address = client_address(request)
        report = worker_counts.take(address, window, limit)
        if not report:
            return True
        total = count(f"api-anon-rate:{address}:{window}", period + 5, report)
        worker_counts.learn(address, window, total)
        return total <= limit

    def wait(self) -> float:
        _, period = settings.API_ANON_RATE
        return period - time.time() % period
