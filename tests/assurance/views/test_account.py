"""The "Your account" page: reminder emails, and the personal calendar feed (issue 15
parts 4–5)."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.urls import reverse

from assurance.models import AuditEntry, CalendarFeed
from tests.assurance.panel_factories import panel_day, submitted_self_assessment

pytestmark = pytest.mark.django_db


def test_the_page_has_its_sections(client, alice):
    client.force_login(alice)
    body = client.get(reverse("account")).content.decode()
    assert 'id="reminders"' in body and 'id="calendar"' in body
    assert alice.email in body
    assert 'data-testid="feed-off"' in body


def test_the_signed_out_are_sent_to_sign_in(client):
    response = client.get(reverse("account"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_reminder_emails_can_be_turned_off_and_on(client, alice):
    client.force_login(alice)
    response = client.post(reverse("account_reminders"), {"reminder_emails": "no"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.reminder_emails is False
    assert AuditEntry.objects.filter(action="account.reminder_emails", actor=alice).count() == 1
    assert 'value="no" checked' in client.get(reverse("account")).content.decode()
    client.post(reverse("account_reminders"), {"reminder_emails": "yes"})
    alice.refresh_from_db()
    assert alice.reminder_emails is True


@pytest.mark.parametrize("data", [{}, {"reminder_emails": "maybe"}, {"reminder_emails": "\x00"}])
def test_a_bad_choice_is_shown_as_an_error_and_changes_nothing(client, alice, data):
    client.force_login(alice)
    response = client.post(reverse("account_reminders"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    alice.refresh_from_db()
    assert alice.reminder_emails is True


def make_feed(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("account_calendar"), {"action": "new"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    url = re.search(r'id="feed-url" type="text" value="([^"]+)"', response.content.decode())[1]
    return url.replace("http://testserver", "")


def test_a_feed_url_is_shown_once_and_only_its_hash_is_kept(client, alice):
    path = make_feed(client, alice)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=alice)
    assert token not in feed.token_hash and len(feed.token_hash) == 64
    body = client.get(reverse("account")).content.decode()
    assert token not in body and 'data-testid="feed-on"' in body


def test_the_feed_holds_a_pct_persons_deadlines_panel_and_plan_dates(
    client, cycle, alice, bob, camden, islington, sara, dora
):
    from freedoms.catalogue import load_catalogue
    from freedoms.models import Plan
    from tests.freedoms.factories import PlanActionFactory, confirmed

    load_catalogue()
    prior = cycle.previous or cycle
    publication = confirmed({camden: "notice", islington: "notice"}, dora, cycle=prior)
    assert publication
    camden_plan = Plan.objects.get(pct=camden, subject="notice")
    PlanActionFactory(plan=camden_plan, due_on=dt.date(2010, 2, 1), description="Hire a GP lead")
    islington_plan = Plan.objects.get(pct=islington, subject="notice")
    PlanActionFactory(plan=islington_plan, due_on=dt.date(2010, 2, 2), description="Islington's")
    submitted_self_assessment(cycle, camden)
    panel_day(cycle, camden.sha, [sara], slots=[(camden, "10:00", "12:00")])

    path = make_feed(client, alice)
    client.logout()  # a calendar app has no session: the token is the credential
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}
    assert "WCC 2009/10: self-assessment deadline" in events
    assert events["WCC 2009/10: self-assessment deadline"].decoded("DTSTART") == dt.date(
        2009, 12, 31
    )
    panel = events["WCC panel: Camden (2009/10)"]
    assert panel.decoded("DTSTART") == dt.datetime(2010, 4, 20, 9, 0, tzinfo=dt.UTC)  # BST
    assert any(s.startswith("Action due: Camden") for s in events)
    assert any(s.startswith("Performance review due: Camden") for s in events)
    assert not any("Islington" in s for s in events)  # another PCT's plan is not hers
    assert all(e.get("UID") and e.get("DTSTAMP") for e in events.values())
    # Not the panel-scoring phases: those are the SHA's.
    assert not any("panel days deadline" in s for s in events)


def test_a_panel_members_feed_has_their_panel_day_and_the_phase_deadlines(
    client, reference_data, camden, sara, django_assert_max_num_queries
):
    from tests.assurance.panel_factories import panel_cycle

    cycle = panel_cycle()
    submitted_self_assessment(cycle, camden)
    day = panel_day(cycle, camden.sha, [sara], slots=[(camden, "10:00", "12:00")])
    path = make_feed(client, sara)
    with django_assert_max_num_queries(8):
        text = client.get(path).content.decode()
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")]
    assert f"WCC panel day: {day.sha.name} (2009/10)" in summaries
    assert "WCC 2009/10: panel days deadline" in summaries
    assert "WCC 2009/10: self-assessment deadline" not in summaries


def test_a_new_link_ends_the_old_one_and_revoking_ends_it(client, alice):
    old = make_feed(client, alice)
    new = make_feed(client, alice)
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.force_login(alice)
    assert client.post(reverse("account_calendar"), {"action": "revoke"}).status_code == 302
    client.logout()
    assert client.get(new).status_code == 404
    assert not CalendarFeed.objects.filter(user=alice).exists()


def test_a_switched_off_accounts_feed_stops(client, alice):
    path = make_feed(client, alice)
    alice.is_active = False
    alice.save()
    client.logout()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "A" * 43,
        "A" * 44,
        "A" * 5000,
        "%00" * 43,
        "' OR 1=1 --",
        "é" * 43,
        "..%2F..%2Fetc%2Fpasswd",
        "%ED%A0%80",
    ],
)
def test_any_wrong_token_is_404_never_500(client, alice, token):
    make_feed(client, alice)
    client.logout()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code in (404, 400)


def test_a_bad_calendar_action_is_an_error_and_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(reverse("account_calendar"), {"action": "delete-everything"})
    assert response.status_code == 400
    assert "Choose what to do with your calendar link" in response.content.decode()
    assert not CalendarFeed.objects.filter(user=alice).exists()
