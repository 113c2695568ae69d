import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from assurance.models import (
    AuditEntry,
    CompetencyRating,
    EvidenceDocument,
    PhaseStatus,
    SelfAssessment,
    SelfAssessmentStatus,
    SubmittedCopy,
)
from assurance.services import self_assessment as sa
from tests.assurance.self_assessment_factories import PDF_BYTES, ready_to_submit, upload

pytestmark = pytest.mark.django_db

PAGES = ["overview", "governance", "outcomes", "documents", "submit", "history"]


def url(name, pct="5K7", *args, cycle="2009-10"):
    return reverse(f"self_assessment:{name}", args=[cycle, pct, *args])


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def camden_sa(cycle, camden):
    return SelfAssessment.objects.create(cycle=cycle, pct=camden)


@pytest.fixture
def submitted_sa(alice, ann, camden_sa):
    ready_to_submit(alice, camden_sa)
    sa.submit_self_assessment(ann, camden_sa, board_ratified_on=dt.date(2009, 12, 10))
    return camden_sa


def open_phase_two(cycle):
    cycle.phases.filter(kind=1).update(status=PhaseStatus.CLOSED)
    cycle.phases.filter(kind=2).update(status=PhaseStatus.OPEN)


# ------------------------------------------------------------------ who sees what


@pytest.mark.parametrize("page", [*PAGES, "competency"])
def test_pct_staff_see_their_own_pages(alice, camden_sa, page):
    args = [3] if page == "competency" else []
    assert client_for(alice).get(url(page, "5K7", *args)).status_code == 200


@pytest.mark.parametrize("page", [*PAGES, "competency"])
def test_another_pcts_staff_get_404(bob, camden_sa, page):
    args = [3] if page == "competency" else []
    assert client_for(bob).get(url(page, "5K7", *args)).status_code == 404


@pytest.mark.parametrize("page", ["overview", "history", "documents"])
def test_assessors_get_404_before_phase_two(sara, submitted_sa, page):
    assert client_for(sara).get(url(page)).status_code == 404


@pytest.mark.parametrize("page", ["overview", "history", "documents", "governance", "outcomes"])
def test_assessors_read_their_shas_submissions_from_phase_two(sara, submitted_sa, page):
    open_phase_two(submitted_sa.cycle)
    response = client_for(sara).get(url(page))
    assert response.status_code == 200
    assert b'<form method="post" enctype' not in response.content


def test_another_shas_assessor_gets_404(nick, submitted_sa):
    open_phase_two(submitted_sa.cycle)
    assert client_for(nick).get(url("overview")).status_code == 404


@pytest.mark.parametrize("page", ["overview", "history", "documents", "governance"])
def test_dh_reads_any_self_assessment(dora, camden_sa, page):
    assert client_for(dora).get(url(page)).status_code == 200


def test_signed_out_people_are_sent_to_sign_in(camden_sa):
    response = Client().get(url("overview"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_assessors_cannot_post(sara, submitted_sa):
    open_phase_two(submitted_sa.cycle)
    response = client_for(sara).post(url("competency", "5K7", 1), {"slot": "c1"})
    assert response.status_code == 403


def test_dh_cannot_edit(dora, camden_sa):
    response = client_for(dora).post(
        url("competency", "5K7", 1), {"slot": "c1", "c1-version": 0, "c1-level": 2}
    )
    assert response.status_code == 403
    assert not CompetencyRating.objects.exists()


# ------------------------------------------------------------------ overview and task list


def test_the_task_list_shows_each_sections_state_and_progress(alice, camden_sa):
    sa.save_competency_rating(
        alice,
        camden_sa,
        competency=camden_sa.cycle.framework.competencies.get(number=1),
        level=3,
        evidence="Board minutes",
        version=0,
    )
    sa.save_competency_rating(
        alice,
        camden_sa,
        competency=camden_sa.cycle.framework.competencies.get(number=2),
        level=2,
        evidence="",
        version=0,
    )
    response = client_for(alice).get(url("overview"))
    html = response.content.decode()
    assert "You have completed 1 of 14 sections." in html
    section = html.split('id="competency-1-state"')[1][:200]
    assert "Completed" in section
    assert "In progress" in html.split('id="competency-2-state"')[1][:200]
    assert "Not started" in html.split('id="competency-3-state"')[1][:200]


def test_the_overview_query_count_does_not_grow_with_evidence_files(
    alice, camden_sa, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    sa.upload_evidence(alice, camden_sa, kind="other", upload=upload())
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("overview")).status_code == 200
        assert client.get(url("documents")).status_code == 200
    for i in range(15):
        sa.upload_evidence(alice, camden_sa, kind="other", upload=upload(f"file{i}.pdf"))
    ready_to_submit(alice, camden_sa)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("overview")).status_code == 200
        assert client.get(url("documents")).status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(25):
        client.get(url("overview"))


# ------------------------------------------------------------------ competency form and autosave


def post_rating(
    client, number=3, level="3", evidence="Board minutes", version=0, htmx=True, **extra
):
    data = {
        "slot": f"c{number}",
        f"c{number}-version": version,
        f"c{number}-level": level,
        f"c{number}-evidence": evidence,
        **extra,
    }
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url("competency", "5K7", number), data, **headers)


