"""A person's API tokens (issue 16): create one (its secret shown once), see when each was
last used, revoke one. Read-only API access with exactly the person's own rights."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from assurance.access import api_tokens as access
from assurance.forms.api_tokens import ApiTokenForm
from assurance.services import api_tokens as service
from assurance.services.errors import ServiceError


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = service.create_token(request.user, form.cleaned_data["name"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "assurance/api_tokens/tokens.html",
        {
            "form": form,
            "tokens": access.tokens_for_user(request.user),
            "created": created,
            "secret": secret,
        },
        status=400 if form.errors else 200,
    )
    # The page may carry a secret shown once: no cache, no back-button copy.
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = access.get_token_for_user(request.user, pk)
    service.revoke_token(request.user, token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer opens the API.")
    return redirect("api_tokens:tokens")
