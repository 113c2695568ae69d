import datetime as dt

from assurance.rules.self_assessment import (
    RatingAnswer,
    RatingSlot,
    SectionState,
    editing_refusal,
    level_error,
    missing_for_submission,
    section_state,
)

SLOTS = [RatingSlot(1, "Locally lead the NHS"), RatingSlot(2, "Work with community partners")]
ALL_KEY_DOCS = ["strategic_plan", "od_plan", "financial_plan", "comms_strategy"]


def test_nothing_is_missing_when_every_competency_has_level_and_evidence_and_documents():
    answers = {"c1": RatingAnswer(3, "Board minutes"), "c2": RatingAnswer(2, "JSNA")}
    assert missing_for_submission(SLOTS, answers, ALL_KEY_DOCS) == []


def test_it_lists_a_missing_level_and_missing_evidence_separately_with_anchors():
    answers = {"c1": RatingAnswer(None, "text"), "c2": RatingAnswer(2, "   ")}
    missing = missing_for_submission(SLOTS, answers, ALL_KEY_DOCS)
    assert [(m.anchor, m.section) for m in missing] == [
        ("c1-level", "competency-1"),
        ("c2-evidence", "competency-2"),
    ]
    assert missing[0].message == "Choose a level for competency 1 (Locally lead the NHS)"


def test_it_lists_each_missing_key_document():
    answers = {"c1": RatingAnswer(3, "a"), "c2": RatingAnswer(2, "b")}
    missing = missing_for_submission(SLOTS, answers, ["strategic_plan", "other"])
    assert [m.anchor for m in missing] == [
        "doc-od_plan",
        "doc-financial_plan",
        "doc-comms_strategy",
    ]


def test_criteria_are_rated_one_by_one():
    slots = [RatingSlot(1, "Lead", "1.1"), RatingSlot(1, "Lead", "1.2")]
    missing = missing_for_submission(slots, {"c1-1.1": RatingAnswer(3, "x")}, ALL_KEY_DOCS)
    assert [m.anchor for m in missing] == ["c1-1.2-level", "c1-1.2-evidence"]
    assert "criterion 1.2 of competency 1" in missing[0].message


def test_a_section_is_completed_by_what_is_in_it_not_by_a_mark():
    assert section_state(started=True, complete=False) == SectionState.IN_PROGRESS
    assert section_state(started=True, complete=True) == SectionState.COMPLETED
    assert section_state(started=False, complete=False) == SectionState.NOT_STARTED


def test_an_amber_or_red_governance_rating_needs_its_reason():
    answers = {"c1": RatingAnswer(3, "a"), "c2": RatingAnswer(2, "b")}
    declared = {"strategy": ("amber", " "), "finance": ("green", ""), "board": ("red", "Deficit")}
    missing = missing_for_submission(SLOTS, answers, ALL_KEY_DOCS, declared)
    assert [(m.section, m.anchor, m.message) for m in missing] == [
        ("governance", "strategy-commentary", "Say why strategy is rated amber")
    ]


def test_editing_is_refused_when_the_phase_is_closed_with_the_deadline():
    refusal = editing_refusal(
        phase_one_open=False, submitted=False, closes_on=dt.date(2009, 12, 31)
    )
    assert "closed on 31 December 2009" in refusal


def test_editing_is_refused_after_submission():
    assert "submitted" in editing_refusal(phase_one_open=True, submitted=True, closes_on=None)


def test_editing_is_allowed_while_phase_one_is_open_and_draft():
    assert editing_refusal(phase_one_open=True, submitted=False, closes_on=None) is None


def test_it_rejects_a_level_above_four():
    assert level_error(5) == "Choose a level from 1 to 4"
    assert level_error(0) == "Choose a level from 1 to 4"
    assert level_error(4) is None
    assert level_error(None) is None
