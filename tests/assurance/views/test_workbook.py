"""DH's workbook of a whole publication (issue 16, part 6): one sheet per part, DH only,
formula-safe like the CSV, moderations as of the version."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assurance import models as m
from tests.assurance.publication_factories import IMPROVED, ON_TRAJECTORY, give_results
from tests.factories import CycleFactory
from tests.freedoms.factories import publish

pytestmark = pytest.mark.django_db

SHEETS = [
    "About",
    "League table",
    "Competency levels",
    "Governance",
    "Outcomes",
    "Reasons",
    "Moderation trail",
]


@pytest.fixture
def publication(camden, islington, lena):
    cycle = CycleFactory(year_label="2009/10", open_phase=m.PhaseKind.PUBLICATION)
    camden_sa = give_results(cycle, camden, [3] * 11, outcomes=[ON_TRAJECTORY, IMPROVED])
    give_results(cycle, islington, [2] * 11)
    publication = publish({camden: "support", islington: "notice"}, cycle=cycle)
    computed = timezone.now() - dt.timedelta(hours=1)
    m.Publication.objects.filter(pk=publication.pk).update(computed_at=computed)
    m.PublishedResult.objects.filter(publication=publication, pct=camden).update(
        reasons=["competency 5 at level 2", "=cmd|' /C calc'!A0"], outcome_score=Decimal("0.750")
    )
    # Two regional moderations: one before the version was computed, one after.
    consensus = m.Consensus.objects.get(self_assessment=camden_sa, competency__number=4)
    for new, at in (
        ("4", computed - dt.timedelta(days=1)),
        ("2", computed + dt.timedelta(minutes=5)),
    ):
        mod = m.Moderation.objects.create(
            consensus=consensus,
            stage=m.ModerationStage.REGIONAL,
            old_value="3",
            new_value=new,
            reason=f"Moved to {new}.",
            moderated_by=lena,
        )
        m.Moderation.objects.filter(pk=mod.pk).update(moderated_at=at)
    return m.Publication.objects.get(pk=publication.pk)


def book(client, publication):
    response = client.get(reverse("publications:workbook", args=[publication.pk]))
    assert response.status_code == 200
    assert 'filename="wcc-publication-2009-10-v1.xlsx"' in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def values(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_workbook_has_a_sheet_for_each_part_of_the_publication(
    client, dora, publication, camden, django_assert_max_num_queries
):
    client.force_login(dora)
    with django_assert_max_num_queries(12):
        wb = book(client, publication)
    assert wb.sheetnames == SHEETS
    league = values(wb["League table"])
    assert league[0][:3] == ["Rank", "Regional rank", "ODS code"]
    assert [row[2] for row in league[1:]] == [camden.code, "5K8"]
    levels = values(wb["Competency levels"])
    assert levels[0][4].startswith("1. ")
    assert levels[1][:4] == [camden.code, "Camden", camden.sha.name, 1]
    governance = values(wb["Governance"])
    assert governance[0][4:8] == ["Strategy", "Finance", "Board", "Governance points"]
    outcomes = values(wb["Outcomes"])
    camden_outcomes = [row for row in outcomes[1:] if row[0] == camden.code]
    assert sorted(row[8] for row in camden_outcomes) == ["Improved", "On trajectory"]
    assert all(row[9] == 0.75 for row in camden_outcomes)
    reasons = values(wb["Reasons"])
    assert [
        camden.code,
        "Camden",
        camden.sha.name,
        1,
        "Support",
        "competency 5 at level 2",
    ] in reasons


def test_the_moderation_trail_is_the_one_that_shaped_this_version(client, dora, publication):
    client.force_login(dora)
    trail = values(book(client, publication)["Moderation trail"])
    assert trail[0] == [
        "ODS code",
        "PCT",
        "SHA",
        "Item",
        "Stage",
        "From",
        "To",
        "Reason",
        "By",
        "At",
    ]
    assert len(trail) == 2  # the moderation made after the version was computed is not in it
    assert trail[1][3:8] == ["Competency 4", "Regional (SHA)", "3", "4", "Moved to 4."]
    assert trail[1][8] == "Lena Lead"


def test_text_a_spreadsheet_would_run_stays_text(client, dora, publication):
    m.PCT.objects.filter(code="5K7").update(name='=HYPERLINK("http://evil.example","x")')
    client.force_login(dora)
    wb = book(client, publication)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert wb["Reasons"]["F3"].value == "=cmd|' /C calc'!A0"


def test_an_illustrative_publication_says_so_on_every_sheet(client, dora, publication):
    m.Publication.objects.filter(pk=publication.pk).update(illustrative=True)
    client.force_login(dora)
    wb = book(client, publication)
    for title in SHEETS[1:]:
        table = values(wb[title])
        assert table[0][-1] == "Data", title
        assert all(str(row[-1]).startswith("Illustrative data") for row in table[1:]), title


@pytest.mark.parametrize("who", ["alice", "sara", "lena"])
def test_only_dh_may_download_the_workbook(client, publication, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("publications:workbook", args=[publication.pk])).status_code == 404


def test_the_public_is_asked_to_sign_in(client, publication):
    response = client.get(reverse("publications:workbook", args=[publication.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_publication_still_computing_has_no_workbook(client, dora, publication):
    m.Publication.objects.filter(pk=publication.pk).update(status=m.PublicationStatus.COMPUTING)
    client.force_login(dora)
    assert client.get(reverse("publications:workbook", args=[publication.pk])).status_code == 404


def test_dh_find_the_workbook_on_the_results_index(client, dora, publication):
    client.force_login(dora)
    body = client.get(reverse("publications:index")).content.decode()
    assert reverse("publications:workbook", args=[publication.pk]) in body
    client.logout()
    body = client.get(reverse("publications:index")).content.decode()
    assert reverse("publications:workbook", args=[publication.pk]) not in body