def test_autosave_answers_with_saved_at_and_the_new_version(alice, camden_sa):
    response = post_rating(client_for(alice))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saved at " in html
    assert 'id="c3-version" value="1" data-hx-swap-oob="true"' in html
    assert "<html" not in html
    assert CompetencyRating.objects.get().evidence == "Board minutes"


def test_autosave_shows_a_field_error_in_place(alice, camden_sa):
    response = post_rating(client_for(alice), level="7")
    html = response.content.decode()
    assert 'id="c3-level-errors" data-hx-swap-oob="true"' in html
    assert "Choose a level from 1 to 4" in html
    assert not CompetencyRating.objects.exists()


def test_a_plain_post_saves_and_returns_to_the_task_list(alice, camden_sa):
    response = post_rating(client_for(alice), htmx=False)
    assert response.status_code == 302 and response["Location"] == url("overview")
    assert CompetencyRating.objects.get().level == 3


def test_a_plain_post_with_an_error_keeps_the_text_and_shows_the_error(alice, camden_sa):
    response = post_rating(client_for(alice), htmx=False, level="9", evidence="My long text")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a level from 1 to 4" in html and "My long text" in html
    assert 'href="#c3-level"' in html


def test_a_conflicting_save_shows_what_the_other_person_saved_and_keeps_mine(alice, ann, camden_sa):
    post_rating(client_for(ann), evidence="Ann's version")
    response = post_rating(client_for(alice), evidence="Alice's version", version=0, htmx=False)
    html = response.content.decode()
    assert "Ann Approver saved this while you were editing" in html
    assert "Ann&#x27;s version" in html
    assert "Alice&#x27;s version" in html  # still in the form
    assert 'name="c3-version_override" value="1"' in html
    assert CompetencyRating.objects.get().evidence == "Ann's version"


def test_replacing_theirs_with_mine_after_a_conflict(alice, ann, camden_sa):
    post_rating(client_for(ann), evidence="Ann's version")
    response = post_rating(
        client_for(alice), evidence="Alice's version", version=0, **{"c3-version_override": 1}
    )
    assert "Saved at" in response.content.decode()
    assert CompetencyRating.objects.get().evidence == "Alice's version"


def test_a_conflict_is_kept_as_a_draft_and_shown_on_return_with_their_text(alice, ann, camden_sa):
    post_rating(client_for(ann), evidence="Ann's version")
    client = client_for(alice)
    post_rating(client, evidence="Alice's version", version=0, **{"wcc-beacon": "1"})
    page = client.get(url("competency", "5K7", 3)).content.decode()
    assert 'data-testid="restored-c3"' in page
    assert "after Ann Approver had saved it" in page
    assert "Alice&#x27;s version" in page  # back in the form
    assert "Ann&#x27;s version" in page  # theirs, to compare
    assert 'name="c3-version_override" value="1"' in page
    # Shown once.
    again = client.get(url("competency", "5K7", 3)).content.decode()
    assert "restored-c3" not in again and "Alice&#x27;s version" not in again


def test_a_save_after_a_conflict_discards_its_draft(alice, ann, camden_sa):
    post_rating(client_for(ann), evidence="Ann's version")
    client = client_for(alice)
    post_rating(client, evidence="Alice's version", version=0)  # htmx: the card is shown
    post_rating(client, evidence="Alice's version", version=0, **{"c3-version_override": 1})
    assert CompetencyRating.objects.get().evidence == "Alice's version"
    assert "restored-c3" not in client.get(url("competency", "5K7", 3)).content.decode()


