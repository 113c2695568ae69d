"""Drafts kept for after sign-in are bounded (issue 13, finding 8: one anonymous POST stored
4.2 MB in the session)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from assurance.views.drafts import MAX_DRAFT_BYTES, MAX_DRAFTS, SESSION_KEY

pytestmark = pytest.mark.django_db


def competency_url(number: int = 3) -> str:
    return reverse("self_assessment:competency", args=["2009-10", "5K7", number])


def stored_session_bytes() -> int:
    return sum(len(s.session_data) for s in Session.objects.all())


def test_a_signed_out_post_keeps_its_draft_for_after_sign_in(client):
    response = client.post(competency_url(), {"slot": "c3", "c3-evidence": "Our board minutes."})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.session[SESSION_KEY][competency_url()]["fields"]["c3-evidence"] == [
        "Our board minutes."
    ]


def test_a_huge_signed_out_post_is_not_kept_in_the_session(client):
    response = client.post(competency_url(), {"slot": "c3", "c3-evidence": "x" * (4 << 20)})
    assert response.status_code == 302
    assert competency_url() not in client.session.get(SESSION_KEY, {})
    assert stored_session_bytes() < 4096


def test_many_pages_keep_only_a_few_drafts(client):
    evidence = "y" * (MAX_DRAFT_BYTES - 1024)
    for number in range(1, 11):
        client.post(competency_url(number), {"slot": f"c{number}", f"c{number}-evidence": evidence})
    drafts = client.session[SESSION_KEY]
    assert list(drafts) == [competency_url(n) for n in range(11 - MAX_DRAFTS, 11)]
    # base64 of the JSON: well under half a megabyte whatever is posted.
    assert stored_session_bytes() < MAX_DRAFTS * MAX_DRAFT_BYTES * 1.4


# --- An autosave sent signed out comes back in its entry (found in a browser: the sign-in
# page was swapped into the entry and what was typed was lost) ----------------------------


def _signed_out_autosave(client, post_url: str, data: dict, page: str) -> None:
    """An htmx autosave arriving after the session ended: the whole page goes to sign-in,
    and back to the page after it."""
    client.logout()
    response = client.post(post_url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    login = reverse("login")
    assert response["HX-Redirect"] == f"{login}?next={page.replace('/', '%2F')}"


def test_a_review_note_typed_signed_out_is_back_in_its_section_after_sign_in(
    client, reference_data, camden, sara
):
    from assurance import models as m
    from tests.assurance.panel_factories import panel_cycle, submitted_self_assessment

    sa = submitted_self_assessment(panel_cycle(open_phase=2), camden)
    page = reverse("panels:review", args=[sa.pk])
    post_url = reverse("panels:review_note", args=[sa.pk, "governance"])
    typed = {"governance-note": "Board minutes thin.", "governance-questions": "Who signs?"}
    _signed_out_autosave(client, post_url, typed, page)
    assert not m.ReviewNote.objects.exists()
    client.force_login(sara)
    html = client.get(page).content.decode()
    assert 'data-testid="restored-note-governance"' in html
    assert "You were signed out while typing here" in html
    assert "Board minutes thin.</textarea>" in html and "Who signs?</textarea>" in html


@pytest.mark.parametrize("sheet", ["score_sheet", "consensus"])
def test_a_score_typed_signed_out_is_back_in_its_item_after_sign_in(
    client, reference_data, camden, london, sara, sam, lena, sheet
):
    from assurance import models as m
    from assurance.queries.panel_items import panel_items
    from tests.assurance.panel_factories import (
        full_values,
        panel_cycle,
        panel_day,
        submitted_self_assessment,
    )

    sa = submitted_self_assessment(panel_cycle(open_phase=3), camden)
    panel_day(sa.cycle, london, [sara, sam], slots=[(camden, "10:00", "12:00")])
    if sheet == "consensus":  # the lead agrees it once the members' sheets are in
        from assurance.services import panels

        for member in (sara, sam):
            panels.submit_score_sheet(member, sa, full_values(sa))
    item = panel_items(sa)[0]
    page = reverse(f"panels:{sheet}", args=[sa.pk])
    item_url = "score_item" if sheet == "score_sheet" else "consensus_item"
    post_url = reverse(f"panels:{item_url}", args=[sa.pk, item.key])
    p = item.field_prefix
    typed = {f"{p}__value": "2", f"{p}__rationale": "Plan seen, not yet delivered."}
    scores_before = m.PanelScore.objects.count()
    _signed_out_autosave(client, post_url, typed, page)
    assert m.PanelScore.objects.count() == scores_before
    client.force_login(sara if sheet == "score_sheet" else lena)
    html = client.get(page).content.decode()
    assert f'data-testid="unsaved-{item.key}"' in html
    assert "you were signed out while typing here" in html
    assert "Plan seen, not yet delivered.</textarea>" in html


def test_an_outcome_typed_signed_out_is_back_in_its_form_after_sign_in(
    client, cycle, camden, alice
):
    from assurance.models import OutcomeIndicator, SelfAssessment

    assessment = SelfAssessment.objects.create(cycle=cycle, pct=camden)
    chosen = assessment.chosen_outcomes.create(
        indicator=OutcomeIndicator.objects.get(code="smoking")
    )
    page = reverse("self_assessment:outcomes", args=["2009-10", "5K7"])
    post_url = reverse("self_assessment:outcome_update", args=["2009-10", "5K7", chosen.pk])
    key = f"o{chosen.pk}"
    typed = {f"{key}-version": "1", f"{key}-baseline": "24.5", f"{key}-target": "21.25"}
    _signed_out_autosave(client, post_url, typed, page)
    chosen.refresh_from_db()
    assert chosen.baseline is None
    client.force_login(alice)
    html = client.get(page).content.decode()
    assert "You were signed out while typing" in html
    assert 'value="21.25"' in html
