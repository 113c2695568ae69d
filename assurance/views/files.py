"""Files people download through a permission check: never a public URL, never inline."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse


def private_download(file: Any, *, filename: str, content_type: str) -> FileResponse:
    """An attachment nobody caches, whose type no browser guesses, and which, should a
    browser ever render it, runs in a sandbox with nothing allowed."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
