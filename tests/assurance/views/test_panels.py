"""Panel pages × roles: what each person sees, can do, and is refused."""

from __future__ import annotations

import pytest

from assurance import models as m
from assurance.queries.panel_items import panel_items, row_key
from assurance.services import panels
from tests.assurance.panel_factories import (
    full_values,
    panel_cycle,
    panel_day,
    set_phase,
    submitted_self_assessment,
)
from tests.factories import sha_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def p3(reference_data):
    return panel_cycle(open_phase=3)


@pytest.fixture
def camden_sa(p3, camden):
    return submitted_self_assessment(p3, camden, self_level=3)


@pytest.fixture
def durham_sa(p3, durham):
    return submitted_self_assessment(p3, durham)


@pytest.fixture
def day(p3, london, sara, sam, camden_sa):
    return panel_day(p3, london, [sara, sam], slots=[(camden_sa.pct, "10:00", "12:00")])


def as_user(client, user):
    client.force_login(user)
    return client


def sheet_post(sa, level=2, rating="amber", actual="17.5", rationale="Because."):
    data = {}
    for item in panel_items(sa):
        p = item.field_prefix
        data[f"{p}__value"] = {"level": level, "rating": rating, "actual": actual}[item.kind]
        data[f"{p}__rationale"] = rationale
    return data


def url(name, *args):
    from django.urls import reverse

    return reverse(f"panels:{name}", args=args)


# --- Index


def test_assessors_see_their_shas_submitted_self_assessments(
    client, day, camden_sa, durham_sa, sara
):
    response = as_user(client, sara).get(url("index"))
    assert response.status_code == 200
    assert b"Camden" in response.content and b"County Durham" not in response.content


def test_dh_sees_every_sha(client, day, camden_sa, durham_sa, dora):
    response = as_user(client, dora).get(url("index"))
    assert b"Camden" in response.content and b"County Durham" in response.content


def test_pct_staff_see_no_consensus_before_publication(client, camden_sa, alice):
    response = as_user(client, alice).get(url("index"))
    assert b"once the Department of Health has published" in response.content
    assert as_user(client, alice).get(url("result", camden_sa.pk)).status_code == 404


def test_pct_staff_see_their_consensus_after_publication(client, camden_sa, alice, bob):
    m.Publication.objects.create(cycle=camden_sa.cycle, version=1, status="complete")
    assert as_user(client, alice).get(url("result", camden_sa.pk)).status_code == 200
    assert as_user(client, bob).get(url("result", camden_sa.pk)).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, camden_sa):
    assert client.get(url("result", camden_sa.pk)).status_code == 302


# --- Panel days


def test_the_lead_schedules_a_panel_day(client, p3, lena, sara, sam):
    response = as_user(client, lena).post(
        url("day_new", p3.pk),
        {"date": "2010-04-20", "venue": "Southside", "members": [sara.pk, sam.pk]},
    )
    day = m.PanelDay.objects.get()
    assert response.status_code == 302 and response.url == url("day_detail", day.pk)
    assert day.members.count() == 2


