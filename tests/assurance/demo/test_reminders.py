"""The demo's reminders are dated by its calendar and sent once (issue 15; §7 [rule])."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from assurance.demo.reminders import send_demo_reminders

pytestmark = pytest.mark.django_db


def test_the_demo_sends_the_reminders_due_a_week_before_phase_1_closes(cycle, alice):
    out = io.StringIO()
    send_demo_reminders(None, out)
    notice = alice.notifications.get()
    assert notice.key.endswith(":2009-12-31:7")
    assert notice.created_at == dt.datetime(2009, 12, 24, 7, 0, tzinfo=dt.UTC)  # GMT
    assert "24 December 2009" in out.getvalue()
    send_demo_reminders(None, io.StringIO())
    assert alice.notifications.count() == 1


def test_without_an_open_self_assessment_phase_the_demo_sends_none(reference_data, alice):
    from tests.factories import CycleFactory

    CycleFactory(year_label="2009/10", open_phase=3)
    send_demo_reminders(None, io.StringIO())
    assert not alice.notifications.exists()
