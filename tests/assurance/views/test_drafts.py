"""Drafts kept for after sign-in are bounded (issue 13, finding 8: one anonymous POST stored
4.2 MB in the session)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from assurance.views.drafts import MAX_DRAFT_BYTES, MAX_DRAFTS, SESSION_KEY

pytestmark = pytest.mark.django_db


def competency_url(number: int = 3) -> str:
    return reverse("self_assessment:competency", args=["2009-10", "5K7", number])


def stored_session_bytes() -> int:
    return sum(len(s.session_data) for s in Session.objects.all())


def test_a_signed_out_post_keeps_its_draft_for_after_sign_in(client):
    response = client.post(competency_url(), {"slot": "c3", "c3-evidence": "Our board minutes."})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.session[SESSION_KEY][competency_url()]["fields"]["c3-evidence"] == [
        "Our board minutes."
    ]


def test_a_huge_signed_out_post_is_not_kept_in_the_session(client):
    response = client.post(competency_url(), {"slot": "c3", "c3-evidence": "x" * (4 << 20)})
    assert response.status_code == 302
    assert competency_url() not in client.session.get(SESSION_KEY, {})
    assert stored_session_bytes() < 4096


def test_many_pages_keep_only_a_few_drafts(client):
    evidence = "y" * (MAX_DRAFT_BYTES - 1024)
    for number in range(1, 11):
        client.post(competency_url(number), {"slot": f"c{number}", f"c{number}-evidence": evidence})
    drafts = client.session[SESSION_KEY]
    assert list(drafts) == [competency_url(n) for n in range(11 - MAX_DRAFTS, 11)]
    # base64 of the JSON: well under half a megabyte whatever is posted.
    assert stored_session_bytes() < MAX_DRAFTS * MAX_DRAFT_BYTES * 1.4