def test_scheduling_shows_errors_next_to_the_fields_and_keeps_input(client, p3, lena, sara):
    response = as_user(client, lena).post(url("day_new", p3.pk), {"date": "", "venue": "Southside"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter the date of the panel day" in html and "Choose at least one panel member" in html
    assert 'value="Southside"' in html
    assert not m.PanelDay.objects.exists()


def test_assessors_cannot_schedule(client, p3, sara):
    assert as_user(client, sara).get(url("day_new", p3.pk)).status_code == 404


def test_the_lead_adds_a_slot_and_conflicts_are_explained(client, day, lena, islington, p3):
    submitted_self_assessment(p3, islington)
    c = as_user(client, lena)
    response = c.post(
        url("slot_add", day.pk), {"pct": islington.pk, "starts_at": "11:00", "ends_at": "12:30"}
    )
    html = response.content.decode()
    assert "Sara Assessor is already on the panel for Camden" in html
    assert 'value="11:00"' in html
    response = c.post(
        url("slot_add", day.pk), {"pct": islington.pk, "starts_at": "13:00", "ends_at": "14:30"}
    )
    assert response.status_code == 302
    assert day.slots.count() == 2


def test_a_pct_from_another_sha_is_not_offered(client, day, lena, durham_sa):
    response = as_user(client, lena).post(
        url("slot_add", day.pk), {"pct": durham_sa.pct.pk, "starts_at": "13:00", "ends_at": "14:00"}
    )
    assert "Choose a PCT of this SHA" in response.content.decode()


def test_another_shas_people_cannot_open_the_day(client, day, nick, alice):
    assert as_user(client, nick).get(url("day_detail", day.pk)).status_code == 404
    assert as_user(client, alice).get(url("day_detail", day.pk)).status_code == 404
    assert as_user(client, nick).get(url("day_ics", day.pk)).status_code == 404


def test_a_peer_expert_sees_only_days_they_sit_on(client, day, london, p3):
    peer = sha_user(london, m.Role.PEER_EXPERT)
    assert as_user(client, peer).get(url("day_detail", day.pk)).status_code == 404
    day.members.add(peer)
    assert as_user(client, peer).get(url("day_detail", day.pk)).status_code == 200


def test_members_download_an_icalendar_entry(client, day, sara):
    response = as_user(client, sara).get(url("day_ics", day.pk))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    unfolded = body.replace("\r\n ", "")
    # 10:00 London time in April is 09:00 UTC (British Summer Time).
    assert "DTSTART:20100420T090000Z" in unfolded and "DTEND:20100420T110000Z" in unfolded
    assert "10:00–12:00 Camden (5K7)" in unfolded


# --- Review


def test_assessors_review_and_note_in_phase_two(client, reference_data, camden, sara, nick):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    c = as_user(client, sara)
    assert c.get(url("review", sa.pk)).status_code == 200
    response = c.post(
        url("review_note", sa.pk, "competency-5"),
        {"competency-5-note": "Thin JSNA.", "competency-5-questions": "Where is it?"},
    )
    assert response.status_code == 302
    assert m.ReviewNote.objects.get().questions == "Where is it?"
    assert as_user(client, nick).get(url("review", sa.pk)).status_code == 404


def test_an_empty_note_is_refused_next_to_the_field(client, reference_data, camden, sara):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    response = as_user(client, sara).post(
        url("review_note", sa.pk, "governance"),
        {"governance-note": "", "governance-questions": ""},
        headers={"HX-Request": "true"},
    )
    assert "Enter a note or a question" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_review_page_saves_every_section_typed(client, reference_data, camden, sara):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    c = as_user(client, sara)
    html = c.get(url("review", sa.pk)).content.decode()
    assert f'action="{url("review", sa.pk)}"' in html
    response = c.post(
        url("review", sa.pk),
        {
            "section": "governance",
            "competency-1-note": "No goals.",
            "competency-1-questions": "",
            "competency-2-note": "",
            "competency-2-questions": "",
            "governance-note": "",
            "governance-questions": "Who chairs audit?",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#section-governance")
    notes = {n.section: (n.note, n.questions) for n in m.ReviewNote.objects.all()}
    assert notes == {"competency-1": ("No goals.", ""), "governance": ("", "Who chairs audit?")}


def test_a_refused_review_page_keeps_every_section_typed(client, reference_data, camden, sara):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    c = as_user(client, sara)
    panels.save_review_note(sara, sa, section="outcomes", note="Late.", questions="")
    response = c.post(
        url("review", sa.pk),
        {"competency-1-note": "Typed here.", "outcomes-note": "", "outcomes-questions": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a note or a question" in html and "Typed here." in html
    assert m.ReviewNote.objects.get().note == "Late."


def test_a_section_autosaves_alone_and_says_when(client, reference_data, camden, sara):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    response = as_user(client, sara).post(
        url("review_note", sa.pk, "governance"),
        {"governance-note": "Thin.", "governance-questions": ""},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'data-testid="saved-note-governance"' in html and "<html" not in html
    assert m.ReviewNote.objects.get().note == "Thin."


def test_a_draft_self_assessment_cannot_be_reviewed(client, p3, islington, sara):
    sa = m.SelfAssessment.objects.create(cycle=p3, pct=islington)
    assert as_user(client, sara).get(url("review", sa.pk)).status_code == 404


# --- Scoring


def test_a_member_scores_and_sees_the_self_rating_beside(client, day, camden_sa, sara):
    c = as_user(client, sara)
    html = c.get(url("score_sheet", camden_sa.pk)).content.decode()
    assert "PCT's self-assessment: <strong>3</strong>" in html
    assert c.post(url("score_sheet", camden_sa.pk), sheet_post(camden_sa)).status_code == 302
    assert m.PanelScore.objects.filter(sheet__assessor=sara).count() == len(panel_items(camden_sa))


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_lost(client, day, camden_sa, sara):
    data = sheet_post(camden_sa)
    items = panel_items(camden_sa)
    comp, gov, out = (next(i for i in items if i.kind == k) for k in ("level", "rating", "actual"))
    data[f"{comp.field_prefix}__value"] = "5"
    data[f"{gov.field_prefix}__value"] = "purple"
    data[f"{out.field_prefix}__value"] = "about twelve"
    second = [i for i in items if i.kind == "level"][1]
    data[f"{second.field_prefix}__rationale"] = ""
    data[f"{second.field_prefix}__value"] = "2"
    html = as_user(client, sara).post(url("score_sheet", camden_sa.pk), data).content.decode()
    assert "There is a problem" in html
    assert f"Choose a level from 1 to 4 for {comp.label}." in html
    assert f"Choose red, amber or green for {gov.label}." in html
    assert "as a number, like 12.5" in html and 'value="about twelve"' in html
    assert f"Enter a rationale for {second.label}." in html
    assert not m.PanelScore.objects.exists()


def test_non_members_cannot_score(client, day, camden_sa, lena, nick):
    assert as_user(client, lena).get(url("score_sheet", camden_sa.pk)).status_code == 404
    assert as_user(client, nick).get(url("score_sheet", camden_sa.pk)).status_code == 404


def test_members_see_others_scores_only_after_submitting(client, day, camden_sa, sara, sam):
    panels.record_panel_scores(sam, camden_sa, full_values(camden_sa, level=1))
    panels.submit_score_sheet(sam, camden_sa)
    c = as_user(client, sara)
    html = c.get(url("score_sheet", camden_sa.pk)).content.decode()
    assert "Sam Assessor" not in html
    c.post(url("score_sheet", camden_sa.pk), sheet_post(camden_sa))
    response = c.post(url("score_sheet_submit", camden_sa.pk), CONFIRMED)
    assert response.status_code == 302
    html = c.get(url("score_sheet", camden_sa.pk)).content.decode()
    assert "Sam Assessor" in html


CONFIRMED = {"submit-confirm": "yes"}


def test_submitting_without_confirming_saves_what_is_typed_and_submits_nothing(
    client, day, camden_sa, sara
):
    c = as_user(client, sara)
    page = c.get(url("score_sheet", camden_sa.pk)).content.decode()
    assert "Submitting is final" in page and 'name="submit-confirm"' in page
    response = c.post(url("score_sheet_submit", camden_sa.pk), sheet_post(camden_sa))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Confirm that your scores are final before you submit your sheet" in html
    n = len(panel_items(camden_sa))
    assert f"You have scored {n} of {n} items" in html
    sheet = m.ScoreSheet.objects.get()
    assert sheet.submitted_at is None and sheet.scores.count() == n


def test_submitting_an_incomplete_sheet_says_what_is_missing(client, day, camden_sa, sara):
    response = as_user(client, sara).post(url("score_sheet_submit", camden_sa.pk), CONFIRMED)
    assert response.status_code == 400
    assert "Score every item before you submit" in response.content.decode()


def item_post(item, value, rationale, **extra):
    p = item.field_prefix
    return {f"{p}__value": value, f"{p}__rationale": rationale, **extra}


def test_one_item_autosaves_and_answers_with_its_status(client, day, camden_sa, sara):
    first, second = panel_items(camden_sa)[:2]
    c = as_user(client, sara)
    response = c.post(
        url("score_item", camden_sa.pk, first.key),
        item_post(first, "2", "Plan seen."),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert f'data-testid="saved-{first.key}"' in html and "<html" not in html
    # A level without its rationale is not saved, and the answer says why.
    html = c.post(
        url("score_item", camden_sa.pk, second.key),
        item_post(second, "4", ""),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "data-wcc-unsaved" in html and f"Enter a rationale for {second.label}." in html
    assert [(s.level, s.rationale) for s in m.PanelScore.objects.all()] == [(2, "Plan seen.")]


def test_an_item_refused_as_the_page_is_left_comes_back_unsaved(client, day, camden_sa, sara):
    item = panel_items(camden_sa)[1]
    c = as_user(client, sara)
    beacon = item_post(item, "4", "", **{"wcc-beacon": "1"})
    assert c.post(url("score_item", camden_sa.pk, item.key), beacon).status_code == 204
    assert not m.PanelScore.objects.exists()
    html = c.get(url("score_sheet", camden_sa.pk)).content.decode()
    assert f'data-testid="unsaved-{item.key}"' in html
    assert f"Enter a rationale for {item.label}." in html
    assert f'name="{item.field_prefix}__value" type="radio" value="4" checked' in html
    # Shown once.
    assert "data-wcc-unsaved" not in c.get(url("score_sheet", camden_sa.pk)).content.decode()


def test_an_unknown_item_is_404(client, day, camden_sa, sara):
    response = as_user(client, sara).post(url("score_item", camden_sa.pk, "competency-0"), {})
    assert response.status_code == 404


def test_a_refused_submit_saves_and_shows_the_sheet_as_typed(client, day, camden_sa, sara):
    first = panel_items(camden_sa)[0]
    c = as_user(client, sara)
    html = c.get(url("score_sheet", camden_sa.pk)).content.decode()
    assert f'action="{url("score_sheet", camden_sa.pk)}"' in html
    assert f'formaction="{url("score_sheet_submit", camden_sa.pk)}"' in html
    data = {k: v for k, v in sheet_post(camden_sa, rationale="").items() if "rationale" in k}
    data.update(item_post(first, "2", "Typed, not yet saved."), **CONFIRMED)
    response = c.post(url("score_sheet_submit", camden_sa.pk), data)
    html = response.content.decode()
    assert "Score every item before you submit" in html and "Typed, not yet saved." in html
    assert m.PanelScore.objects.get().rationale == "Typed, not yet saved."
    assert m.ScoreSheet.objects.get().submitted_at is None


def test_a_complete_sheet_on_screen_is_saved_and_submitted(client, day, camden_sa, sara):
    response = as_user(client, sara).post(
        url("score_sheet_submit", camden_sa.pk), {**sheet_post(camden_sa), **CONFIRMED}
    )
    assert response.status_code == 302
    sheet = m.ScoreSheet.objects.get()
    assert sheet.submitted_at and sheet.scores.count() == len(panel_items(camden_sa))


# --- Consensus


@pytest.fixture
def scored(day, camden_sa, sara, sam):
    panels.record_panel_scores(sara, camden_sa, full_values(camden_sa, level=1))
    panels.submit_score_sheet(sara, camden_sa)
    panels.record_panel_scores(sam, camden_sa, full_values(camden_sa, level=3))
    panels.submit_score_sheet(sam, camden_sa)
    return camden_sa


def test_the_lead_sees_scores_side_by_side_with_spreads_highlighted(client, scored, lena):
    html = as_user(client, lena).get(url("consensus", scored.pk)).content.decode()
    assert "Sara Assessor" in html and "Sam Assessor" in html
    assert "Spread of 2 levels" in html and "wcc-spread-highlight" in html


def test_saving_the_consensus_never_locks_locking_is_its_own_confirmed_step(client, scored, lena):
    c = as_user(client, lena)
    response = c.post(url("consensus", scored.pk), sheet_post(scored))
    assert response.status_code == 302
    assert not m.PanelResult.objects.get(self_assessment=scored).is_locked
    page = c.get(url("consensus", scored.pk)).content.decode()
    n = len(panel_items(scored))
    assert f"{n} of {n} items have a consensus" in page
    assert "Lock the panel result" in page

    refused = c.post(url("consensus_lock", scored.pk), {})
    assert refused.status_code == 400
    assert "Confirm that the panel agrees the result" in refused.content.decode()
    assert not m.PanelResult.objects.get(self_assessment=scored).is_locked

    assert c.post(url("consensus_lock", scored.pk), {"lock-confirm": "yes"}).status_code == 302
    result = m.PanelResult.objects.get(self_assessment=scored)
    assert result.is_locked and result.locked_by == lena
    assert m.AuditEntry.objects.filter(action="panel_result.locked").count() == 1
    page = c.get(url("consensus", scored.pk)).content.decode()
    assert "Lock the panel result" not in page and "was locked on" in page


def test_locking_with_items_still_to_agree_is_refused_and_names_them(client, scored, lena):
    c = as_user(client, lena)
    items = panel_items(scored)
    values = sheet_post(scored)
    first = {k: v for k, v in values.items() if k.startswith(f"{items[0].field_prefix}__")}
    c.post(url("consensus_item", scored.pk, items[0].key), first, headers={"HX-Request": "true"})
    response = c.post(url("consensus_lock", scored.pk), {"lock-confirm": "yes"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Agree every item before you lock the result" in html
    assert f"1 of {len(items)} items have a consensus" in html
    assert not m.PanelResult.objects.get(self_assessment=scored).is_locked


def test_only_the_pct_s_own_sha_lead_may_lock(client, scored, sara, dora):
    for user in (sara, dora):
        response = as_user(client, user).post(
            url("consensus_lock", scored.pk), {"lock-confirm": "yes"}
        )
        assert response.status_code in (403, 404)
    assert not m.PanelResult.objects.filter(self_assessment=scored, locked_at__isnull=False)


def test_consensus_autosaves_item_by_item_and_never_locks(client, scored, lena):
    c = as_user(client, lena)
    values = sheet_post(scored)
    for item in panel_items(scored):
        one = {k: v for k, v in values.items() if k.startswith(f"{item.field_prefix}__")}
        response = c.post(
            url("consensus_item", scored.pk, item.key), one, headers={"HX-Request": "true"}
        )
        assert f'data-testid="saved-{item.key}"' in response.content.decode()
    assert m.Consensus.objects.filter(self_assessment=scored).count() == len(panel_items(scored))
    assert not m.PanelResult.objects.get(self_assessment=scored).is_locked
    assert c.post(url("consensus", scored.pk), values).status_code == 302
    assert not m.PanelResult.objects.get(self_assessment=scored).is_locked


def test_a_consensus_rationale_alone_is_not_saved_and_says_why(client, scored, lena):
    item = panel_items(scored)[0]
    response = as_user(client, lena).post(
        url("consensus_item", scored.pk, item.key),
        item_post(item, "", "Agreed after discussion."),
        headers={"HX-Request": "true"},
    )
    assert f"Choose the agreed level for {item.label}" in response.content.decode()
    assert not m.Consensus.objects.exists()


def test_assessors_cannot_open_consensus(client, scored, sara, nick):
    assert as_user(client, sara).get(url("consensus", scored.pk)).status_code == 404
    assert as_user(client, nick).get(url("consensus", scored.pk)).status_code == 404


def test_a_lead_on_the_panel_must_submit_first(client, scored, lena):
    m.PanelDay.objects.get().members.add(lena)
    response = as_user(client, lena).get(url("consensus", scored.pk))
    assert response.status_code == 302 and response.url == url("score_sheet", scored.pk)


# --- Results and moderation


@pytest.fixture
def calibrating(scored, lena):
    panels.set_consensus(lena, scored, full_values(scored, level=2))
    set_phase(scored.cycle, 4)
    return m.SelfAssessment.objects.get(pk=scored.pk)


def test_three_scores_side_by_side_and_the_trail(client, calibrating, dora):
    consensus = m.Consensus.objects.filter(
        self_assessment=calibrating, competency__isnull=False
    ).first()
    c = as_user(client, dora)
    response = c.post(
        url("moderate", consensus.pk), {"value": "3", "reason": "Strong JSNA evidence."}
    )
    assert response.status_code == 302
    html = c.get(url("result", calibrating.pk)).content.decode()
    assert "Panel consensus" in html and "Moderated" in html
    assert "Strong JSNA evidence." in html and "National (DH)" in html and "Dora DH" in html


def test_pct_staff_see_their_result_as_published_not_a_later_moderation(
    client, calibrating, alice, dora
):
    """Issue 13, finding 8: a moderation after publication showed on the PCT's page before
    any republication."""
    import re

    from django.utils import timezone

    consensus = m.Consensus.objects.filter(
        self_assessment=calibrating, competency__isnull=False
    ).first()
    panels.moderate_score(dora, consensus, value=3, reason="Before publication.")
    m.Publication.objects.create(
        cycle=calibrating.cycle, version=1, status="complete", computed_at=timezone.now()
    )
    consensus.refresh_from_db()
    panels.moderate_score(dora, consensus, value=4, reason="After publication.")

    def moderated_cell(html):
        key = re.escape(row_key(consensus))
        row = re.search(rf'data-testid="row-{key}">(.*?)</tr>', html, re.S)
        return re.findall(r'<td class="nhsuk-table__cell">(.*?)</td>', row[1])[2]

    html = as_user(client, alice).get(url("result", calibrating.pk)).content.decode()
    assert "Before publication." in html
    assert "After publication." not in html
    assert moderated_cell(html) == "3"
    html = as_user(client, dora).get(url("result", calibrating.pk)).content.decode()
    assert "After publication." in html
    assert moderated_cell(html) == "4"


def test_moderation_without_a_reason_is_refused_next_to_the_field(client, calibrating, lena):
    consensus = m.Consensus.objects.filter(
        self_assessment=calibrating, competency__isnull=False
    ).first()
    html = (
        as_user(client, lena)
        .post(url("moderate", consensus.pk), {"value": "3", "reason": ""})
        .content.decode()
    )
    assert "Enter the reason for moderating this score." in html
    assert not m.Moderation.objects.exists()


def test_assessors_and_other_leads_cannot_moderate(client, calibrating, sara, north_east):
    consensus = m.Consensus.objects.filter(self_assessment=calibrating).first()
    assert as_user(client, sara).get(url("moderate", consensus.pk)).status_code == 404
    other_lead = sha_user(north_east, m.Role.SHA_LEAD)
    assert as_user(client, other_lead).get(url("moderate", consensus.pk)).status_code == 404


# --- Calibration


def test_calibration_for_a_competency_and_a_governance_area(client, calibrating, dora, lena):
    competency = m.Competency.objects.filter(framework=calibrating.cycle.framework).first()
    c = as_user(client, dora)
    html = c.get(
        url("calibration_item", calibrating.cycle_id, "competency", competency.number)
    ).content.decode()
    assert "<svg" in html and '<title id="chart-title">' in html and "<desc" in html
    assert 'data-testid="sha-Q36"' in html
    html = c.get(
        url("calibration_item", calibrating.cycle_id, "governance", "board")
    ).content.decode()
    assert "Governance: Board" in html
    html = (
        as_user(client, lena)
        .get(url("calibration_item", calibrating.cycle_id, "governance", "board"))
        .content.decode()
    )
    assert 'data-testid="sha-Q36"' in html and 'data-testid="sha-Q30"' not in html


def test_assessors_and_pct_staff_cannot_calibrate(client, calibrating, sara, alice):
    assert as_user(client, sara).get(url("calibration", calibrating.cycle_id)).status_code == 404
    assert as_user(client, alice).get(url("calibration", calibrating.cycle_id)).status_code == 404


def test_calibration_opens_for_leads_only_from_phase_four(client, scored, lena, dora):
    """Issue 13, finding 8: in phase 3 a lead read the national distribution beside their
    own SHA's and learned the other SHAs' consensus by subtraction."""
    panels.set_consensus(lena, scored, full_values(scored, level=2))
    cycle_id = scored.cycle_id
    pages = [
        url("calibration", cycle_id),
        url("calibration_item", cycle_id, "competency", "1"),
        url("calibration_item", cycle_id, "governance", "board"),
    ]
    for page in pages:
        assert as_user(client, lena).get(page).status_code == 404
        assert as_user(client, dora).get(page).status_code == 200
    assert b"Calibration for" not in as_user(client, lena).get(url("index")).content
    set_phase(scored.cycle, 4)
    for page in pages:
        assert as_user(client, lena).get(page).status_code == 200
    set_phase(scored.cycle, 5)
    assert as_user(client, lena).get(pages[0]).status_code == 200


@pytest.mark.parametrize("ref", ["abc", "1.5", "-1", "99"])
def test_a_competency_that_is_not_a_number_is_404_not_500(client, calibrating, dora, ref):
    response = as_user(client, dora).get(
        url("calibration_item", calibrating.cycle_id, "competency", ref)
    )
    assert response.status_code == 404


def test_an_outcome_actual_shows_its_status_and_the_outcome_score(client, day, camden_sa, sara):
    c = as_user(client, sara)
    c.post(url("score_sheet", camden_sa.pk), sheet_post(camden_sa, actual="19"))
    html = c.get(url("score_sheet", camden_sa.pk)).content.decode()
    outcome = next(i for i in panel_items(camden_sa) if i.kind == "actual")
    # Baseline 20, target 18, lower is better: 19 is better than baseline, short of target.
    assert f'data-testid="status-{outcome.key}">Improved<' in html
    assert "<strong>0.500</strong>" in html


def test_assessors_cannot_open_a_self_assessment_before_phase_two(
    client, cycle, camden, sara, dora
):
    sa = submitted_self_assessment(cycle, camden)  # the cycle fixture has phase 1 open
    assert as_user(client, sara).get(url("review", sa.pk)).status_code == 404
    assert b"Camden" not in as_user(client, sara).get(url("index") + f"?cycle={cycle.pk}").content
    assert as_user(client, dora).get(url("review", sa.pk)).status_code == 200


def test_the_review_links_each_evidence_document_to_its_download(
    client, reference_data, camden, sara
):
    from django.core.files.base import ContentFile

    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    doc = m.EvidenceDocument(
        self_assessment=sa,
        kind=m.DocumentKind.STRATEGIC_PLAN,
        original_name="plan.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
    )
    doc.file.save("plan.pdf", ContentFile(b"%PDF"), save=True)
    c = as_user(client, sara)
    html = c.get(url("review", sa.pk)).content.decode()
    download = f"/self-assessment/evidence/{doc.pk}/download/"
    assert download in html
    assert c.get(download).status_code == 200


def test_a_peer_expert_scores_only_on_their_panel(client, day, camden_sa, london, p3, islington):
    peer = sha_user(london, m.Role.PEER_EXPERT, full_name="Pat Peer")
    other = submitted_self_assessment(p3, islington)
    assert as_user(client, peer).get(url("score_sheet", camden_sa.pk)).status_code == 404
    day.members.add(peer)
    c = as_user(client, peer)
    assert c.get(url("score_sheet", camden_sa.pk)).status_code == 200
    assert c.get(url("review", other.pk)).status_code == 404
    assert b"Islington" not in c.get(url("index")).content


def test_adding_a_slot_with_htmx_swaps_the_form_or_redirects(client, day, lena, islington, p3):
    submitted_self_assessment(p3, islington)
    c = as_user(client, lena)
    bad = c.post(
        url("slot_add", day.pk),
        {"pct": islington.pk, "starts_at": "11:00", "ends_at": "10:00"},
        headers={"HX-Request": "true"},
    )
    assert "The slot must end after it starts." in bad.content.decode()
    assert "<html" not in bad.content.decode()
    good = c.post(
        url("slot_add", day.pk),
        {"pct": islington.pk, "starts_at": "13:00", "ends_at": "14:00"},
        headers={"HX-Request": "true"},
    )
    assert good["HX-Redirect"] == url("day_detail", day.pk)


def test_the_index_query_count_does_not_grow_with_pcts(
    client, p3, london, sara, django_assert_max_num_queries, reference_data
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pcts = list(m.PCT.objects.filter(sha=london).order_by("code"))
    for pct in pcts[:2]:
        submitted_self_assessment(p3, pct)
    panel_day(p3, london, [sara], slots=[(pcts[0], "10:00", "11:00")])
    c = as_user(client, sara)
    with CaptureQueriesContext(connection) as small:
        c.get(url("index"))
    for i, pct in enumerate(pcts[2:20]):
        submitted_self_assessment(p3, pct)
        panel_day(
            p3,
            london,
            [sara],
            date=p3.phases.first().opens_on,
            slots=[(pct, f"{8 + i % 10:02d}:00", f"{8 + i % 10:02d}:30")],
        )
    with CaptureQueriesContext(connection) as large:
        c.get(url("index"))
    assert len(small) == len(large)


def test_the_error_summary_links_a_radio_error_to_its_first_option(client, calibrating, dora):
    consensus = m.Consensus.objects.filter(
        self_assessment=calibrating, competency__isnull=False
    ).first()
    html = (
        as_user(client, dora).post(url("moderate", consensus.pk), {"reason": "x"}).content.decode()
    )
    assert 'href="#id_value_0"' in html and 'id="id_value_0"' in html


def test_the_lead_does_not_see_a_draft_sheet(client, day, camden_sa, sara, sam, lena):
    panels.record_panel_scores(sara, camden_sa, full_values(camden_sa))
    panels.submit_score_sheet(sara, camden_sa)
    panels.record_panel_scores(sam, camden_sa, full_values(camden_sa, level=4))
    html = as_user(client, lena).get(url("consensus", camden_sa.pk)).content.decode()
    assert "Sara Assessor" in html and "Sam Assessor" not in html
    assert "1 submitted score sheet." in html


def test_a_member_sees_their_sheets_to_do_saved_and_submitted_and_their_days(
    client, day, camden_sa, durham_sa, sara, london, p3
):
    islington_sa = submitted_self_assessment(p3, m.PCT.objects.get(code="5K8"))
    panel_day(p3, london, [sara], slots=[(islington_sa.pct, "13:00", "15:00")])
    panels.record_panel_scores(sara, camden_sa, full_values(camden_sa, level=2))
    html = as_user(client, sara).get(url("index")).content.decode()
    assert 'data-testid="my-days"' in html
    sheets = html[html.index('data-testid="my-sheets"') :]
    sheets = sheets[: sheets.index("</table>")]
    assert "Camden" in sheets and "Saved, not submitted" in sheets
    assert "Islington" in sheets and "To do" in sheets
    assert "County Durham" not in sheets  # not on any of her panels
    panels.submit_score_sheet(sara, camden_sa)
    html = as_user(client, sara).get(url("index")).content.decode()
    assert ">Submitted<" in html[html.index('data-testid="my-sheets"') :]


def test_the_lead_sees_where_each_pct_of_the_region_stands_in_phase_one(
    client, reference_data, camden, lena, sara, dora
):
    p1 = panel_cycle(open_phase=1)
    m.SelfAssessment.objects.create(
        cycle=p1, pct=camden, status=m.SelfAssessmentStatus.SUBMITTED, submitted_at=p1.created_at
    )
    html = as_user(client, lena).get(url("index") + f"?cycle={p1.pk}").content.decode()
    region = html[html.index('data-testid="region"') :]
    assert 'data-testid="region-5K7"' in region and "Submitted" in region
    london = m.PCT.objects.filter(sha=camden.sha).count()
    assert region.count('data-testid="region-') == london
    assert "County Durham" not in region  # another SHA's PCT
    # Assessors do not get the region's statuses; only the lead does.
    assert 'data-testid="region"' not in as_user(client, sara).get(url("index")).content.decode()


def test_the_lead_moves_a_slot_and_the_change_is_recorded(client, day, lena, camden_sa):
    slot = day.slots.get()
    c = as_user(client, lena)
    assert c.get(url("day_detail", day.pk)).content.decode().count("Move") >= 1
    bad = c.post(url("slot_change", slot.pk), {"starts_at": "12:00", "ends_at": "11:00"})
    assert bad.status_code == 400 and "The slot must end after it starts" in bad.content.decode()
    ok = c.post(url("slot_change", slot.pk), {"starts_at": "14:00", "ends_at": "16:00"})
    assert ok.status_code == 302
    slot.refresh_from_db()
    assert f"{slot.starts_at:%H:%M}" == "14:00"
    entry = m.AuditEntry.objects.get(action="panel_slot.moved")
    assert entry.old_value == "10:00–12:00" and entry.new_value == "14:00–16:00"


def test_a_slot_whose_panel_sat_neither_moves_nor_goes(client, day, lena, sara, camden_sa):
    slot = day.slots.get()
    panels.record_panel_scores(sara, camden_sa, full_values(camden_sa))
    panels.submit_score_sheet(sara, camden_sa)
    c = as_user(client, lena)
    assert "Panel sat" in c.get(url("day_detail", day.pk)).content.decode()
    moved = c.post(url("slot_change", slot.pk), {"starts_at": "14:00", "ends_at": "16:00"})
    assert moved.status_code == 400 and "the panel has sat" in moved.content.decode()
    removed = c.post(url("slot_remove", slot.pk), {"reason": "Board moved"})
    assert removed.status_code == 400 and "the slot stays" in removed.content.decode()
    assert m.PanelSlot.objects.filter(pk=slot.pk).exists()


def test_the_lead_removes_a_slot_with_a_reason(client, day, lena, camden_sa):
    slot = day.slots.get()
    c = as_user(client, lena)
    refused = c.post(url("slot_remove", slot.pk), {"reason": ""})
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()
    assert c.post(url("slot_remove", slot.pk), {"reason": "Board moved"}).status_code == 302
    assert not m.PanelSlot.objects.filter(pk=slot.pk).exists()
    assert m.AuditEntry.objects.get(action="panel_slot.removed").reason == "Board moved"


def test_the_lead_changes_members_but_not_one_who_has_scored(
    client, day, lena, sara, sam, camden_sa, london
):
    pia = sha_user(london, m.Role.PEER_EXPERT, full_name="Pia Peer")
    c = as_user(client, lena)
    assert c.get(url("day_members", day.pk)).status_code == 200
    ok = c.post(url("day_members", day.pk), {"members": [sara.pk, pia.pk]})
    assert ok.status_code == 302
    assert set(day.members.all()) == {sara, pia}
    assert m.AuditEntry.objects.filter(action="panel_day.members_changed").count() == 1
    panels.record_panel_scores(sara, camden_sa, full_values(camden_sa))
    panels.submit_score_sheet(sara, camden_sa)
    refused = c.post(url("day_members", day.pk), {"members": [pia.pk]})
    assert refused.status_code == 400
    assert "submitted a score sheet on this panel: they stay" in refused.content.decode()
    assert sara in day.members.all()


@pytest.mark.parametrize("who", ["sara", "nick", "alice", "dora"])
def test_only_the_lead_arranges_slots_and_members(client, request, day, who):
    slot = day.slots.get()
    c = as_user(client, request.getfixturevalue(who))
    for name, arg in (("slot_change", slot.pk), ("slot_remove", slot.pk), ("day_members", day.pk)):
        assert c.get(url(name, arg)).status_code == 404
        assert c.post(url(name, arg), {"reason": "x", "starts_at": "9:00"}).status_code == 404
    assert m.PanelSlot.objects.filter(pk=slot.pk).exists()


def test_a_note_refused_as_the_page_is_left_comes_back_unsaved(
    client, reference_data, camden, sara
):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    c = as_user(client, sara)
    typed = "Thin on delivery. " * 600  # over the 10,000 characters a note may hold
    beacon = {"governance-note": typed, "governance-questions": "", "wcc-beacon": "1"}
    assert c.post(url("review_note", sa.pk, "governance"), beacon).status_code == 204
    assert not m.ReviewNote.objects.exists()
    html = c.get(url("review", sa.pk)).content.decode()
    assert 'data-testid="restored-note-governance"' in html
    assert "10,000 characters or fewer" in html and "Thin on delivery. Thin" in html
    # Shown once; a later save discards it.
    assert "restored-note-governance" not in c.get(url("review", sa.pk)).content.decode()


def test_a_note_that_fits_the_box_is_saved_whatever_its_line_breaks(
    client, reference_data, camden, sara
):
    """The browser counts a line break once against maxlength; a form sends it as CR LF."""
    sa = submitted_self_assessment(panel_cycle(open_phase=2), camden)
    c = as_user(client, sara)
    note = "\r\n".join(["y" * 95] * 104)  # 9,983 characters in the box, 10,086 as sent
    saved = c.post(url("review", sa.pk), {"governance-note": note, "governance-questions": ""})
    assert saved.status_code == 302
    assert m.ReviewNote.objects.get().note == note.replace("\r\n", "\n")


def test_a_note_too_long_says_so_and_only_so(client, reference_data, camden, sara):
    sa = submitted_self_assessment(panel_cycle(open_phase=2), camden)
    c = as_user(client, sara)
    refused = c.post(url("review", sa.pk), {"governance-note": "z" * 10_001})
    html = refused.content.decode()
    assert refused.status_code == 400 and "10,000 characters or fewer" in html
    assert "Enter a note or a question" not in html
    assert not m.ReviewNote.objects.exists()
