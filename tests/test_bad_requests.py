"""Malformed requests get a 4xx, never a 500 (issue 13, finding 8).

NUL bytes fail in PostgreSQL only: run this file with DATABASE_URL pointing at PostgreSQL to
see the 500s it guards against (CI does).
"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    """A client that lets a view's exception surface as a 500 response, as in production."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "path",
    [
        "/registry/pcts/%00/",
        "/registry/shas/Q3%006/",
        "/registry/?q=%00",
        "/registry/?q%00=x",
        "/results/1/?sha=%00",
        "/self-assessment/2009-10/5K%007/",
        "/panels/cycles/1/calibration/competency/%00/",
    ],
)
def test_a_nul_byte_in_the_path_or_query_is_a_400(strict_client, reference_data, dora, path):
    strict_client.force_login(dora)
    assert strict_client.get(path).status_code == 400


def test_a_nul_byte_in_a_cookie_is_a_400(strict_client, reference_data):
    strict_client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert strict_client.get("/registry/").status_code == 400


def test_a_nul_byte_in_a_login_is_a_form_error(strict_client, reference_data):
    response = strict_client.post(
        "/accounts/login/", {"username": "a\x00@example.nhs.uk", "password": "x\x00"}
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()


def test_ordinary_requests_pass(strict_client, reference_data):
    assert strict_client.get("/registry/?q=Camden").status_code == 200
