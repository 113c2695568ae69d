"""The daily reminders job runs from one beat entry (issue 15); freedoms adds its kind."""

import datetime as dt

from django.conf import settings
from django.core import mail
from django.utils import timezone

from assurance.queries.reminders import kinds
from assurance.tasks import send_reminders
from freedoms.models import Plan
from tests.freedoms.factories import PlanActionFactory, confirmed


def test_the_reminders_job_is_scheduled_daily_and_includes_plan_actions():
    entry = settings.CELERY_BEAT_SCHEDULE["reminders"]
    assert entry["task"] == "assurance.tasks.send_reminders"
    assert entry["schedule"].hour == {7}
    assert "plan_action" in {kind.code for kind in kinds()}


def test_the_beat_job_run_twice_sends_once(
    dora, bob, islington, django_capture_on_commit_callbacks
):
    confirmed({islington: "notice"}, dora)
    plan = Plan.objects.get(pct=islington, subject="notice")
    PlanActionFactory(plan=plan, due_on=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders.delay()
        send_reminders.delay()
    assert len(mail.outbox) == 1
