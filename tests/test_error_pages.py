"""NHS-styled error pages with a way back (issue 14); DEBUG never decides which is shown."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

from wcc.urls import urlpatterns as project_urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [*project_urls, path("boom/", _boom)]


@override_settings(DEBUG=False)
def test_a_missing_page_is_the_nhs_styled_404_with_a_way_back(client):
    response = client.get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in body
    assert 'href="/"' in body and "nhsuk-header" in body


@override_settings(DEBUG=False)
def test_a_refusal_is_the_nhs_styled_403(client, alice):
    client.force_login(alice)
    response = client.get("/cycles/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_server_error_is_the_nhs_styled_500_and_says_nothing_is_lost():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "boom" not in body
