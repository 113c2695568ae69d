import datetime as dt

from django.conf import settings
from django.core import mail
from django.utils import timezone

from freedoms.models import Plan
from freedoms.tasks import remind_overdue_actions_task
from tests.freedoms.factories import PlanActionFactory, confirmed


def test_the_overdue_check_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["freedoms-overdue-plan-actions"]
    assert entry["task"] == "freedoms.remind_overdue_actions"
    assert entry["schedule"].hour == {7}


def test_the_beat_job_run_twice_sends_once(
    dora, bob, islington, django_capture_on_commit_callbacks
):
    confirmed({islington: "notice"}, dora)
    plan = Plan.objects.get(pct=islington, subject="notice")
    PlanActionFactory(plan=plan, due_on=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        remind_overdue_actions_task.delay()
        remind_overdue_actions_task.delay()
    assert len(mail.outbox) == 1
