"""Freedom 5, "highlighted as a top PCT": a badge on the league table and the PCT's pages."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assurance.models import PCT
from freedoms.services import grant_freedoms
from tests.freedoms.factories import confirmed


def test_the_league_table_badges_freedom_holders_only(client, dora, camden, islington):
    publication = confirmed({camden: "freedoms", islington: "support"}, dora)
    html = client.get(reverse("publications:league_table", args=[publication.pk])).content.decode()
    assert html.count('data-testid="top-pct-badge"') == 1
    html = html[html.index('id="table"') :]  # "Find a PCT" above the table lists every name
    row = html[html.index(">Camden<") : html.index(">Islington<")]
    assert "Top PCT" in row


def test_the_badge_costs_one_query_however_many_holders(client, dora, london):
    pcts = list(PCT.objects.filter(sha=london))
    small = confirmed({pct: "support" for pct in pcts}, dora)

    def count(pk):
        cache.clear()  # the rendered table is cached: measure a fresh render each time
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("publications:league_table", args=[pk]))
        return len(ctx.captured_queries)

    baseline = count(small.pk)
    for result in small.results.all()[:15]:
        result.tier = "freedoms"
        result.save()
    grant_freedoms(small, by=dora)
    assert count(small.pk) == baseline


def test_the_pct_registry_page_and_report_show_the_badge(client, dora, camden, islington):
    publication = confirmed({camden: "freedoms", islington: "support"}, dora)
    assert "Top PCT" in client.get(camden.get_absolute_url()).content.decode()
    assert "Top PCT" not in client.get(islington.get_absolute_url()).content.decode()
    report = client.get(reverse("publications:pct_report", args=[publication.pk, "5K7"]))
    assert "Top PCT" in report.content.decode()