def test_a_save_sent_as_the_page_is_left_answers_nobody(alice, camden_sa):
    client = client_for(alice)
    response = post_rating(client, htmx=False, **{"wcc-beacon": "1"})
    assert response.status_code == 204
    assert CompetencyRating.objects.get().evidence == "Board minutes"
    assert "saved." not in client.get(url("overview")).content.decode()  # no stray message


def test_a_closed_phase_refuses_with_the_deadline_and_keeps_the_text(alice, camden_sa):
    camden_sa.cycle.phases.filter(kind=1).update(status=PhaseStatus.CLOSED)
    client = client_for(alice)
    htmx = post_rating(client, evidence="Typed after the deadline").content.decode()
    assert "closed on 31 December 2009" in htmx and "still in the form" in htmx
    plain = post_rating(client, evidence="Typed after the deadline", htmx=False)
    html = plain.content.decode()
    assert "closed on 31 December 2009" in html
    assert "Typed after the deadline" in html
    assert not CompetencyRating.objects.exists()


def test_an_expired_session_keeps_the_typed_text_through_sign_in(alice, camden_sa):
    client = Client()
    response = post_rating(client, evidence="Typed while signed out", htmx=False)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    login = client.post(
        "/accounts/login/?next=" + url("competency", "5K7", 3),
        {"username": alice.email, "password": "correct horse battery staple"},
    )
    assert login.status_code == 302 and login["Location"] == url("competency", "5K7", 3)
    page = client.get(url("competency", "5K7", 3)).content.decode()
    assert "Typed while signed out" in page
    assert "You were signed out while typing" in page
    assert not CompetencyRating.objects.exists()
    # Shown once: a reload shows the saved state again.
    assert "Typed while signed out" not in client.get(url("competency", "5K7", 3)).content.decode()


def test_an_expired_session_during_autosave_redirects_the_whole_page(alice, camden_sa):
    client = Client()
    response = post_rating(client, evidence="Typed while signed out")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_the_competency_page_is_read_only_after_submission(alice, submitted_sa):
    html = client_for(alice).get(url("competency", "5K7", 1)).content.decode()
    assert "hx-post" not in html
    assert "has been submitted" in html


def test_an_unknown_competency_is_404(alice, camden_sa):
    assert client_for(alice).get(url("competency", "5K7", 12)).status_code == 404


# ------------------------------------------------------------------ governance and outcomes


