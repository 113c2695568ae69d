import datetime as dt
import io

from assurance.demo import STEPS
from freedoms.demo import create_demo_consequences
from freedoms.models import BudgetProposal, Franchise, FranchiseStatus, FundApplication, Grant, Plan
from tests.factories import CycleFactory
from tests.freedoms.factories import publish


def test_the_freedoms_step_is_registered_after_the_assurance_steps():
    names = [name for name, _ in STEPS]
    assert names[-1] == "freedoms" or "freedoms" in names
    assert names.index("freedoms") > names.index("people")


def test_without_a_publication_it_says_so_and_does_nothing(dora):
    out = io.StringIO()
    create_demo_consequences(None, out)
    assert "no complete 2008/09 publication yet" in out.getvalue()
    assert not Grant.objects.exists()


def test_it_confirms_2008_09_and_makes_examples_once(dora, camden, islington, durham, lena):
    cycle = CycleFactory(year_label="2008/09", open_phase=5)
    publication = publish({camden: "freedoms", durham: "support", islington: "notice"}, cycle=cycle)
    out = io.StringIO()
    create_demo_consequences(None, out)
    create_demo_consequences(None, out)
    publication.refresh_from_db()
    assert publication.confirmed_by == dora
    assert Grant.objects.count() == 7
    approved = Franchise.objects.get(status=FranchiseStatus.APPROVED)
    assert (approved.franchisor.code, approved.receiver.code) == ("5K7", "5K8")
    assert Franchise.objects.count() == 2
    assert BudgetProposal.objects.count() == 1
    assert FundApplication.objects.count() == 2
    assert Plan.objects.filter(status="agreed").count() == 1


def test_without_freedoms_holders_it_still_makes_fund_and_plan_examples(
    dora, camden, islington, lena
):
    from freedoms.models import ReviewRecord

    cycle = CycleFactory(year_label="2008/09", open_phase=5)
    publish({camden: "support", islington: "notice"}, cycle=cycle)
    out = io.StringIO()
    create_demo_consequences(None, out)
    create_demo_consequences(None, out)
    assert "no PCT is in the freedoms tier" in out.getvalue()
    assert not Franchise.objects.exists()
    assert FundApplication.objects.count() == 2
    plan = Plan.objects.get(status="agreed")
    assert plan.pct == islington
    assert plan.actions.count() == 2
    assert ReviewRecord.objects.filter(pct=islington).count() == 1


def test_its_examples_are_dated_from_the_cycle_not_the_clock(dora, camden, islington, durham, lena):
    from assurance.models import AuditEntry, Notification
    from freedoms.models import PlanAction, ReviewRecord, SentNotification, Standing

    cycle = CycleFactory(year_label="2008/09", open_phase=5)
    publication = publish({camden: "freedoms", durham: "support", islington: "notice"}, cycle=cycle)
    create_demo_consequences(None, io.StringIO())
    publication.refresh_from_db()
    phase = cycle.phase(5)
    confirmed = publication.confirmed_at.date()
    assert phase.opens_on < confirmed <= phase.closes_on
    within_a_year = {confirmed + dt.timedelta(days=n) for n in range(366)}
    stamps = [
        *Grant.objects.values_list("granted_at", flat=True),
        *Standing.objects.values_list("since", flat=True),
        *[
            at
            for f in Franchise.objects.all()
            for at in (f.proposed_at, f.accepted_at, f.approved_at)
            if at
        ],
        *Franchise.objects.values_list("starts_on", flat=True),
        *BudgetProposal.objects.values_list("submitted_at", flat=True),
        *[at for a in FundApplication.objects.all() for at in (a.submitted_at, a.decided_at) if at],
        *Plan.objects.filter(agreed_at__isnull=False).values_list("agreed_at", flat=True),
        *PlanAction.objects.values_list("due_on", flat=True),
        *[d for r in ReviewRecord.objects.all() for d in (r.held_on, r.recorded_at)],
        *SentNotification.objects.values_list("sent_at", flat=True),
        *Notification.objects.values_list("created_at", flat=True),
        *AuditEntry.objects.values_list("at", flat=True),
    ]
    assert len(stamps) > 20
    days = {s.date() if isinstance(s, dt.datetime) else s for s in stamps}
    assert days <= within_a_year
