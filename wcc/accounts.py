"""Signing in: the login form and a per-address limit on failed sign-ins (issue 13, finding 8).

django-axes locks an *account* after 5 failures. That does nothing against password
spraying — one or two guesses at each of many accounts — so failures are also counted per
client address: when one address has failed to sign in to more than
``LOGIN_ADDRESS_ACCOUNT_LIMIT`` different accounts within ``LOGIN_ADDRESS_WINDOW_MINUTES``,
its further sign-in attempts are refused (429) until enough of those failures are older
than the window (the cool-off). Built not to lock a whole trust out, whose staff share one
NAT address:

- it counts *different accounts* that failed, so one person's typos count once, and a
  normal morning's mistakes across a trust stay far below the limit;
- it is a rate limit with a cool-off, never a lockout that someone has to lift;
- a browser that has signed in to an account before carries a signed cookie saying so,
  and may still try that account while its address is limited: staff keep signing in
  from their own machines while a sprayer on the same address is held back. (Axes still
  locks an account after 5 failures, whichever browser they come from.)

Addresses: ``REMOTE_ADDR``, or with ``BEHIND_PROXY`` the last X-Forwarded-For entry (the
address the proxy saw). IPv6 addresses count by /64, the block one subscriber gets.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core import signing
from django.core.cache import cache
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse

from wcc.forms import NHSBoundField

KNOWN_COOKIE = "wcc_known_accounts"
KNOWN_SALT = "wcc.accounts.known"
KNOWN_MAX_AGE = 90 * 24 * 60 * 60
KNOWN_MAX = 5
THROTTLED_MESSAGE = (
    "There have been too many failed sign-in attempts from your network. Try again in "
    "{minutes} minutes. If you have signed in to your account on this device before, you "
    "can still sign in."
)


class LoginForm(AuthenticationForm):
    bound_field_class = NHSBoundField
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter the email address and password of your account. The password "
        "is case-sensitive.",
        "inactive": "This account has been switched off. Ask your organisation's WCC lead.",
    }

    """Django's form, but a username over the field's length is an error, not a lookup.

    ``AuthenticationForm`` sets ``max_length`` after creating the field, so no validator
    checks it: a 300-character login reached django-axes, whose 255-character column made
    PostgreSQL fail (a 500).
    """

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(getattr(field, "max_length", None) or 254))
        field.error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


def _nhs_wording(form: Any, required: dict[str, str]) -> None:
    for name, message in required.items():
        form.fields[name].error_messages["required"] = message


class NHSPasswordChangeForm(PasswordChangeForm):
    """Change password, NHS.UK-styled, with NHS-style messages."""

    bound_field_class = NHSBoundField
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
        "password_mismatch": "The new passwords do not match. Enter the same password twice.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _nhs_wording(
            self,
            {
                "old_password": "Enter your current password",
                "new_password1": "Enter a new password",
                "new_password2": "Enter the new password again",
            },
        )


class NHSSetPasswordForm(SetPasswordForm):
    bound_field_class = NHSBoundField
    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": "The new passwords do not match. Enter the same password twice.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _nhs_wording(
            self,
            {
                "new_password1": "Enter a new password",
                "new_password2": "Enter the new password again",
            },
        )


class NHSPasswordResetForm(PasswordResetForm):
    bound_field_class = NHSBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages.update(
            required="Enter your email address",
            invalid="Enter an email address in the right format, like name@example.nhs.uk",
        )


def client_address(request: HttpRequest) -> str:
    """The address failures are counted against (an IPv6 /64 counts as one)."""
    address = str(request.META.get("REMOTE_ADDR", ""))
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            address = forwarded.split(",")[-1].strip()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _account(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:16]


def _key(address: str) -> str:
    return f"login-failures:{hashlib.sha256(address.encode()).hexdigest()[:32]}"


def _window() -> int:
    return int(settings.LOGIN_ADDRESS_WINDOW_MINUTES * 60)


def _recent(address: str, now: float) -> dict[str, float]:
    """Account → time of its latest failure from this address, within the window."""
    failures = cache.get(_key(address)) or {}
    return {a: at for a, at in failures.items() if now - at < _window()}


def is_limited(address: str, now: float | None = None) -> bool:
    limit: int = settings.LOGIN_ADDRESS_ACCOUNT_LIMIT
    return len(_recent(address, now or time.time())) >= limit


def record_failure(address: str, username: str, now: float | None = None) -> None:
    """Count a failed sign-in to ``username`` from ``address``. Approximate under races
    (two processes may each add one): a rate limit, not a ledger."""
    now = now or time.time()
    failures = _recent(address, now)
    if len(failures) > settings.LOGIN_ADDRESS_ACCOUNT_LIMIT and _account(username) not in failures:
        return  # bounded: an address over the limit stores no more
    failures[_account(username)] = now
    cache.set(_key(address), failures, _window())


def _known_accounts(request: HttpRequest) -> list[str]:
    try:
        known = signing.loads(
            request.COOKIES.get(KNOWN_COOKIE, ""), salt=KNOWN_SALT, max_age=KNOWN_MAX_AGE
        )
    except signing.BadSignature:
        return []
    return [a for a in known if isinstance(a, str)] if isinstance(known, list) else []


class LoginView(auth_views.LoginView):
    """Django's sign-in view with ``LoginForm`` and the per-address limit."""

    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        hours = settings.SESSION_COOKIE_AGE / 3600
        return super().get_context_data(session_idle_hours=f"{hours:g}", **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address = client_address(request)
        username = str(request.POST.get("username", ""))
        if is_limited(address) and _account(username) not in _known_accounts(request):
            # Refused before any password is checked; the form keeps the email typed.
            form = self.authentication_form(request, initial={"username": username[:254]})
            message = THROTTLED_MESSAGE.format(minutes=round(settings.LOGIN_ADDRESS_WINDOW_MINUTES))
            context = self.get_context_data(form=form, errors=[{"id": "", "message": message}])
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        known = [_account(form.get_user().get_username())]
        known += [a for a in _known_accounts(self.request) if a not in known]
        response.set_cookie(
            KNOWN_COOKIE,
            signing.dumps(known[:KNOWN_MAX], salt=KNOWN_SALT),
            max_age=KNOWN_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if any(e.code == "invalid_login" for e in form.errors.as_data().get("__all__", [])):
            record_failure(client_address(self.request), form.cleaned_data.get("username", ""))
        return super().form_invalid(form)
