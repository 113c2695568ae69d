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


# --- Password spraying: a per-address limit (issue 13, finding 8)


@pytest.fixture
def limit(settings):
    settings.LOGIN_ADDRESS_ACCOUNT_LIMIT = 3
    settings.LOGIN_ADDRESS_WINDOW_MINUTES = 15
    return 3


def _spray(client, accounts, address="203.0.113.9"):
    for i in range(accounts):
        response = client.post(
            reverse("login"),
            {"username": f"victim{i}@example.nhs.uk", "password": "Winter2009!"},
            REMOTE_ADDR=address,
        )
        assert response.status_code == 200


def test_an_address_spraying_many_accounts_must_wait(client, alice, limit):
    from axes.models import AccessAttempt

    _spray(client, limit)
    response = client.post(
        reverse("login"),
        {"username": alice.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "too many failed sign-in attempts from your network" in html
    assert alice.email in html  # what was typed stays in the form
    assert "_auth_user_id" not in client.session
    # Refused before the password was checked: nothing counted against Alice's account.
    assert not AccessAttempt.objects.filter(username=alice.email).exists()


def test_another_address_is_not_limited(client, alice, limit):
    _spray(client, limit)
    response = client.post(
        reverse("login"),
        {"username": alice.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302


def test_one_persons_typos_never_limit_their_address(client, alice, bob, limit):
    for _ in range(4):  # below axes' per-account lock, above the per-address limit
        client.post(reverse("login"), {"username": bob.email, "password": "wrong"})
    assert _login(client, alice.email).status_code == 302


def test_a_browser_that_signed_in_before_may_still_sign_in(client, alice, limit):
    """A trust behind one NAT address: a sprayer there does not lock its staff out."""
    from django.test import Client

    own_machine = Client()
    assert _login(own_machine, alice.email).status_code == 302
    own_machine.post(reverse("logout"))
    _spray(client, limit, address="127.0.0.1")
    assert _login(client, alice.email).status_code == 429  # the sprayer's browser
    assert _login(own_machine, alice.email).status_code == 302


def test_the_limit_lifts_after_the_cool_off(client, alice, limit, monkeypatch):
    import time

    from wcc import accounts

    _spray(client, limit, address="127.0.0.1")
    assert _login(client, alice.email).status_code == 429
    later = time.time() + 16 * 60
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    assert _login(client, alice.email).status_code == 302


@pytest.mark.parametrize(
    ("meta", "behind_proxy", "expected"),
    [
        ({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, False, "10.0.0.5"),
        ({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, True, "1.2.3.4"),
        ({"REMOTE_ADDR": "2001:db8:1:2:3:4:5:6"}, False, "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "::ffff:192.0.2.1"}, False, "192.0.2.1"),
    ],
)
def test_failures_count_against_the_client_address(settings, meta, behind_proxy, expected):
    from django.test import RequestFactory

    from wcc.accounts import client_address

    settings.BEHIND_PROXY = behind_proxy
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_a_login_over_the_field_length_is_an_error_not_a_500(client, alice):
    """Issue 13, finding 8: a 300-character login reached django-axes, whose 255-character
    column made PostgreSQL fail."""
    from axes.models import AccessAttempt

    long_login = "a" * 300 + "@example.nhs.uk"
    response = _login(client, long_login, "whatever")
    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()


# --- Idle timeout (issue 13, finding 8)


def test_a_session_ends_after_eight_hours_without_activity(client, alice, settings, monkeypatch):
    """The 8 hours restart as the person uses the site, at most every 5 minutes (a save on
    every request would add a write to every autosave)."""
    import time

    from django.contrib.sessions.models import Session

    from wcc import middleware

    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    _login(client, alice.email)
    first = client.get(reverse("home"))
    assert settings.SESSION_COOKIE_NAME not in first.cookies  # refreshed at sign-in
    expires = Session.objects.get().expire_date
    later = time.time() + 6 * 60
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    response = client.get(reverse("home"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 60 * 60
    assert Session.objects.get().expire_date > expires
    assert "_auth_user_id" in client.session


def test_an_idle_session_is_signed_out(client, alice):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    _login(client, alice.email)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("self_assessment:start"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_sign_in_page_says_when_people_are_signed_out(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "signed out after 8 hours without activity" in html


def test_the_sign_in_form_uses_nhs_inputs_and_nhs_wording(client, reference_data):
    page = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert 'class="nhsuk-input nhsuk-input--error"' in page
    assert "Enter your email address" in page and "Enter your password" in page
    wrong = client.post(reverse("login"), {"username": "nobody@example.nhs.uk", "password": "x"})
    assert "Enter the email address and password of your account" in wrong.content.decode()


def test_change_and_reset_password_forms_use_nhs_inputs(client, alice):
    client.force_login(alice)
    page = client.post(reverse("password_change"), {}).content.decode()
    assert "nhsuk-input" in page and "Enter your current password" in page
    client.logout()
    reset = client.post(reverse("password_reset"), {"email": "not-an-email"}).content.decode()
    assert "nhsuk-input--error" in reset and "Enter an email address in the right format" in reset
