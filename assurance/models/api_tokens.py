"""Personal API tokens (issue 16): a person's key to the read-only JSON API.

Only a SHA-256 digest of the secret is stored. The secret is 32 random bytes, so a fast
hash is the right one (as GitHub's and PyPI's tokens): there is nothing to guess, only a
leaked table to make useless. The prefix is kept in clear so a person can tell their tokens
apart on the page, and a revoked token keeps its row for the record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for")
    prefix = models.CharField(max_length=12, help_text="The start of the secret, shown")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