def test_governance_autosaves_per_area(alice, camden_sa):
    response = client_for(alice).post(
        url("governance"),
        {
            "slot": "finance",
            "finance-version": 0,
            "finance-rating": "amber",
            "finance-commentary": "Deficit",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Saved at" in response.content.decode()
    assert camden_sa.governance_declarations.get().rating == "amber"


def test_outcomes_are_chosen_and_updated(alice, camden_sa):
    from assurance.models import OutcomeIndicator

    client = client_for(alice)
    smoking = OutcomeIndicator.objects.get(code="smoking")
    assert client.post(url("outcomes"), {"indicator": smoking.pk}).status_code == 302
    chosen = camden_sa.chosen_outcomes.get()
    prefix = f"o{chosen.pk}"
    bad = client.post(
        url("outcome_update", "5K7", chosen.pk),
        {f"{prefix}-version": 1, f"{prefix}-baseline": "lots", f"{prefix}-direction": "lower"},
    )
    assert bad.status_code == 400 and "Enter the baseline as a number" in bad.content.decode()
    ok = client.post(
        url("outcome_update", "5K7", chosen.pk),
        {
            f"{prefix}-version": 1,
            f"{prefix}-baseline": "24.5",
            f"{prefix}-target": "22",
            f"{prefix}-direction": "lower",
        },
    )
    assert ok.status_code == 302
    chosen.refresh_from_db()
    assert str(chosen.target) == "22.000"


def test_outcome_values_autosave_and_a_conflict_shows_theirs(alice, ann, camden_sa):
    from assurance.models import OutcomeIndicator

    chosen = sa.choose_outcome(alice, camden_sa, OutcomeIndicator.objects.get(code="smoking"))
    p = f"o{chosen.pk}"
    page = client_for(alice).get(url("outcomes")).content.decode()
    assert "data-wcc-autosave" in page
    assert f'data-hx-post="{url("outcome_update", "5K7", chosen.pk)}"' in page
    values = {f"{p}-version": chosen.version, f"{p}-baseline": "24.5", f"{p}-direction": "lower"}
    htmx = {"HTTP_HX_REQUEST": "true"}
    saved = client_for(ann).post(url("outcome_update", "5K7", chosen.pk), values, **htmx)
    assert "Saved at" in saved.content.decode() and "<html" not in saved.content.decode()
    mine = {**values, f"{p}-baseline": "30"}
    html = client_for(alice).post(url("outcome_update", "5K7", chosen.pk), mine, **htmx)
    html = html.content.decode()
    assert "Ann Approver saved this while you were editing" in html
    assert f'name="{p}-version_override" value="{chosen.version + 1}"' in html
    chosen.refresh_from_db()
    assert str(chosen.baseline) == "24.500"


def test_another_pct_cannot_touch_an_outcome(bob, alice, camden_sa):
    from assurance.models import OutcomeIndicator

    chosen = sa.choose_outcome(alice, camden_sa, OutcomeIndicator.objects.get(code="smoking"))
    assert client_for(bob).post(url("outcome_update", "5K7", chosen.pk), {}).status_code == 404
    assert client_for(bob).post(url("outcome_update", "5K8", chosen.pk), {}).status_code == 404


# ------------------------------------------------------------------ documents


def test_uploading_a_document(alice, camden_sa):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(alice).post(
        url("documents"),
        {"kind": "strategic_plan", "file": SimpleUploadedFile("plan.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    assert EvidenceDocument.objects.get().original_name == "plan.pdf"


def test_a_wrong_file_type_is_refused_next_to_the_field(alice, camden_sa):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(alice).post(
        url("documents"),
        {"kind": "other", "file": SimpleUploadedFile("plan.pdf", b"not really a pdf")},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#file"' in html or 'href="#id_file"' in html
    assert "must be a PDF, DOCX, XLSX, ODT, PNG or JPEG" in html


def test_a_file_over_the_limit_is_refused_with_the_limit(alice, camden_sa, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.EVIDENCE_MAX_BYTES = 2 * 1024 * 1024
    big = PDF_BYTES + b"0" * (2 * 1024 * 1024)
    response = client_for(alice).post(
        url("documents"), {"kind": "other", "file": SimpleUploadedFile("big.pdf", big)}
    )
    assert "smaller than 2 MB" in response.content.decode()


def test_download_is_an_attachment_with_nosniff(alice, camden_sa):
    document = sa.upload_evidence(alice, camden_sa, kind="other", upload=upload("Plan 2009.pdf"))
    response = client_for(alice).get(
        reverse("self_assessment:evidence_download", args=[document.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "Plan 2009.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_download_is_404_for_another_pct_and_signed_out(bob, alice, camden_sa):
    document = sa.upload_evidence(alice, camden_sa, kind="other", upload=upload())
    path = reverse("self_assessment:evidence_download", args=[document.pk])
    assert client_for(bob).get(path).status_code == 404
    assert Client().get(path).status_code == 302


def test_download_for_assessors_only_from_phase_two(sara, nick, alice, submitted_sa):
    document = EvidenceDocument.objects.filter(self_assessment=submitted_sa).first()
    path = reverse("self_assessment:evidence_download", args=[document.pk])
    assert client_for(sara).get(path).status_code == 404
    open_phase_two(submitted_sa.cycle)
    assert client_for(sara).get(path).status_code == 200
    assert client_for(nick).get(path).status_code == 404


def test_removing_a_document(alice, camden_sa):
    document = sa.upload_evidence(alice, camden_sa, kind="other", upload=upload())
    response = client_for(alice).post(url("document_remove", "5K7", document.pk))
    assert response.status_code == 302
    document.refresh_from_db()
    assert not document.is_current


# ------------------------------------------------------------------ submission


def test_the_submit_page_links_to_every_missing_item(ann, camden_sa):
    response = client_for(ann).post(url("submit"), {"board_ratified_on": "10 12 2009"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "26 items still to do" in html
    assert f'href="{url("competency", "5K7", 11)}#c11-evidence"' in html
    assert f'href="{url("documents")}#doc-comms_strategy"' in html


def test_the_approver_submits_and_the_page_turns_read_only(alice, ann, camden_sa):
    ready_to_submit(alice, camden_sa)
    response = client_for(ann).post(url("submit"), {"board_ratified_on": "10 12 2009"})
    assert response.status_code == 302
    camden_sa.refresh_from_db()
    assert camden_sa.status == SelfAssessmentStatus.SUBMITTED
    html = client_for(alice).get(url("overview")).content.decode()
    assert 'data-testid="submitted-banner"' in html
    assert "hx-post" not in client_for(alice).get(url("governance")).content.decode()


def test_the_approver_checks_every_answer_before_submitting(alice, ann, camden_sa):
    ready_to_submit(alice, camden_sa)
    html = client_for(ann).get(url("submit")).content.decode()
    assert "Check your answers" in html
    for testid in ("competencies", "governance", "outcomes", "documents"):
        assert f'data-testid="answers-{testid}"' in html or testid == "outcomes"
    rating = CompetencyRating.objects.filter(self_assessment=camden_sa).first()
    assert f"Level {rating.level}" in html and rating.evidence[:40] in html
    assert f'href="{url("competency", "5K7", 3)}#c3-level"' in html


def test_submitting_keeps_a_pdf_of_what_was_submitted(
    alice, ann, sara, bob, camden_sa, django_capture_on_commit_callbacks
):
    ready_to_submit(alice, camden_sa)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(ann).post(url("submit"), {"board_ratified_on": "10 12 2009"})
    copy = SubmittedCopy.objects.get(self_assessment=camden_sa)
    assert copy.rendered_at and copy.board_ratified_on == dt.date(2009, 12, 10)
    content = copy.file.read()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == copy.sha256
    html = client_for(alice).get(url("overview")).content.decode()
    link = url("submitted_copy", "5K7", copy.pk)
    assert link in html
    response = client_for(alice).get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The same rule as the self-assessment: another PCT and another SHA's assessor get 404,
    # and the SHA's assessors only from phase two.
    assert client_for(bob).get(link).status_code == 404
    assert client_for(sara).get(link).status_code == 404
    # Rendering again changes nothing.
    from assurance.services import submitted_copy

    assert submitted_copy.render_copy(copy.pk) is False


def test_a_copy_of_a_reopened_self_assessment_is_never_rendered(alice, ann, dora, camden_sa):
    from assurance.services import submitted_copy

    ready_to_submit(alice, camden_sa)
    sa.submit_self_assessment(ann, camden_sa, board_ratified_on=dt.date(2009, 12, 10))
    copy = SubmittedCopy.objects.get()
    sa.reopen_self_assessment(dora, camden_sa, reason="Wrong plan")
    assert submitted_copy.render_copy(copy.pk) is False
    copy.refresh_from_db()
    assert not copy.file and "reopened" in copy.error


def test_staff_who_are_not_the_approver_see_no_submit_button(alice, camden_sa):
    html = client_for(alice).get(url("submit")).content.decode()
    assert "Only your PCT's approver" in html
    assert (
        client_for(alice).post(url("submit"), {"board_ratified_on": "10 12 2009"}).status_code
        == 400
    )


def test_a_bad_date_is_refused_next_to_the_field(ann, camden_sa):
    html = client_for(ann).post(url("submit"), {"board_ratified_on": "31 02 2009"}).content.decode()
    assert "Enter a real date" in html


def test_dh_reopens_with_a_reason(dora, submitted_sa):
    client = client_for(dora)
    assert client.post(url("reopen"), {"reason": ""}).status_code == 400
    assert client.post(url("reopen"), {"reason": "Wrong plan"}).status_code == 302
    submitted_sa.refresh_from_db()
    assert not submitted_sa.is_submitted


def test_pct_staff_cannot_reopen(ann, submitted_sa):
    assert client_for(ann).post(url("reopen"), {"reason": "x"}).status_code == 403


# ------------------------------------------------------------------ history


def test_history_shows_who_when_old_and_new(alice, sara, camden_sa):
    post_rating(client_for(alice), evidence="First")
    post_rating(client_for(alice), evidence="Second", version=1)
    html = client_for(alice).get(url("history")).content.decode()
    assert "Alice Staff" in html and "First" in html and "Second" in html
    assert AuditEntry.objects.filter(pct=camden_sa.pct, field="evidence").count() == 2


def test_start_sends_pct_staff_to_their_own_self_assessment(alice, cycle):
    response = client_for(alice).get(reverse("self_assessment:start"))
    assert response["Location"] == url("overview")


def test_the_list_shows_assessors_only_submitted_ones_of_their_sha(sara, submitted_sa, islington):
    SelfAssessment.objects.create(cycle=submitted_sa.cycle, pct=islington)
    open_phase_two(submitted_sa.cycle)
    html = client_for(sara).get(reverse("self_assessment:list", args=["2009-10"])).content.decode()
    assert "Camden" in html and "Islington" not in html


def test_an_autosave_takes_a_fixed_small_number_of_queries(
    alice, camden_sa, django_assert_max_num_queries
):
    client = client_for(alice)
    post_rating(client, evidence="first")
    with django_assert_max_num_queries(16):
        response = post_rating(client, evidence="first and second", version=1)
    assert "Saved at" in response.content.decode()


# ------------------------------------------------------------------ history (issue 13)


def test_history_shows_a_pct_none_of_its_panels_entries(alice, ann, sara, lena, london, camden_sa):
    """Finding 1: review notes, score sheets, consensus and moderations are the panel's, not
    the PCT's; its History page shows its own self-assessment actions only."""
    from django.utils.html import escape

    from assurance.models import Consensus
    from assurance.services import panels
    from tests.assurance.panel_factories import full_values, panel_day, set_phase

    ready_to_submit(alice, camden_sa)
    sa.submit_self_assessment(ann, camden_sa, board_ratified_on=dt.date(2009, 12, 10))
    set_phase(camden_sa.cycle, 2)
    assessment = SelfAssessment.objects.get(pk=camden_sa.pk)
    panels.save_review_note(
        sara, assessment, section="governance", note="NOTE-FOR-ASSESSORS", questions="Q?"
    )
    set_phase(assessment.cycle, 3)
    assessment = SelfAssessment.objects.get(pk=camden_sa.pk)
    panel_day(assessment.cycle, london, [sara, lena], slots=[(assessment.pct, "10:00", "12:00")])
    panels.record_panel_scores(sara, assessment, full_values(assessment))
    panels.submit_score_sheet(sara, assessment)
    agreed = {k: (v, "CONSENSUS-RATIONALE") for k, (v, _) in full_values(assessment).items()}
    panels.set_consensus(lena, assessment, agreed)
    set_phase(assessment.cycle, 4)
    consensus = Consensus.objects.filter(self_assessment=assessment, level__isnull=False).first()
    panels.moderate_score(lena, consensus, value=3, reason="MODERATION-REASON")

    panel_entries = AuditEntry.objects.filter(pct=assessment.pct).exclude(
        action__in=sa_actions_of(alice, ann)
    )
    assert {e.action.split(".")[0] for e in panel_entries} >= {
        "review_note",
        "score_sheet",
        "consensus",
        "moderation",
    }
    html = client_for(alice).get(url("history")).content.decode()
    for secret in ["NOTE-FOR-ASSESSORS", "CONSENSUS-RATIONALE", "MODERATION-REASON", "Sara"]:
        assert secret not in html
    for entry in panel_entries:
        assert escape(entry.label) not in html, entry.action
    # Its own edits are still there: Alice's ratings and uploads, Ann's submission.
    assert "Alice Staff" in html and "Evidence for" in html and "Ann Approver" in html


def sa_actions_of(*users):
    return AuditEntry.objects.filter(actor__in=users).values_list("action", flat=True)


def test_a_removed_document_is_no_longer_downloadable(alice, dora, camden_sa):
    """Issue 13, finding 8: removed evidence was still served by id."""
    document = sa.upload_evidence(alice, camden_sa, kind="other", upload=upload())
    path = reverse("self_assessment:evidence_download", args=[document.pk])
    assert client_for(alice).get(path).status_code == 200
    client_for(alice).post(url("document_remove", "5K7", document.pk))
    assert client_for(alice).get(path).status_code == 404
    assert client_for(dora).get(path).status_code == 404


def test_a_refused_outcome_save_says_so_once_at_the_top_and_in_the_title(alice, camden_sa):
    from assurance.models import OutcomeIndicator

    client = client_for(alice)
    smoking = OutcomeIndicator.objects.get(code="smoking")
    client.post(url("outcomes"), {"indicator": smoking.pk})
    chosen = camden_sa.chosen_outcomes.get()
    prefix = f"o{chosen.pk}"
    html = client.post(
        url("outcome_update", "5K7", chosen.pk),
        {f"{prefix}-version": 1, f"{prefix}-target": "-2", f"{prefix}-direction": "lower"},
    ).content.decode()
    assert "<title>Error: Health outcomes" in html
    assert html.count("There is a problem") == 1
    assert "Enter a target of 0 or more" in html


def test_a_refused_competency_save_has_error_in_its_title(alice, camden_sa):
    html = (
        client_for(alice)
        .post(url("competency", "5K7", 3), {"slot": "c3", "c3-version": "0", "c3-level": "9"})
        .content.decode()
    )
    assert "<title>Error: Competency 3" in html
