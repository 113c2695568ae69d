"""No listing lets one PCT learn about another before publication (issue 7, §6).

Alice (Camden) walks every list page and htmx fragment she can reach, for every cycle,
while 2009/10 is at panel days with Islington drafting and a 2009/10 publication is
under way. Nothing of Islington's or County Durham's unpublished work may show: their
names appear only on public reference data (the registry) and on what DH has published
(2008/09's league table and reports, and the franchise Camden itself proposed).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from assurance.models import Publication, PublicationStatus
from tests.test_permissions_matrix import world  # noqa: F401  (the shared world fixture)

pytestmark = pytest.mark.django_db

OTHERS = ("Islington", "County Durham")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def running(world):  # noqa: F811
    return Publication.objects.create(
        cycle=world.panel_cycle, version=1, status=PublicationStatus.RENDERING
    )


def pages(world, running):  # noqa: F811
    cycles = [world.published_cycle, world.panel_cycle, world.open_cycle]
    for c in cycles:
        yield reverse("self_assessment:list", args=[c.slug]), {}
        yield reverse("panels:index") + f"?cycle={c.pk}", {}
        yield reverse("panels:index") + f"?cycle={c.pk}", HTMX
    yield reverse("home"), {}
    yield reverse("publications:index"), {}
    yield reverse("self_assessment:overview", args=[world.panel_cycle.slug, "5K7"]), {}
    yield reverse("self_assessment:history", args=[world.panel_cycle.slug, "5K7"]), {}
    yield reverse("freedoms:franchise_propose"), {}  # the receivers: published tiers only


def test_pct_staff_lists_name_no_other_pct_before_publication(client, world, running):  # noqa: F811
    leaks = []
    for role in ["alice", "ann"]:
        client.force_login(world.users[role])
        leaks += _leaks(client, world, running)
    assert not leaks, "\n".join(leaks)


def _leaks(client, world, running):  # noqa: F811
    leaks = []
    for path, headers in pages(world, running):
        response = client.get(path, follow=True, **headers)
        assert response.status_code == 200, path
        body = response.content.decode()
        for other in OTHERS:
            # Published 2008/09 tiers name the receivers a franchise may go to: only there.
            if other in body and "franchises/new" not in path:
                leaks.append(f"{path} {'(htmx)' if headers else ''} names {other}")
        if str(world.panel_cycle) in body and "publications" in path and f"/{running.pk}/" in body:
            leaks.append(f"{path} links to the unfinished 2009/10 publication")
    return leaks


def test_an_unfinished_publication_is_invisible_except_to_dh(client, world, running):  # noqa: F811
    for role in ["anon", "alice", "sara", "lena"]:
        if role != "anon":
            client.force_login(world.users[role])
        _assert_invisible(client, running)
    client.force_login(world.users["dora"])
    assert client.get(reverse("publications:progress", args=[running.pk])).status_code == 200


def _assert_invisible(client, running):
    for name in ["league_table", "csv", "xlsx", "improvement", "league_table_pdf"]:
        assert client.get(reverse(f"publications:{name}", args=[running.pk])).status_code == 404
    report = reverse("publications:pct_report", args=[running.pk, "5K8"])
    assert client.get(report).status_code == 404
    listed = client.get(reverse("publications:index")).content.decode()
    assert reverse("publications:league_table", args=[running.pk]) not in listed
