"""The API tokens page: create (the secret shown once), see last used, revoke (issue 16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assurance.models import ApiToken
from assurance.services.api_tokens import MAX_LIVE_TOKENS, create_token

pytestmark = pytest.mark.django_db
URL = "/account/api-tokens/"


def test_the_page_lives_at_a_stable_address():
    assert reverse("api_tokens:tokens") == URL


def test_a_new_tokens_secret_is_shown_once_and_never_cached(client, alice):
    client.force_login(alice)
    response = client.post(URL, {"name": "Regional dashboard"})
    page = response.content.decode()
    token = ApiToken.objects.get(user=alice)
    secret = response.context["secret"]
    assert response.status_code == 200 and secret in page
    assert "Copy your new token now" in page
    assert "no-store" in response["Cache-Control"]
    again = client.get(URL).content.decode()
    assert secret not in again and token.prefix in again and "Regional dashboard" in again
    assert "Never" in again  # not used yet
    assert client.get("/api/v1/cycles", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_a_refused_name_is_shown_in_the_error_summary_and_kept(client, alice):
    client.force_login(alice)
    for n in range(MAX_LIVE_TOKENS):
        create_token(alice, f"t{n}")
    response = client.post(URL, {"name": "Eleventh"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "revoke one" in page
    assert 'value="Eleventh"' in page
    assert client.post(URL, {"name": ""}).status_code == 400


def test_a_person_revokes_their_own_token_and_no_one_elses(client, alice, bob):
    mine, secret = create_token(alice, "Mine")
    theirs, _ = create_token(bob, "Theirs")
    client.force_login(alice)
    assert client.post(reverse("api_tokens:revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    response = client.post(reverse("api_tokens:revoke", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert "Revoked" in client.get(URL).content.decode()
    assert client.get("/api/v1/cycles", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_person_sees_only_their_own_tokens(client, alice, bob):
    create_token(bob, "Bob's secret script")
    client.force_login(alice)
    assert "Bob's secret script" not in client.get(URL).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
