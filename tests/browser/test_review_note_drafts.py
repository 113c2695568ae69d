"""Issue 14, "nothing typed is lost" for the SHA assessors' phase 2 review notes, in Debian's
Chromium: a note typed and left at once (before its autosave) is sent as the page is left
and is there on return; a save refused as the page is left (nobody sees its answer) comes
back on return as a draft, flagged "Not saved yet" with the reason, while the note saved
before is kept; the draft is shown once, and the next save replaces the note.
"""

import pytest
from playwright.sync_api import expect

from assurance import models as m
from assurance.services import panels as panel_services
from tests.assurance.panel_factories import panel_cycle, submitted_self_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/wcc-browser-gaps"


def shot(section, name):
    """The section in question (the whole review page is 9,000 pixels tall)."""
    section.screenshot(path=f"{SHOTS}/{name}.png")


def settle(page):
    """Wait for the saves sent as the page was left (the test database serialises them)."""
    page.wait_for_load_state("networkidle")


@pytest.fixture
def camden_sa(camden):
    """Camden's submitted self-assessment in phase 2 (plans analysed): assessors review."""
    return submitted_self_assessment(panel_cycle(open_phase=2), camden)


def test_a_note_typed_and_left_at_once_is_there_on_return(
    page, live_server, sign_in, sara, camden_sa
):
    sign_in(page, sara)
    page.goto(f"{live_server.url}/panels/reviews/{camden_sa.pk}/")
    governance = page.locator("#section-governance")
    governance.get_by_label("Review notes").fill("Finance rated green; the deficit says amber.")
    governance.get_by_label("Questions for the panel day").fill("When does the deficit close?")
    # Left at once, within the autosave's one-second delay.
    page.get_by_role("link", name="Back to panels").click()
    settle(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Panels")

    note = m.ReviewNote.objects.get(self_assessment=camden_sa, author=sara)
    assert (note.section, note.note, note.questions) == (
        "governance",
        "Finance rated green; the deficit says amber.",
        "When does the deficit close?",
    )
    # Audited (moving between the two boxes may have saved the note on its own first).
    audited = m.AuditEntry.objects.filter(action="review_note.saved", field="note").order_by("pk")
    assert {a.actor for a in audited} == {sara}
    assert audited.last().new_value == "Finance rated green; the deficit says amber."

    page.goto(f"{live_server.url}/panels/reviews/{camden_sa.pk}/")
    expect(governance.get_by_label("Review notes")).to_have_value(
        "Finance rated green; the deficit says amber."
    )
    expect(governance.get_by_label("Questions for the panel day")).to_have_value(
        "When does the deficit close?"
    )
    # Saved, not restored: no "Not saved yet" card.
    expect(page.get_by_test_id("restored-note-governance")).to_have_count(0)
    shot(governance, "review-note-left-at-once-saved")


def test_a_save_refused_as_the_page_is_left_comes_back_as_a_draft(
    page, live_server, sign_in, sara, camden_sa
):
    panel_services.save_review_note(
        sara, camden_sa, section="governance", note="Board minutes are thin.", questions=""
    )
    sign_in(page, sara)
    page.goto(f"{live_server.url}/panels/reviews/{camden_sa.pk}/")
    governance = page.locator("#section-governance")
    note_box = governance.get_by_label("Review notes")
    expect(note_box).to_have_value("Board minutes are thin.")

    # She empties the note and leaves at once: an empty note is refused ("Enter a note or
    # a question"), and nobody sees the answer to a save sent as the page is left.
    note_box.fill("")
    page.get_by_role("link", name="Back to panels").click()
    settle(page)
    saved = m.ReviewNote.objects.get(self_assessment=camden_sa, author=sara)
    assert saved.note == "Board minutes are thin.", "the refused save changed nothing"
    assert m.AuditEntry.objects.filter(action="review_note.saved").count() == 1

    # On return the refused text is back in the form, flagged with why it was not saved.
    page.goto(f"{live_server.url}/panels/reviews/{camden_sa.pk}/")
    card = page.get_by_test_id("restored-note-governance")
    expect(card).to_contain_text("Not saved yet")
    expect(card).to_contain_text("was not saved when you left the page")
    expect(card).to_contain_text("Enter a note or a question")
    expect(note_box).to_have_value("")
    # Only that section is flagged.
    expect(page.get_by_test_id("restored-note-competency-1")).to_have_count(0)
    shot(governance, "review-note-refused-draft-restored")

    # She writes the note again; its autosave replaces the old one and the draft is gone.
    note_box.fill("Board minutes are thin; ask for the audit committee's.")
    expect(page.get_by_test_id("saved-note-governance")).to_contain_text("Saved at")
    saved.refresh_from_db()
    assert saved.note == "Board minutes are thin; ask for the audit committee's."
    page.reload()
    settle(page)
    expect(page.get_by_test_id("restored-note-governance")).to_have_count(0)
    expect(note_box).to_have_value("Board minutes are thin; ask for the audit committee's.")


def test_a_note_typed_after_the_session_ended_is_back_after_sign_in(
    page, live_server, sign_in, sara, camden_sa
):
    """Found in a browser: the sign-in page was swapped into the section and the note lost."""
    sign_in(page, sara)
    page.goto(f"{live_server.url}/panels/reviews/{camden_sa.pk}/")
    governance = page.locator("#section-governance")
    governance.get_by_label("Review notes").fill("Board papers seen.")
    expect(page.get_by_test_id("saved-note-governance")).to_contain_text("Saved at")
    # The session ends (expiry, or signed out in another tab) while she keeps typing.
    page.context.clear_cookies(name="sessionid")
    governance.get_by_label("Review notes").fill("Board papers seen. Finance plan missing.")
    # The whole page goes to sign-in, never the sign-in page inside the section.
    expect(page.get_by_label("Email address")).to_be_visible()
    assert page.locator("#section-governance").count() == 0
    page.get_by_label("Email address").fill(sara.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    restored = page.get_by_test_id("restored-note-governance")
    expect(restored).to_contain_text("You were signed out while typing here")
    governance = page.locator("#section-governance")
    expect(governance.get_by_label("Review notes")).to_have_value(
        "Board papers seen. Finance plan missing."
    )
    shot(governance, "review-note-after-sign-in")
    assert m.ReviewNote.objects.get(author=sara).note == "Board papers seen."
    governance.get_by_label("Review notes").press("End")
    governance.get_by_label("Review notes").type(" ")
    expect(page.get_by_test_id("saved-note-governance")).to_contain_text("Saved at")
    assert m.ReviewNote.objects.get(author=sara).note == "Board papers seen. Finance plan missing."
