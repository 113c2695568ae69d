"""JSON bodies cached whole, with validators: ETag, Last-Modified, 304 (issue 16).

A published snapshot never changes, so its JSON is built once and kept in the cache under
a key made of the validated parameters only (unknown parameters and bad values never make
a key: issue 13, finding 5). The ETag is a digest of the body kept beside it, so a
conditional request is answered from the cache alone: a 304 costs no database query.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.gzip import re_accepts_gzip
from django.utils.http import http_date, parse_http_date_safe
from django.utils.text import compress_string
from pydantic import TypeAdapter


class LocalMemo:
    """A small, bounded, thread-safe LRU in this process's memory, for what cannot go
    stale: the key must name something immutable. Most recently used last."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        _MEMOS.append(self)

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_MEMOS: list[LocalMemo] = []

#: Bodies of published snapshots, also kept in each worker's memory: their key names an
#: immutable snapshot, so a copy here can never be stale, and a cached answer then costs no
#: round trip to the shared cache for its 100 kB. At most 64 bodies (a few MB) a worker.
_bodies = LocalMemo(64)


def forget_local() -> None:
    """Empty this process's memos (tests, whose databases reuse ids, call it)."""
    for memo in _MEMOS:
        memo.clear()


#: Bumped when the JSON of an endpoint changes shape, so old cached bodies are not served.
FORMAT = 1


@functools.cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


def dump(shape: Any, data: Any) -> bytes:
    """``data`` validated against the response schema ``shape`` and serialised: what is
    sent always matches what the OpenAPI schema says (Schemathesis checks it too)."""
    adapter = _adapter(shape)
    return adapter.dump_json(adapter.validate_python(data))


def key(*parts: object) -> str:
    return "api:v1:" + ":".join(str(p) for p in (FORMAT, *parts))


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 §13.1.2): gzip makes the middleware's ETag weak.
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


#: A cached answer: the body, its ETag, its Last-Modified (a timestamp, or None).
Entry = tuple[bytes, str, float | None]

#: Whole anonymous answers of published snapshots, by the exact path and query string that
#: asked for them (``answered_from_memory``). Filled only from an answer the endpoint made
#: itself, for a query string that said exactly the validated parameters, each once — so a
#: client cannot fill it with made-up query strings (issue 13, finding 5).
_answers = LocalMemo(128)  # at most ~10 MB a worker: a full table is 80 kB


def conditional_json(
    request: HttpRequest,
    cache_key: str | None,
    build: Callable[[], bytes],
    *,
    timeout: int,
    last_modified: Callable[[], float | None] = lambda: None,
    immutable: bool = False,
    exact_query: bool = False,
) -> HttpResponse:
    """The JSON bytes of ``build()`` (from the cache when ``cache_key`` is given), or a 304.

    ``immutable``: the key names a published snapshot, so the body is kept in this
    process's memory too. ``exact_query``: the query string said exactly the validated
    parameters, so an anonymous answer may be given again before the API's pipeline runs.
    """
    entry: Entry | None = None
    if cache_key:
        entry = _bodies.get(cache_key) if immutable else None
        if entry is None:
            entry = cache.get(cache_key)
            if entry is not None and immutable:
                _bodies.set(cache_key, entry)
    if entry is None:
        body = build()
        entry = (body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', last_modified())
        if cache_key:
            cache.set(cache_key, entry, timeout)
            if immutable:
                _bodies.set(cache_key, entry)
    anonymous = not getattr(getattr(request, "auth", None), "is_authenticated", False)
    public = anonymous and bool(cache_key)
    if public and immutable and exact_query:
        _answers.set((request.path, request.META.get("QUERY_STRING", "")), (entry, timeout))
    return respond(request, entry, max_age=min(timeout, 300) if public else None)


#: Public bodies gzipped once, by ETag (a digest of the body). GZipMiddleware would compress
#: an 80 kB league table again for every client that accepts gzip — most do — at about
#: 1 ms each, four times the rest of the answer. A public body holds no secret, so it needs
#: none of the middleware's BREACH padding; private answers are left to the middleware.
_compressed = LocalMemo(128)


def _gzipped(etag: str, body: bytes) -> bytes:
    compressed: bytes | None = _compressed.get(etag)
    if compressed is None:
        compressed = compress_string(body)
        _compressed.set(etag, compressed)
    return compressed


@functools.lru_cache(maxsize=1024)
def _http_date(timestamp: float) -> str:
    return http_date(timestamp)


def respond(request: HttpRequest, entry: Entry, *, max_age: int | None) -> HttpResponse:
    """The body, or a 304 when the request's validators match; ``max_age`` None: private."""
    body, etag, modified = entry
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        fresh = _etag_matches(if_none_match, etag)
    else:
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        fresh = bool(modified and since and int(modified) <= since)
    response: HttpResponse
    if fresh:
        response = HttpResponseNotModified()
    elif (
        max_age is not None
        and len(body) >= 200
        and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    ):
        response = HttpResponse(_gzipped(etag, body), content_type="application/json")
        response["Content-Encoding"] = "gzip"
        etag = "W/" + etag  # as GZipMiddleware does (RFC 9110 §8.8.1)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    if modified:
        response["Last-Modified"] = _http_date(modified)
    response["Cache-Control"] = (
        f"public, max-age={max_age}" if max_age is not None else "private, no-cache"
    )
    response["Vary"] = "Accept-Encoding, Authorization, Cookie"
    return response


def exact_query(request: HttpRequest, validated: dict[str, str]) -> bool:
    """True when the query string gives exactly the ``validated`` values as they are sent
    back (``sha=Q36``, not ``sha=q36``), each once, and nothing else."""
    given = request.GET
    return all(len(given.getlist(k)) == 1 and given[k] == validated.get(k) for k in given)


def remembered_answer(request: HttpRequest) -> tuple[Entry, int] | None:
    """An anonymous answer given before for exactly this path and query string (the entry
    and its cache timeout), or None.

    Only for a GET that is anonymous on its face — no Authorization header (a token must be
    checked and its use noted) and no session cookie (a signed-in person's answer is
    private)."""
    if request.method != "GET":
        return None
    if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    remembered: tuple[Entry, int] | None = _answers.get(
        (request.path, request.META.get("QUERY_STRING", ""))
    )
    return remembered


def timestamp(value: Any) -> float | None:
    return value.timestamp() if value is not None else None
