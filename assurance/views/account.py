"""The "Your account" page (issue 15): reminder emails and the calendar feed, each in its own
section; more sections (API tokens) follow the same pattern — a form posting to its own URL,
the page re-rendered with that form's errors — and the personal calendar feed itself."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from assurance.forms.account import CalendarFeedForm, ReminderEmailsForm
from assurance.models import CalendarFeed, User
from assurance.queries import calendar as calendar_queries
from assurance.rules import calendar as ics
from assurance.services import account as service


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    user = request.user
    context.setdefault(
        "reminder_form",
        ReminderEmailsForm(initial={"reminder_emails": "yes" if user.reminder_emails else "no"}),
    )
    context.setdefault("calendar_form", CalendarFeedForm())
    context["feed"] = CalendarFeed.objects.filter(user=user).first()
    return render(request, "account/account.html", context, status=status)


@require_GET
@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@login_required
def reminders(request: HttpRequest) -> HttpResponse:
    form = ReminderEmailsForm(request.POST)
    if not form.is_valid():
        return _page(request, 400, reminder_form=form)
    on = form.cleaned_data["reminder_emails"]
    service.set_reminder_emails(request.user, on=on)
    messages.success(
        request,
        "You will get reminder emails."
        if on
        else "Reminder emails are off. Reminders still appear in your notifications.",
    )
    return redirect("account")


@never_cache
@require_POST
@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    form = CalendarFeedForm(request.POST)
    if not form.is_valid():
        return _page(request, 400, calendar_form=form)
    if form.cleaned_data["action"] == "revoke":
        service.revoke_calendar_feed(request.user)
        messages.success(request, "Your calendar link is turned off. Calendars using it stop.")
        return redirect("account")
    token = service.new_calendar_feed(request.user)
    # Shown once, on this response: only the token's hash is kept.
    return _page(
        request, feed_url=request.build_absolute_uri(reverse("calendar_feed", args=[token]))
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's deadlines, panel days, action due dates and review dates as iCalendar.
    The secret token is the only credential (calendar apps cannot sign in): a wrong,
    malformed or revoked token is 404, like a page that does not exist."""
    user = calendar_queries.feed_owner(token)
    if user is None:
        raise Http404
    return feed_response(user, calendar_queries.entries_for(user), timezone.now())


LONDON = ZoneInfo("Europe/London")


def _event(entry: calendar_queries.Entry, stamp: dt.datetime) -> ics.CalendarEvent:
    link = f"{settings.SITE_URL}{entry.link}" if entry.link else ""
    if entry.starts is None or entry.ends is None:
        return ics.all_day(entry.uid, stamp, entry.day, entry.summary, entry.description, link)

    def utc(t: dt.time) -> dt.datetime:
        return dt.datetime.combine(entry.day, t, tzinfo=LONDON).astimezone(dt.UTC)

    return ics.CalendarEvent(
        uid=entry.uid,
        stamp=stamp,
        starts=utc(entry.starts),
        ends=utc(entry.ends),
        summary=entry.summary,
        location=entry.location,
        description=entry.description,
        url=link,
    )


def feed_response(
    user: User, entries: list[calendar_queries.Entry], now: dt.datetime
) -> HttpResponse:
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    body = ics.ics_calendar(
        [_event(entry, stamp) for entry in entries],
        prodid="-//WCC Assurance//Personal calendar//EN",
        name=f"WCC Assurance: {user.full_name or user.email}",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="wcc-assurance.ics"'
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
