"""Service functions for panel days, review notes, scoring, consensus and moderation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assurance import models as m
from assurance.queries.panel_items import panel_items
from assurance.services import panels
from assurance.services.errors import ServiceError
from tests.assurance.panel_factories import (
    draft_self_assessment,
    full_values,
    panel_cycle,
    panel_day,
    set_phase,
    submitted_self_assessment,
)
from tests.factories import sha_user

T = dt.time.fromisoformat
pytestmark = pytest.mark.django_db


@pytest.fixture
def p3(reference_data):
    return panel_cycle(open_phase=3)


@pytest.fixture
def camden_sa(p3, camden):
    return submitted_self_assessment(p3, camden, self_level=3)


@pytest.fixture
def london_day(p3, london, sara, sam, lena, camden_sa):
    return panel_day(p3, london, [sara, sam, lena], slots=[(camden_sa.pct, "10:00", "12:00")])


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# --- Scheduling


def test_the_lead_schedules_a_panel_day_with_a_peer_expert(p3, lena, sara, london):
    peer = sha_user(london, m.Role.PEER_EXPERT, full_name="Pat Peer")
    day = panels.schedule_panel_day(
        lena, p3, date=dt.date(2010, 4, 20), venue="Skipton House", members=[sara, peer]
    )
    assert day.sha == london and day.chair == lena
    assert set(day.members.all()) == {sara, peer}
    assert m.AuditEntry.objects.filter(action="panel_day.scheduled", object_id=day.pk).exists()


def test_an_assessor_cannot_schedule_a_panel_day(p3, sara, sam):
    with pytest.raises(ServiceError, match="Only an SHA lead"):
        panels.schedule_panel_day(sara, p3, date=dt.date(2010, 4, 20), venue="X", members=[sam])


def test_it_refuses_a_member_from_another_sha(p3, lena, nick):
    with pytest.raises(ServiceError) as exc:
        panels.schedule_panel_day(lena, p3, date=dt.date(2010, 4, 20), venue="X", members=[nick])
    assert exc.value.message_dict["members"] == [
        "Nick Assessor is not an assessor or peer expert of London."
    ]


def test_it_refuses_a_panel_day_after_panel_days_closed(p3, lena, sara):
    cycle = set_phase(p3, 4)
    with pytest.raises(ServiceError, match="closed"):
        panels.schedule_panel_day(lena, cycle, date=dt.date(2010, 4, 20), venue="X", members=[sara])


def test_the_lead_adds_a_slot_for_a_submitted_pct(p3, london, lena, sara, islington):
    submitted_self_assessment(p3, islington)
    day = panel_day(p3, london, [sara])
    slot = panels.add_slot(lena, day, pct=islington, starts_at=T("10:00"), ends_at=T("12:00"))
    assert slot.panel_day == day
    assert m.AuditEntry.objects.filter(action="panel_slot.added", pct=islington).exists()


def test_it_refuses_a_pct_from_another_sha(p3, london, lena, sara, durham):
    submitted_self_assessment(p3, durham)
    day = panel_day(p3, london, [sara])
    with pytest.raises(ServiceError) as exc:
        panels.add_slot(lena, day, pct=durham, starts_at=T("10:00"), ends_at=T("12:00"))
    assert exc.value.message_dict["pct"] == ["County Durham is not a PCT of London."]


def test_it_refuses_a_pct_whose_self_assessment_is_not_submitted(p3, london, lena, sara, islington):
    draft_self_assessment(p3, islington)
    day = panel_day(p3, london, [sara])
    with pytest.raises(ServiceError) as exc:
        panels.add_slot(lena, day, pct=islington, starts_at=T("10:00"), ends_at=T("12:00"))
    assert "has not submitted its self-assessment" in exc.value.message_dict["pct"][0]


def test_it_refuses_a_member_in_two_overlapping_slots(
    london_day, p3, london, lena, sara, islington
):
    submitted_self_assessment(p3, islington)
    other = panel_day(p3, london, [sara], date=london_day.date)
    with pytest.raises(ServiceError) as exc:
        panels.add_slot(lena, other, pct=islington, starts_at=T("11:00"), ends_at=T("13:00"))
    assert messages(exc) == (
        "Sara Assessor is already on the panel for Camden at 10:00–12:00 on 20 April 2010."
    )
    assert not m.PanelSlot.objects.filter(pct=islington).exists()


def test_it_refuses_a_pct_in_two_overlapping_slots(london_day, lena, camden):
    with pytest.raises(ServiceError, match="Camden is already in a slot at 10:00–12:00"):
        panels.add_slot(lena, london_day, pct=camden, starts_at=T("11:00"), ends_at=T("12:30"))


def test_a_lead_cannot_arrange_another_shas_day(p3, north_east, nick, lena, durham):
    submitted_self_assessment(p3, durham)
    day = panel_day(p3, north_east, [nick])
    with pytest.raises(ServiceError, match="Only the SHA lead"):
        panels.add_slot(lena, day, pct=durham, starts_at=T("10:00"), ends_at=T("11:00"))


# --- Review notes


def test_an_assessor_writes_review_notes_in_phase_two(reference_data, camden, sara):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    note = panels.save_review_note(
        sara,
        sa,
        section="competency-5",
        note="Thin needs assessment.",
        questions="Where is the JSNA?",
    )
    note = panels.save_review_note(
        sara, sa, section="competency-5", note="Thin.", questions="Where is the JSNA?"
    )
    assert m.ReviewNote.objects.get().note == "Thin."
    trail = m.AuditEntry.objects.filter(action="review_note.saved").order_by("pk")
    assert [(a.field, a.old_value, a.new_value) for a in trail] == [
        ("note", "", "Thin needs assessment."),
        ("questions", "", "Where is the JSNA?"),
        ("note", "Thin needs assessment.", "Thin."),
    ]
    assert note.questions == "Where is the JSNA?"


def test_a_change_to_the_questions_alone_is_audited_as_such(reference_data, camden, sara):
    sa = submitted_self_assessment(panel_cycle(open_phase=2), camden)
    panels.save_review_note(sara, sa, section="governance", note="Thin.", questions="")
    panels.save_review_note(sara, sa, section="governance", note="Thin.", questions="Who?")
    last = m.AuditEntry.objects.filter(action="review_note.saved").latest("pk")
    assert (last.field, last.old_value, last.new_value) == ("questions", "", "Who?")


def test_saving_the_same_note_again_records_nothing(reference_data, camden, sara):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    for _ in range(2):
        panels.save_review_note(sara, sa, section="governance", note="Thin.", questions="")
    assert m.AuditEntry.objects.filter(action="review_note.saved").count() == 1


def test_several_sections_are_saved_together_or_not_at_all(reference_data, camden, sara):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    notes = {"competency-1": ("No goals.", ""), "governance": ("", "Who chairs audit?")}
    panels.save_review_notes(sara, sa, notes)
    saved = {n.section: (n.note, n.questions) for n in m.ReviewNote.objects.all()}
    assert saved == notes
    set_phase(cycle, 3)
    sa = m.SelfAssessment.objects.get(pk=sa.pk)
    with pytest.raises(ServiceError, match="phase 2"):
        panels.save_review_notes(sara, sa, {"outcomes": ("Late.", "")})
    assert m.ReviewNote.objects.count() == 2


def test_review_notes_are_refused_outside_phase_two(camden_sa, sara):
    with pytest.raises(ServiceError, match="phase 2"):
        panels.save_review_note(sara, camden_sa, section="governance", note="x", questions="")


def test_another_shas_assessor_cannot_write_notes(reference_data, camden, nick):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    with pytest.raises(ServiceError):
        panels.save_review_note(nick, sa, section="governance", note="x", questions="")


# --- Scoring


def first(sa, kind):
    return next(i for i in panel_items(sa) if i.kind == kind)


def test_a_member_records_scores_with_rationale(london_day, camden_sa, sara):
    comp = first(camden_sa, "level")
    sheet = panels.record_panel_score(sara, camden_sa, comp.key, 2, "Partnership boards weak.")
    score = sheet.scores.get()
    assert score.level == 2 and score.competency_id == comp.competency_id
    assert m.AuditEntry.objects.filter(action="panel_score.recorded", new_value="2").exists()


@pytest.mark.parametrize(
    ("kind", "value", "field", "message"),
    [
        ("level", 5, "value", "Choose a level from 1 to 4"),
        ("level", 0, "value", "Choose a level from 1 to 4"),
        ("rating", "purple", "value", "Choose red, amber or green"),
        ("actual", "lots", "value", "as a number"),
        ("level", 2, "rationale", "Enter a rationale"),
    ],
)
def test_it_rejects_bad_input_next_to_the_field(
    london_day, camden_sa, sara, kind, value, field, message
):
    item = first(camden_sa, kind)
    rationale = "" if field == "rationale" else "why"
    with pytest.raises(ServiceError) as exc:
        panels.record_panel_scores(sara, camden_sa, {item.key: (value, rationale)})
    assert message in exc.value.message_dict[f"{item.field_prefix}__{field}"][0]
    assert not m.PanelScore.objects.exists()


def test_bad_input_loses_nothing_already_saved(london_day, camden_sa, sara):
    comp = first(camden_sa, "level")
    panels.record_panel_score(sara, camden_sa, comp.key, 2, "Saved first.")
    with pytest.raises(ServiceError):
        panels.record_panel_scores(sara, camden_sa, {comp.key: (9, "bad")})
    assert m.PanelScore.objects.get().level == 2


def test_only_panel_members_score(london_day, camden_sa, nick, london):
    other = sha_user(london, full_name="Olive Offpanel")
    with pytest.raises(ServiceError, match="Only members"):
        panels.record_panel_score(other, camden_sa, first(camden_sa, "level").key, 2, "x")


def test_scoring_is_refused_outside_phase_three(london_day, camden_sa, sara):
    set_phase(camden_sa.cycle, 4)
    camden_sa = m.SelfAssessment.objects.get(pk=camden_sa.pk)
    with pytest.raises(ServiceError, match="phase 3"):
        panels.record_panel_score(sara, camden_sa, first(camden_sa, "level").key, 2, "x")


def test_a_sheet_submits_only_when_every_item_is_scored(london_day, camden_sa, sara):
    panels.record_panel_score(sara, camden_sa, first(camden_sa, "level").key, 2, "x")
    with pytest.raises(ServiceError, match="Score every item"):
        panels.submit_score_sheet(sara, camden_sa)
    panels.record_panel_scores(sara, camden_sa, full_values(camden_sa))
    sheet = panels.submit_score_sheet(sara, camden_sa)
    assert sheet.submitted_at is not None
    with pytest.raises(ServiceError, match="no longer change"):
        panels.record_panel_score(sara, camden_sa, first(camden_sa, "level").key, 3, "x")


def test_submitting_saves_the_scores_on_screen_first_and_keeps_them_if_refused(
    london_day, camden_sa, sara
):
    values = full_values(camden_sa)
    some = dict(list(values.items())[:2])
    with pytest.raises(ServiceError, match="Score every item"):
        panels.submit_score_sheet(sara, camden_sa, some)
    assert m.PanelScore.objects.filter(sheet__assessor=sara).count() == 2
    sheet = panels.submit_score_sheet(sara, camden_sa, values)
    assert sheet.submitted_at is not None
    assert sheet.scores.count() == len(values)


# --- Consensus


def submitted_sheets(sa, *members):
    for member in members:
        panels.record_panel_scores(member, sa, full_values(sa))
        panels.submit_score_sheet(member, sa)


def test_consensus_needs_a_submitted_sheet(london_day, camden_sa, lena):
    with pytest.raises(ServiceError, match="No panel member has submitted"):
        panels.set_consensus(lena, camden_sa, full_values(camden_sa))


def test_only_the_lead_sets_consensus(london_day, camden_sa, sara):
    submitted_sheets(camden_sa, sara)
    with pytest.raises(ServiceError, match="Only the SHA lead"):
        panels.set_consensus(sara, camden_sa, full_values(camden_sa))


def test_the_result_locks_when_every_item_has_consensus(london_day, camden_sa, sara, sam, lena):
    submitted_sheets(camden_sa, sara, sam)
    values = full_values(camden_sa)
    last_key = list(values)[-1]
    partial = {k: v for k, v in values.items() if k != last_key}
    result = panels.set_consensus(lena, camden_sa, partial)
    assert not result.is_locked
    result = panels.set_consensus(lena, camden_sa, {last_key: values[last_key]})
    assert result.is_locked and result.locked_by == lena
    assert m.Consensus.objects.filter(self_assessment=camden_sa).count() == len(values)
    with pytest.raises(ServiceError, match="locked"):
        panels.set_consensus(lena, camden_sa, values)


def test_items_saved_without_locking_leave_the_result_open(london_day, camden_sa, sara, lena):
    submitted_sheets(camden_sa, sara)
    result = panels.set_consensus(lena, camden_sa, full_values(camden_sa), lock=False)
    assert not result.is_locked
    assert panels.set_consensus(lena, camden_sa, full_values(camden_sa)).is_locked


def test_consensus_needs_a_rationale(london_day, camden_sa, sara, lena):
    submitted_sheets(camden_sa, sara)
    key = first(camden_sa, "level").key
    with pytest.raises(ServiceError) as exc:
        panels.set_consensus(lena, camden_sa, {key: (2, " ")})
    assert "Enter a rationale" in str(exc.value)


def test_a_consensus_rationale_without_its_value_is_refused_not_dropped(
    london_day, camden_sa, sara, lena
):
    submitted_sheets(camden_sa, sara)
    item = first(camden_sa, "level")
    with pytest.raises(ServiceError) as exc:
        panels.set_consensus(lena, camden_sa, {item.key: (None, "Agreed after discussion.")})
    assert exc.value.message_dict == {
        f"{item.field_prefix}__value": [
            f"Choose the agreed level for {item.label}, or its rationale is not saved."
        ]
    }
    assert not m.Consensus.objects.exists()


# --- Moderation


@pytest.fixture
def locked(london_day, camden_sa, sara, lena):
    submitted_sheets(camden_sa, sara)
    panels.set_consensus(lena, camden_sa, full_values(camden_sa))
    set_phase(camden_sa.cycle, 4)
    return m.SelfAssessment.objects.get(pk=camden_sa.pk)


def comp_consensus(sa):
    return m.Consensus.objects.filter(self_assessment=sa, competency__isnull=False).first()


def test_dh_moderates_nationally_with_a_reason(locked, dora):
    consensus = comp_consensus(locked)
    moderation = panels.moderate_score(dora, consensus, value=3, reason="Evidence of JSNA use.")
    consensus.refresh_from_db()
    assert consensus.level == 2 and consensus.moderated_level == 3 and consensus.final_level == 3
    assert (moderation.stage, moderation.old_value, moderation.new_value) == ("national", "2", "3")
    assert moderation.moderated_by == dora
    assert m.AuditEntry.objects.filter(
        action="moderation.national", reason="Evidence of JSNA use."
    ).exists()


def test_the_lead_moderates_regionally_and_dh_after(locked, lena, dora):
    consensus = comp_consensus(locked)
    panels.moderate_score(lena, consensus, value=1, reason="Calibrated down across London.")
    panels.moderate_score(dora, consensus, value=2, reason="National view.")
    trail = list(consensus.moderations.values_list("stage", "old_value", "new_value"))
    assert trail == [("regional", "2", "1"), ("national", "1", "2")]


def test_moderation_without_a_reason_is_refused(locked, dora):
    with pytest.raises(ServiceError) as exc:
        panels.moderate_score(dora, comp_consensus(locked), value=3, reason="  ")
    assert exc.value.message_dict["reason"] == ["Enter the reason for moderating this score."]
    assert not m.Moderation.objects.exists()


def test_moderation_rejects_a_level_above_four(locked, dora):
    with pytest.raises(ServiceError) as exc:
        panels.moderate_score(dora, comp_consensus(locked), value=5, reason="x")
    assert "1 to 4" in exc.value.message_dict["value"][0]


def test_moderation_of_a_governance_rating(locked, lena):
    consensus = m.Consensus.objects.get(self_assessment=locked, governance_area="board")
    panels.moderate_score(lena, consensus, value="green", reason="Board assurance improved.")
    consensus.refresh_from_db()
    assert consensus.final_rating == "green"


def test_moderation_of_an_outcome_actual(locked, dora):
    consensus = m.Consensus.objects.get(self_assessment=locked, chosen_outcome__isnull=False)
    panels.moderate_score(dora, consensus, value=Decimal("18"), reason="Validated data.")
    consensus.refresh_from_db()
    assert consensus.final_actual == Decimal("18")


def test_an_assessor_cannot_moderate(locked, sara):
    with pytest.raises(ServiceError, match="Only the SHA lead"):
        panels.moderate_score(sara, comp_consensus(locked), value=3, reason="x")


def test_another_shas_lead_cannot_moderate(locked, north_east):
    lead = sha_user(north_east, m.Role.SHA_LEAD)
    with pytest.raises(ServiceError):
        panels.moderate_score(lead, comp_consensus(locked), value=3, reason="x")


def test_moderation_is_refused_outside_calibration(london_day, camden_sa, sara, lena, dora):
    submitted_sheets(camden_sa, sara)
    panels.set_consensus(lena, camden_sa, full_values(camden_sa))
    with pytest.raises(ServiceError, match="phase 4"):
        panels.moderate_score(dora, comp_consensus(camden_sa), value=3, reason="x")


# --- Criteria


def test_a_framework_with_criteria_is_scored_per_criterion(reference_data, camden):
    from tests.factories import CompetencyFactory, FrameworkFactory

    framework = FrameworkFactory()
    comp = CompetencyFactory(framework=framework, number=1)
    for i in (1, 2, 3):
        m.Criterion.objects.create(competency=comp, number=f"1.{i}", position=i, text=f"Crit {i}")
    cycle = panel_cycle(3, year_label="2011/12")
    cycle.framework = framework
    cycle.save()
    sa = submitted_self_assessment(cycle, camden)
    keys = [i.key for i in panel_items(sa) if i.kind == "level"]
    assert len(keys) == 3 and all(k.startswith("criterion-") for k in keys)


def test_consensus_and_locking_are_in_the_trail(london_day, camden_sa, sara, lena):
    submitted_sheets(camden_sa, sara)
    panels.set_consensus(lena, camden_sa, full_values(camden_sa))
    entries = m.AuditEntry.objects.filter(pct=camden_sa.pct)
    assert entries.filter(action="consensus.set", actor=lena).count() == len(panel_items(camden_sa))
    assert entries.filter(action="panel_result.locked").count() == 1
    assert entries.filter(action="score_sheet.submitted", actor=sara).count() == 1
