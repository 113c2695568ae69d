import pytest
from django.test import Client
from django.urls import reverse

from assurance.models import Cycle, PhaseChange, PhaseStatus

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["alice", "ann", "sara", "lena", "nick"])
def test_only_dh_sees_cycle_management(request, cycle, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("cycles:list")).status_code == 403
    assert client.get(reverse("cycles:detail", args=["2009-10"])).status_code == 403
    assert (
        client.post(reverse("cycles:phase_change", args=["2009-10", 1, "close"])).status_code == 403
    )


def test_dh_sees_the_cycle_and_its_phases(dora, cycle):
    html = client_for(dora).get(reverse("cycles:detail", args=["2009-10"])).content.decode()
    assert "Self-assessment" in html and "31 December 2009" in html
    assert 'data-testid="phase-1-status">Open' in html


def test_closing_a_phase_says_what_will_happen_and_asks_for_a_confirmation(dora, cycle):
    from tests.factories import PCTFactory, SelfAssessmentFactory

    client = client_for(dora)
    started = SelfAssessmentFactory(cycle=cycle)
    from assurance.models import GovernanceDeclaration

    GovernanceDeclaration.objects.create(self_assessment=started, area="strategy", rating="green")
    PCTFactory()  # a PCT that has not started
    url = reverse("cycles:phase_change", args=["2009-10", 1, "close"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "will be marked not submitted" in html
    assert "1 PCT in progress" in html
    assert 'name="confirm"' in html

    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Confirm that you want to close this phase" in refused.content.decode()
    assert cycle.phases.get(kind=1).status == PhaseStatus.OPEN

    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert cycle.phases.get(kind=1).status == PhaseStatus.CLOSED


def test_dh_reopens_a_phase_only_with_a_reason(dora, cycle):
    client = client_for(dora)
    close = reverse("cycles:phase_change", args=["2009-10", 1, "close"])
    assert client.post(close, {"confirm": "yes"}).status_code == 302
    reopen = reverse("cycles:phase_change", args=["2009-10", 1, "reopen"])
    assert client.get(reopen).status_code == 200
    refused = client.post(reopen, {"reason": ""})
    assert refused.status_code == 400 and "Give a reason" in refused.content.decode()
    ok = client.post(reopen, {"reason": "Late boards"})
    assert ok.status_code == 302
    assert cycle.phases.get(kind=1).status == PhaseStatus.OPEN
    assert PhaseChange.objects.filter(reason="Late boards", changed_by=dora).exists()


def test_the_cycle_page_counts_what_is_left_to_do(dora, cycle, django_assert_max_num_queries):
    from tests.factories import SelfAssessmentFactory

    SelfAssessmentFactory(cycle=cycle, status="submitted")
    client = client_for(dora)
    with django_assert_max_num_queries(25):
        html = client.get(reverse("cycles:detail", args=["2009-10"])).content.decode()
    assert 'data-testid="progress-self-assessment"' in html
    assert 'data-testid="progress-panels"' in html


def test_dh_creates_a_cycle_and_bad_dates_are_refused_in_place(dora, reference_data):
    from assurance.models import Framework

    framework = Framework.objects.get(year_label="2009/10")
    data = {"year_label": "2009/10", "framework": framework.pk}
    for k in range(1, 6):
        data[f"phase_{k}_opens"] = f"2009-0{k}-01"
        data[f"phase_{k}_closes"] = f"2009-0{k}-20"
    data["phase_2_closes"] = "2009-01-01"
    client = client_for(dora)
    bad = client.post(reverse("cycles:create"), data)
    assert bad.status_code == 400 and "close date must be" in bad.content.decode()
    data["phase_2_closes"] = "2009-02-20"
    assert client.post(reverse("cycles:create"), data).status_code == 302
    assert Cycle.objects.get().phases.count() == 5


def test_start_from_last_year(dora, cycle):
    response = client_for(dora).post(reverse("cycles:start_next", args=["2009-10"]))
    assert response["Location"] == reverse("cycles:detail", args=["2010-11"])


def test_rule_settings_are_saved_and_validated(dora, cycle):
    client = client_for(dora)
    data = {
        "freedoms_cap": 12,
        "notice_cap": 7,
        "min_level_four": 2,
        "elite_share": "0.2",
        "outcome_threshold": "1.5",
    }
    assert client.post(reverse("cycles:settings", args=["2009-10"]), data).status_code == 400
    data["outcome_threshold"] = "0.5"
    assert client.post(reverse("cycles:settings", args=["2009-10"]), data).status_code == 302
    cycle.refresh_from_db()
    assert cycle.freedoms_cap == 12
