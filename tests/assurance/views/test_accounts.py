"""Signing in, role-aware navigation and failed-login lockout."""

import pytest
from django.urls import reverse

from assurance.models import Role, User

PASSWORD = "correct horse battery staple"


def _login(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_people_sign_in_with_their_email(client, alice):
    response = _login(client, alice.email)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == alice


def test_a_wrong_password_is_refused_with_a_message(client, alice):
    response = _login(client, alice.email, "wrong")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_header_shows_the_role_and_organisation(client, alice, sara, dora):
    for user, text in [
        (alice, "PCT staff, Camden"),
        (sara, "SHA assessor, London"),
        (dora, "DH staff, Department of Health"),
    ]:
        client.force_login(user)
        assert text in client.get(reverse("home")).content.decode()


def test_an_account_locks_after_five_failures(client, alice):
    for _ in range(5):
        _login(client, alice.email, "wrong")
    response = _login(client, alice.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_of_one_account_leaves_others_alone(client, alice, bob):
    for _ in range(5):
        _login(client, alice.email, "wrong")
    assert _login(client, bob.email).status_code == 302


def test_pct_roles_need_a_pct(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create_user("x@example.nhs.uk", PASSWORD, full_name="X", role=Role.PCT_STAFF)


def test_sign_out_is_a_post(client, alice):
    client.force_login(alice)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_and_change_pages_render(client, alice):
    assert client.get(reverse("password_reset")).status_code == 200
    client.force_login(alice)
    assert client.get(reverse("password_change")).status_code == 200
