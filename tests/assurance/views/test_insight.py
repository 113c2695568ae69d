"""Insight pages (issue 16, part 4): public when published; SHA staff and DH see a cycle in
progress, SHA staff only their own SHA's figures; everyone else 404."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from assurance import models as m
from tests.assurance.panel_factories import submitted_self_assessment
from tests.assurance.publication_factories import give_results
from tests.factories import CycleFactory, UserFactory
from tests.freedoms.factories import publish

pytestmark = pytest.mark.django_db

GREEN = {"strategy": "green", "finance": "green", "board": "green"}
RED = {"strategy": "red", "finance": "red", "board": "red"}


def page(cycle: m.Cycle) -> str:
    return reverse("insight:cycle", args=[cycle.slug])


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def published(camden, islington, durham):
    cycle = CycleFactory(year_label="2008/09", open_phase=m.PhaseKind.PUBLICATION)
    publication = publish({camden: "freedoms", islington: "support", durham: "notice"}, cycle=cycle)
    for pct in (camden, islington, durham):
        submitted_self_assessment(cycle, pct, self_level=3)
    return publication


@pytest.fixture
def in_progress(camden, islington, durham):
    cycle = CycleFactory(year_label="2009/10", open_phase=m.PhaseKind.PANEL_DAYS)
    for pct, governance in ((camden, GREEN), (islington, GREEN), (durham, RED)):
        submitted_self_assessment(cycle, pct, self_level=3)
        give_results(cycle, pct, [2] * 11, governance)
    return cycle


def test_anyone_reads_a_published_cycles_insight_with_charts_and_tables(
    client, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get(page(published.cycle))
    assert response.status_code == 200
    body = response.content.decode()
    # Five accessible charts (road ahead, levels, governance, tiers, SHAs), each named.
    svgs = re.findall(r"<svg class=\"wcc-chart\"[^>]*>", body)
    assert len(svgs) == 5
    assert all('role="img"' in s and "aria-labelledby" in s for s in svgs)
    assert body.count("<title id=") == 5 and body.count("<desc id=") == 5
    # Figures written as text, not told by colour alone.
    assert "Self 3.00" in body and "Panel " in body
    governance = body.split('data-testid="table-governance"')[1].split("</table>")[0]
    assert re.search(r"Strategy</th>(<td[^>]*>\d+</td>){3}", governance)
    for chart in ("road-ahead", "levels", "governance", "tiers", "shas"):
        assert reverse("insight:csv", args=[published.cycle.slug, chart]) in body
    assert reverse("publications:league_table", args=[published.pk]) in body


def test_the_index_lists_published_cycles_to_the_public_and_cycles_in_progress_to_dh(
    client, published, in_progress, dora
):
    body = client.get(reverse("insight:index")).content.decode()
    assert page(published.cycle) in body and page(in_progress) not in body
    client.force_login(dora)
    body = client.get(reverse("insight:index")).content.decode()
    assert page(published.cycle) in body and page(in_progress) in body


@pytest.mark.parametrize("who", ["anon", "alice", "peer"])
def test_an_unpublished_cycles_insight_is_not_found_for_the_public_pct_staff_and_peers(
    client, in_progress, alice, london, who
):
    user = {"anon": None, "alice": alice, "peer": UserFactory(role=m.Role.PEER_EXPERT, sha=london)}
    if user[who]:
        client.force_login(user[who])
    assert client.get(page(in_progress)).status_code == 404
    assert client.get(reverse("insight:csv", args=[in_progress.slug, "levels"])).status_code == 404


def test_sha_staff_see_only_their_shas_figures_for_a_cycle_in_progress(
    client, in_progress, sara, london, north_east
):
    client.force_login(sara)
    response = client.get(page(in_progress))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"of {london.name} only" in body
    assert f'data-testid="sha-{london.code}"' in body
    assert f'data-testid="sha-{north_east.code}"' not in body
    # Durham (North East) is triple-red; London's two PCTs are all green.
    governance = body.split('data-testid="table-governance"')[1].split("</table>")[0]
    assert re.search(r"Strategy</th><td[^>]*>0</td><td[^>]*>0</td><td[^>]*>2</td>", governance)
    assert 'id="tiers"' not in body  # tiers are set at publication
    shas = rows(client.get(reverse("insight:csv", args=[in_progress.slug, "shas"])))
    assert [r[0] for r in shas[1:]] == [london.name]


def test_sha_staff_see_nothing_of_a_cycle_before_phase_2(client, sara, camden):
    cycle = CycleFactory(year_label="2009/10", open_phase=m.PhaseKind.SELF_ASSESSMENT)
    submitted_self_assessment(cycle, camden)
    client.force_login(sara)
    assert client.get(page(cycle)).status_code == 404


def test_dh_see_every_sha_for_a_cycle_in_progress(client, in_progress, dora, london, north_east):
    client.force_login(dora)
    body = client.get(page(in_progress)).content.decode()
    assert f'data-testid="sha-{london.code}"' in body
    assert f'data-testid="sha-{north_east.code}"' in body
    governance = rows(client.get(reverse("insight:csv", args=[in_progress.slug, "governance"])))
    assert governance[1] == ["Strategy", "1", "0", "2"]
    assert client.get(reverse("insight:csv", args=[in_progress.slug, "tiers"])).status_code == 404


def test_a_csv_carries_the_charts_figures_and_is_safe_in_a_spreadsheet(client, published):
    m.Competency.objects.filter(framework=published.cycle.framework, number=1).update(
        short_name='=HYPERLINK("http://evil.example")'
    )
    response = client.get(reverse("insight:csv", args=[published.cycle.slug, "road-ahead"]))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="wcc-insight-2008-09-road-ahead.csv"' in response["Content-Disposition"]
    table = rows(response)
    assert table[0][0] == "Competency"
    assert table[1][1].startswith("'=")
    assert table[1][2] == "3.00"  # every PCT rated itself 3
    tiers = rows(client.get(reverse("insight:csv", args=[published.cycle.slug, "tiers"])))
    assert tiers[1:] == [["Freedoms", "1"], ["Support", "1"], ["On notice", "1"]]


def test_an_illustrative_cycles_csv_says_so_on_every_row(client, published):
    m.Publication.objects.filter(pk=published.pk).update(illustrative=True)
    table = rows(client.get(reverse("insight:csv", args=[published.cycle.slug, "governance"])))
    assert table[0][-1] == "Data"
    assert all(r[-1].startswith("Illustrative data") for r in table[1:])


@pytest.mark.parametrize("chart", ["pie", "road_ahead", "x" * 300])
def test_an_unknown_chart_or_cycle_is_not_found(client, published, chart):
    assert client.get(reverse("insight:csv", args=[published.cycle.slug, chart])).status_code == 404
    assert client.get(reverse("insight:cycle", args=["1999-00"])).status_code == 404
