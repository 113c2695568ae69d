"""Personal API tokens: create (the secret shown once), revoke, note a use (issue 16)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from assurance.access.api_tokens import TOKEN_PREFIX, digest
from assurance.models import ApiToken
from assurance.services import audit
from assurance.services.errors import ServiceError

#: A person may hold this many live tokens: enough for every script, few enough to review.
MAX_LIVE_TOKENS = 10
#: "Last used" is written at most this often per token: a busy script must not turn every
#: read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


@transaction.atomic
def create_token(user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret, which is returned here and never again."""
    name = name.strip()
    if not name:
        raise ServiceError("Enter a name for the token", field="name")
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if len(live) >= MAX_LIVE_TOKENS:
        raise ServiceError(
            f"You already have {MAX_LIVE_TOKENS} tokens: revoke one you no longer use first",
            field="name",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=secret[: len(TOKEN_PREFIX) + 6], digest=digest(secret)
    )
    audit.record(actor=user, action="api_token.created", obj=token, label=token.name)
    return token, secret


@transaction.atomic
def revoke_token(user: Any, token: ApiToken) -> ApiToken:
    """Revoke one of ``user``'s tokens; revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=user, action="api_token.revoked", obj=token, label=token.name)
    return token


def note_use(token: ApiToken) -> None:
    """Record that ``token`` was used, at most once per :data:`LAST_USED_RESOLUTION`.

    One conditional UPDATE, no lock: two requests at once both setting "now" is harmless.
    Not audited: a read is not a change.
    """
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
