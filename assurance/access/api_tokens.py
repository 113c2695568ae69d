"""Whose API token is whose (issue 16). A person sees and revokes only their own tokens;
a bearer secret is a person only while the token is live and the account active."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from assurance.models import ApiToken

#: Every secret starts so: a leaked one is recognisable to secret scanners and people.
TOKEN_PREFIX = "wcc_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def tokens_for_user(user: Any) -> QuerySet[ApiToken]:
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def get_token_for_user(user: Any, pk: int) -> ApiToken:
    """One of the user's own tokens, or 404 (another person's token is not there)."""
    token = tokens_for_user(user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token")
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token a bearer secret names, with its owner, in one query; else None.

    Looked up by digest, so the secret itself is never compared or stored.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("user", "user__pct", "user__sha")
        .filter(digest=digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
