"""A person's notifications: the list, mark one read, mark all read (issue 15, part 4).

Everyone signed in has their own; nobody sees another's (every read is scoped to
``request.user``, so another person's notification is simply not found).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from assurance.access import notifications as access
from assurance.queries import notifications as queries
from assurance.services import notifications as service

PER_PAGE = 25


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.for_user(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "assurance/notifications/list.html", {"page_obj": page})


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = access.get_notification_for_user(request.user, pk)
    service.mark_read(request.user, notification.pk)
    return redirect("notifications:list")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = service.mark_all_read(request.user)
    if count:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("notifications:list")
