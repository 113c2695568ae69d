"""Personal API tokens: made with a secret shown once, stored as a digest, revoked for good."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from assurance.access.api_tokens import token_for_secret
from assurance.models import ApiToken, AuditEntry
from assurance.services import api_tokens as service
from assurance.services.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_it_stores_only_a_digest_of_the_secret(alice):
    token, secret = service.create_token(alice, "  Dashboard  ")
    assert secret.startswith("wcc_") and len(secret) > 40
    assert token.name == "Dashboard"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(v) for v in ApiToken.objects.values().get(pk=token.pk).values())
    assert secret.startswith(token.prefix) and len(token.prefix) == 10
    assert AuditEntry.objects.filter(action="api_token.created", object_id=token.pk).exists()


def test_each_secret_is_different(alice):
    assert service.create_token(alice, "a")[1] != service.create_token(alice, "b")[1]


def test_it_refuses_a_blank_name_and_more_than_the_limit(alice):
    with pytest.raises(ServiceError) as blank:
        service.create_token(alice, "   ")
    assert blank.value.field == "name"
    for n in range(service.MAX_LIVE_TOKENS):
        service.create_token(alice, f"t{n}")
    with pytest.raises(ServiceError, match="revoke one"):
        service.create_token(alice, "one too many")
    service.revoke_token(alice, ApiToken.objects.filter(user=alice).first())
    service.create_token(alice, "room again")


def test_a_revoked_token_no_longer_opens_and_revoking_twice_changes_nothing(alice):
    token, secret = service.create_token(alice, "Script")
    assert token_for_secret(secret).user == alice
    service.revoke_token(alice, token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    service.revoke_token(alice, token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert token_for_secret(secret) is None
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1


def test_a_made_up_or_overlong_secret_names_nobody(alice):
    service.create_token(alice, "Script")
    assert token_for_secret("wcc_" + "a" * 43) is None
    assert token_for_secret("wcc_" + "a" * 500) is None
    assert token_for_secret("") is None


def test_last_used_is_written_at_most_every_few_minutes(alice, django_assert_num_queries):
    token, _ = service.create_token(alice, "Busy script")
    with django_assert_num_queries(1):
        service.note_use(token)
    with django_assert_num_queries(0):
        service.note_use(token)
    token.last_used_at = timezone.now() - service.LAST_USED_RESOLUTION - dt.timedelta(seconds=1)
    with django_assert_num_queries(1):
        service.note_use(token)
