"""PCT staff fill in a self-assessment in Debian's Chromium; the approver submits it."""

import pytest
from playwright.sync_api import expect

from assurance.models import KEY_DOCUMENT_KINDS, CompetencyRating, SelfAssessment
from assurance.queries import self_assessment as sa_queries
from assurance.services import self_assessment as sa
from tests.assurance.self_assessment_factories import PDF_BYTES, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_the_rest(user, numbers_done):
    assessment = SelfAssessment.objects.get(pct__code="5K7")
    for slot in sa_queries.rating_slots(assessment.cycle.framework):
        if slot.competency.number in numbers_done:
            continue
        sa.save_competency_rating(
            user,
            assessment,
            competency=slot.competency,
            level=2,
            evidence="Done by a colleague",
            version=0,
        )
    for kind in KEY_DOCUMENT_KINDS[1:]:
        sa.upload_evidence(user, assessment, kind=kind, upload=upload(f"{kind}.pdf"))


def test_staff_fill_in_with_autosave_and_the_approver_submits(
    page, live_server, sign_in, alice, ann, cycle, screenshot_dir, tmp_path
):
    sign_in(page, alice)
    page.get_by_role("link", name="Self-assessment", exact=True).first.click()
    expect(page.get_by_role("heading", name="Self-assessment", level=1)).to_be_visible()
    expect(page.get_by_test_id("progress")).to_have_text("You have completed 0 of 14 sections.")
    page.screenshot(path=screenshot_dir / "self-assessment-overview-empty.png", full_page=True)

    # Three competencies, each saved by autosave as the person types (no Save click).
    for number, level in [
        (1, "3 – Consistent"),
        (2, "4 – World class"),
        (3, "2 – Established in parts"),
    ]:
        page.get_by_role("link", name=f"{number}.", exact=False).first.click()
        page.get_by_label("Evidence").fill(f"Board minutes and JSNA for competency {number}.")
        page.get_by_label(level).check()  # its change event saves the level and the text
        expect(page.get_by_test_id(f"saved-c{number}")).to_contain_text("Saved at")
        if number == 1:
            page.screenshot(path=screenshot_dir / "self-assessment-autosaved.png", full_page=True)
        page.get_by_role("link", name="Back to the self-assessment").click()
    # Level and evidence given: completed by what is in it (no "mark as completed", issue 14).
    expect(page.locator("#competency-3-state")).to_have_text("Completed")
    expect(page.locator("#competency-4-state")).to_have_text("Not started")
    expect(page.get_by_test_id("progress")).to_be_visible()
    assert CompetencyRating.objects.filter(self_assessment__pct__code="5K7").count() == 3
    assert CompetencyRating.objects.get(competency__number=3).evidence.endswith("competency 3.")

    # A document, then a file that is not what its name says: refused next to the field.
    page.get_by_role("link", name="Key documents and other evidence").click()
    good = tmp_path / "Strategic plan 2009.pdf"
    good.write_bytes(PDF_BYTES)
    page.get_by_label("Five-year strategic plan").check()
    page.get_by_label("Upload a file").set_input_files(str(good))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_test_id("documents")).to_contain_text("Strategic plan 2009.pdf")
    bad = tmp_path / "Financial plan.pdf"
    bad.write_bytes(b"MZ this is a program, not a PDF")
    page.get_by_label("Financial plan").check()
    page.get_by_label("Upload a file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload", exact=True).click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG")
    expect(page.locator(".nhsuk-error-message")).to_contain_text("must be a PDF")
    page.screenshot(path=screenshot_dir / "self-assessment-upload-error.png", full_page=True)

    # The approver tries too early: the error summary links to every missing item.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, ann)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/submit/")
    page.get_by_label("Date the board ratified the self-assessment").fill("10 12 2009")
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_test_id("missing-items").get_by_role("link")).to_have_count(19)
    page.screenshot(path=screenshot_dir / "self-assessment-submit-missing.png", full_page=True)

    fill_the_rest(alice, {1, 2, 3})
    page.get_by_label("Date the board ratified the self-assessment").fill("10 12 2009")
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_test_id("submitted-banner")).to_contain_text(
        "The board ratified it on 10 December 2009"
    )
    page.screenshot(path=screenshot_dir / "self-assessment-submitted.png", full_page=True)

    # Read-only for everyone at the PCT now.
    page.get_by_role("link", name="1. Locally lead the NHS").click()
    expect(page.get_by_test_id("read-only-reason")).to_contain_text("has been submitted")
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_test_id("level-c1")).to_have_text("3")
    page.screenshot(path=screenshot_dir / "self-assessment-read-only.png", full_page=True)


def test_text_typed_when_the_session_expired_survives_sign_in(
    page, live_server, sign_in, alice, cycle, screenshot_dir
):
    sign_in(page, alice)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/competencies/4/")
    page.get_by_label("Evidence").fill("First sentence.")
    expect(page.get_by_test_id("saved-c4")).to_contain_text("Saved at")
    # The session ends (expiry, or signed out in another tab) while the person keeps typing.
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Evidence").fill("First sentence. Second sentence typed after expiry.")
    expect(page.get_by_label("Email address")).to_be_visible()
    page.get_by_label("Email address").fill(alice.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("restored-c4")).to_contain_text("You were signed out while typing")
    expect(page.get_by_label("Evidence")).to_have_value(
        "First sentence. Second sentence typed after expiry."
    )
    page.screenshot(
        path=screenshot_dir / "self-assessment-restored-after-sign-in.png", full_page=True
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("saved-c4")).to_contain_text("Saved at")
    assert CompetencyRating.objects.get(competency__number=4).evidence.endswith("after expiry.")


def test_text_typed_just_before_leaving_the_page_is_saved(page, live_server, sign_in, alice, cycle):
    sign_in(page, alice)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/competencies/5/")
    page.get_by_label("Evidence").fill("Typed and left at once.")
    page.get_by_role("link", name="Back to the self-assessment").click()
    # (The in-memory test database serialises the save and the next page; wait for both.)
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/competencies/5/")
    expect(page.get_by_label("Evidence")).to_have_value("Typed and left at once.")
