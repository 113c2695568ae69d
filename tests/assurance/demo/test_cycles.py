import io
import random

import pytest

from assurance.demo import cycles, people
from assurance.models import AuditEntry, PhaseStatus, SelfAssessment, SelfAssessmentStatus

pytestmark = pytest.mark.django_db


def run(seed=2009):
    people.create_demo_users(random.Random(f"{seed}:people"), io.StringIO())
    cycles.create_demo_cycles(random.Random(f"{seed}:cycles"), io.StringIO())


def snapshot():
    return sorted(
        SelfAssessment.objects.values_list(
            "cycle__year_label", "pct__code", "status", "board_ratified_on"
        )
    )


def test_2008_09_is_complete_history(reference_data):
    run()
    year_one = SelfAssessment.objects.filter(cycle__year_label="2008/09")
    assert year_one.count() == 152
    assert set(year_one.values_list("status", flat=True)) == {SelfAssessmentStatus.SUBMITTED}
    assert year_one.first().cycle.framework.year_label == "2008/09"
    phases = {p.kind: p.status for p in year_one.first().cycle.phases.all()}
    assert {phases[k] for k in (1, 2, 3, 4)} == {PhaseStatus.CLOSED}
    assert phases[5] == PhaseStatus.SCHEDULED  # the publications step opens it
    assert (
        AuditEntry.objects.filter(
            action="self_assessment.submitted", cycle__year_label="2008/09"
        ).count()
        == 152
    )


def test_2009_10_is_in_self_assessment_with_a_mix(reference_data):
    run()
    year_two = SelfAssessment.objects.filter(cycle__year_label="2009/10")
    statuses = set(year_two.values_list("status", flat=True))
    assert statuses == {SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.DRAFT}
    assert 0 < year_two.count() < 152  # some not started
    camden = year_two.get(pct__code="5K7")
    assert camden.status == SelfAssessmentStatus.DRAFT
    assert 0 < camden.competency_ratings.count() < 11
    assert not year_two.filter(pct__code="5K8").exists()
    assert camden.cycle.phase(1).status == PhaseStatus.OPEN


def test_the_demo_is_deterministic_and_safe_to_run_twice(reference_data):
    run()
    first = snapshot()
    run()
    assert snapshot() == first
