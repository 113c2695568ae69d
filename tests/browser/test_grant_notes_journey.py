"""Issue 14, "grant notes: one form per page, saved together or not at all", in Debian's
Chromium: DH staff reach a PCT's freedoms from the overview, write notes on two of its
grants in the page's one form and save once; both are saved (and only they are audited),
they are there on reload and Camden's staff see them. The browser holds a note to the
2,000 characters the form allows, and clearing a note saves the empty note.
"""

import pytest
from playwright.sync_api import expect

from assurance.models import AuditEntry
from freedoms.catalogue import load_catalogue
from freedoms.models import Grant
from tests.freedoms.factories import confirmed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/wcc-browser-gaps"

SEAT = "Chief executive joins the DH commissioning policy board from June 2010."
PAY = "DH will consider a local pay scheme for GPs with special interests.\nNothing agreed yet."


def shot(page, name):
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def camden_holds_freedoms(dora, camden, islington):
    load_catalogue()  # a transactional test starts from an emptied database
    confirmed({camden: "freedoms", islington: "notice"}, dora)
    return {g.freedom.code: g for g in Grant.objects.filter(pct=camden).select_related("freedom")}


def test_dh_writes_notes_on_two_grants_in_one_save_and_camden_sees_them(
    page, live_server, sign_in, dora, alice, camden_holds_freedoms
):
    grants = camden_holds_freedoms
    sign_in(page, dora)
    page.goto(f"{live_server.url}/freedoms/overview/")
    page.get_by_test_id("holders").get_by_role("link", name="Camden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Camden")
    seat = page.get_by_label("Notes on a seat at the table")
    pay = page.get_by_label("Notes on pay flexibilities")
    expect(seat).to_have_value("")
    seat.fill(SEAT)
    pay.fill(PAY)
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator(".wcc-message")).to_contain_text("Notes for Camden saved.")
    shot(page, "grant-notes-saved")

    page.reload()
    expect(seat).to_have_value(SEAT)
    expect(pay).to_have_value(PAY)
    expect(page.get_by_label("Notes on franchising")).to_have_value("")
    saved = {g.freedom.code: g.notes for g in Grant.objects.filter(pct__code="5K7")}
    assert saved["seat_at_table"] == SEAT
    assert saved["pay_flexibilities"].replace("\r\n", "\n") == PAY
    assert [v for k, v in saved.items() if k not in {"seat_at_table", "pay_flexibilities"}] == [
        ""
    ] * 5
    # The page posts all seven notes; only the two that changed are saved and audited.
    audited = AuditEntry.objects.filter(action="grant.notes")
    assert sorted(a.object_id for a in audited) == sorted(
        [grants["seat_at_table"].pk, grants["pay_flexibilities"].pk]
    )
    assert all(a.actor == dora for a in audited)

    # Camden's staff read the notes on their freedoms page.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, alice)
    page.goto(f"{live_server.url}/freedoms/")
    table = page.get_by_test_id("grants")
    expect(table.get_by_role("row", name="A seat at the table")).to_contain_text(SEAT)
    shot(page, "grant-notes-seen-by-camden")


def test_a_note_is_held_to_its_limit_and_clearing_a_note_saves_it_empty(
    page, live_server, sign_in, dora, camden_holds_freedoms
):
    seat_grant = camden_holds_freedoms["seat_at_table"]
    seat_grant.notes = "Seat agreed in principle."
    seat_grant.save(update_fields=["notes"])
    sign_in(page, dora)
    page.goto(f"{live_server.url}/freedoms/overview/5K7/grants/")
    seat = page.get_by_label("Notes on a seat at the table")
    expect(seat).to_have_value("Seat agreed in principle.")

    # 2,100 characters pasted: the box keeps the first 2,000, the most a note may hold.
    franchising = page.get_by_label("Notes on franchising")
    franchising.focus()
    page.keyboard.insert_text("x" * 2100)
    expect(franchising).to_have_value("x" * 2000)

    seat.fill("")
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator(".wcc-message")).to_contain_text("Notes for Camden saved.")
    expect(seat).to_have_value("")
    expect(franchising).to_have_value("x" * 2000)
    seat_grant.refresh_from_db()
    assert seat_grant.notes == ""
    assert Grant.objects.get(pk=camden_holds_freedoms["franchising"].pk).notes == "x" * 2000
    cleared = AuditEntry.objects.get(action="grant.notes", object_id=seat_grant.pk)
    assert (cleared.old_value, cleared.new_value) == ("Seat agreed in principle.", "")


def test_a_note_of_many_lines_that_fits_the_box_is_saved(
    page, live_server, sign_in, dora, camden_holds_freedoms
):
    """Found in a browser: the box counts a line break once, the form sent it as two, and a
    note that fitted was refused as over 2,000 characters."""
    sign_in(page, dora)
    page.goto(f"{live_server.url}/freedoms/overview/5K7/grants/")
    seat = page.get_by_label("Notes on a seat at the table")
    seat.focus()
    lines = "\n".join(["Agreed at the board, minute 12; see the letter of 3 June."[:49]] * 41)
    page.keyboard.insert_text(lines)
    expect(seat).to_have_value(lines[:2000])
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator(".wcc-message")).to_contain_text("Notes for Camden saved.")
    saved = Grant.objects.get(pk=camden_holds_freedoms["seat_at_table"].pk).notes
    assert saved == lines[:2000].strip() and saved.count("\n") == 39  # 2,039 as sent


def test_a_note_on_a_grant_that_lapsed_while_typing_is_shown_not_lost(
    page, live_server, sign_in, dora, camden_holds_freedoms
):
    from freedoms.models import GrantStatus

    sign_in(page, dora)
    page.goto(f"{live_server.url}/freedoms/overview/5K7/grants/")
    page.get_by_label("Notes on a seat at the table").fill("Chief executive joins the board.")
    page.get_by_label("Notes on franchising").fill("Franchise talks in June.")
    seat = camden_holds_freedoms["seat_at_table"]
    Grant.objects.filter(pk=seat.pk).update(status=GrantStatus.LAPSED)
    page.get_by_role("button", name="Save notes").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Notes on a seat at the table were not saved")
    expect(page.get_by_test_id(f"lapsed-{seat.pk}")).to_contain_text(
        "Chief executive joins the board."
    )
    expect(page.get_by_label("Notes on franchising")).to_have_value("Franchise talks in June.")
    shot(page, "grant-notes-lapsed")
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator(".wcc-message")).to_contain_text("Notes for Camden saved.")
    assert Grant.objects.get(pk=camden_holds_freedoms["franchising"].pk).notes == (
        "Franchise talks in June."
    )
    assert Grant.objects.get(pk=seat.pk).notes == ""
