"""No input, however hostile, gives a 500 (issue 13, "Never a 500").

Every URL pattern of the permissions matrix, as every role, with hostile values in the
path, the query string and the form: NUL bytes, 10 kB strings, non-numbers, dates out of
range, unicode. Every answer must be below 500. A POST whose every value carries a NUL
byte (never valid text) must change nothing in the database; neither may any GET. CI runs
this on PostgreSQL, where NUL bytes and out-of-range values used to reach the database.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from tests.test_permissions_matrix import (
    GET,
    POST,
    ROLES,
    _client_for,
    fingerprint,
    world,  # noqa: F401 - the shared world fixture
)

pytestmark = pytest.mark.django_db

LONG = "x" * 10_000
HOSTILE_TEXT = ["\x00", LONG, "abc", "99999999999999999999", "0001-01-01", "1E+20 ŵ𝔠𝔠 ☃ ‮"]
#: Actions whose only input is the URL (or a yes/no): a hostile extra value does not stop
#: them, and that is right — they are refused or allowed by who asks, checked elsewhere.
ACTIONS = {
    "self_assessment:document_remove",
    "cycles:start_next",
    "cycles:phase_change",
    "publications:include_again",
    "freedoms:plan_agree",
    "api_tokens:revoke",
    "notifications:read",
    "notifications:read_all",
}
HOSTILE_QUERY = {
    "page": "\x00",
    "sort": LONG,
    "sha": "Q3\x00",
    "tier": "☃",
    "cycle": "abc",
    "view": "sha\x00",
    "q": LONG,
    "back": "//evil.example/\x00",
    "next": "https://evil.example",
}


def _hostile_path_args(args: list[Any]) -> list[list[Any]]:
    """Each string argument replaced by each hostile value (ints stay: their converter
    refuses anything else with a 404 before any view runs)."""
    variants = []
    for value in ("abc\x00", "ŵ☃" + LONG[:300]):
        variant = [value if isinstance(a, str) else a for a in args]
        if variant != args:
            variants.append(variant)
    return variants


def _server_errors(response: Any, what: str) -> list[str]:
    return [f"{what}: {response.status_code}"] if response.status_code >= 500 else []


def test_no_get_with_hostile_values_is_a_server_error_or_changes_anything(world):  # noqa: F811
    clients: dict[str, Any] = {}
    for role in ROLES:
        _client_for(role, world, clients)
    problems: list[str] = []
    before = fingerprint()
    for name, (args, _expected) in GET.items():
        real = args(world)
        paths = []
        for variant in [real, *_hostile_path_args(real)]:
            try:
                paths.append(reverse(name, args=variant))
            except NoReverseMatch:
                continue  # the URL pattern itself refuses the value
        for role in ROLES:
            client = _client_for(role, world, clients)
            for path in paths:
                problems += _server_errors(client.get(path), f"GET {path[:80]} as {role}")
            response = client.get(reverse(name, args=real), HOSTILE_QUERY)
            problems += _server_errors(response, f"GET {name}?hostile as {role}")
    assert fingerprint() == before, "a GET changed the database"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "value", HOSTILE_TEXT, ids=["nul", "10kB", "abc", "1e20", "year-1", "unicode"]
)
def test_no_post_with_hostile_values_is_a_server_error(world, value):  # noqa: F811
    clients: dict[str, Any] = {}
    for role in ROLES:
        _client_for(role, world, clients)
    problems: list[str] = []
    for name, (args, data, _allowed, _works_for) in POST.items():
        path = reverse(name, args=args(world))
        keys = list(data(world)) or ["value"]
        payload = dict.fromkeys(keys, value) | {"extra": value}
        check = "\x00" in value and name not in ACTIONS
        for role in ROLES:
            before = fingerprint() if check else ""
            with transaction.atomic():
                response = _client_for(role, world, clients).post(path, payload)
                changed = check and fingerprint() != before
                transaction.set_rollback(True)
            problems += _server_errors(response, f"POST {name} {value[:12]!r} as {role}")
            if changed:
                problems.append(f"POST {name} with NUL bytes as {role} changed the database")
    assert not problems, "\n".join(problems)
