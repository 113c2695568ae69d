"""A person's notifications: the header's unread count, the list, mark read (issue 15 part 4)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assurance.models import Notification, NotificationKind
from assurance.services.notifications import send

pytestmark = pytest.mark.django_db


def notices(user, count, **kw):
    for i in range(count):
        Notification.objects.create(
            recipient=user,
            key=f"test:{user.pk}:{i}:{kw.get('read_at')}",
            subject=f"Notice {i} for {user.full_name}",
            body="Body <b>not markup</b>",
            link=kw.get("link", "/freedoms/"),
            read_at=kw.get("read_at"),
        )


def test_the_header_shows_the_unread_count_in_one_query(client, alice):
    notices(alice, 3)
    client.force_login(alice)
    client.get(reverse("home"))  # warm: session, user
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">3<' in body
    counts = [q["sql"] for q in queries if "assurance_notification" in q["sql"]]
    assert len(counts) == 1, counts


def test_no_count_when_all_is_read_and_none_for_the_signed_out(client, alice):
    from django.utils import timezone

    notices(alice, 2, read_at=timezone.now())
    client.force_login(alice)
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not [q for q in queries if "assurance_notification" in q["sql"]]


def test_the_list_is_one_persons_own_in_a_fixed_number_of_queries(
    client, alice, bob, django_assert_max_num_queries
):
    notices(alice, 30)
    notices(bob, 2)
    client.force_login(alice)
    client.get(reverse("notifications:list"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:list"))
    body = response.content.decode()
    assert body.count('data-testid="notification"') == 25  # a page
    assert "for Bob" not in body
    assert "&lt;b&gt;not markup&lt;/b&gt;" in body
    page_2 = client.get(reverse("notifications:list"), {"page": "2"}).content.decode()
    assert page_2.count('data-testid="notification"') == 5
    # A hostile page number shows a page, never an error.
    assert client.get(reverse("notifications:list"), {"page": "x\x00'"}).status_code in (200, 400)


def test_mark_one_read_and_all_read(client, alice):
    notices(alice, 3)
    first = alice.notifications.order_by("pk").first()
    client.force_login(alice)
    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    assert alice.notifications.filter(read_at__isnull=True).count() == 2
    client.post(reverse("notifications:read_all"))
    assert alice.notifications.filter(read_at__isnull=True).count() == 0


def test_nobody_marks_anothers_notification(client, alice, bob):
    notices(bob, 1)
    client.force_login(alice)
    client.post(reverse("notifications:read", args=[bob.notifications.get().pk]))
    client.post(reverse("notifications:read_all"))
    assert bob.notifications.get().read_at is None


def test_marking_read_needs_a_post_with_csrf(alice):
    from django.test import Client

    notices(alice, 1)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.get(reverse("notifications:read_all")).status_code == 405
    assert strict.post(reverse("notifications:read_all")).status_code == 403
    assert alice.notifications.get().read_at is None


def test_every_email_lands_in_the_product_once_per_person(
    alice, ann, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            send(
                [alice, ann, alice],
                key="plan:1:agreed",
                subject="Recovery plan agreed",
                template="reminder",
                context={"kind": {"label": "x"}, "item": {"title": "y"}},
                link="/freedoms/plans/1/",
            )
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, ann.email]
    assert alice.notifications.get().link == "/freedoms/plans/1/"
    assert alice.notifications.get().emailed


def test_a_message_is_emailed_even_to_those_who_turned_off_reminder_emails(
    alice, django_capture_on_commit_callbacks
):
    alice.reminder_emails = False
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], key="k1", subject="A message", template="reminder", context={})
        send(
            [alice],
            key="k2",
            subject="A reminder",
            template="reminder",
            context={},
            kind=NotificationKind.REMINDER,
        )
    assert [m.subject for m in mail.outbox] == ["A message"]
    assert alice.notifications.count() == 2


def test_a_refused_email_leaves_the_notice_marked_not_emailed(
    alice, settings, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("assurance.services.notifications.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], key="k", subject="A message", template="reminder", context={})
    assert alice.notifications.get().emailed is False


def test_the_header_links_the_account_page(client, alice):
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("account")}"' in body
    assert f'href="{reverse("notifications:list")}"' in body
