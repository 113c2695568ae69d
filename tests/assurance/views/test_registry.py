from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assurance.models import PCT, SHA
from tests.factories import PCTFactory, synthetic_code


def test_it_lists_all_152_pcts_grouped_by_sha(client, reference_data):
    response = client.get(reverse("registry:pct_list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/registry/pcts/') == 152
    assert "South West" in response.content.decode()


def test_the_search_partial_returns_only_matching_rows(client, reference_data):
    response = client.get(
        reverse("registry:pct_list"), {"q": "camden"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Camden" in html
    assert "Islington" not in html
    assert html.count('href="/registry/pcts/') == 1


def test_the_search_works_without_javascript(client, reference_data):
    response = client.get(reverse("registry:pct_list"), {"q": "5ND"})
    html = response.content.decode()
    assert "<html" in html
    assert "County Durham" in html
    assert "Camden" not in html


def test_it_says_when_nothing_matches(client, reference_data):
    response = client.get(reverse("registry:pct_list"), {"q": "zzzz"})
    assert "No PCT matches" in response.content.decode()


def _queries_for_registry(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("registry:pct_list")).status_code == 200
    return len(ctx.captured_queries)


def test_the_registry_query_count_does_not_grow_with_pcts(client, reference_data):
    baseline = _queries_for_registry(client)
    shas = list(SHA.objects.all())
    PCT.objects.bulk_create(
        PCTFactory.build(code=synthetic_code(i), sha=shas[i % 10]) for i in range(1368)
    )
    assert PCT.objects.count() == 1520
    assert _queries_for_registry(client) == baseline


def test_each_pct_and_sha_has_a_page(client, camden):
    response = client.get(camden.get_absolute_url())
    assert response.status_code == 200
    assert "Camden" in response.content.decode()
    assert "London" in response.content.decode()
    assert client.get(camden.sha.get_absolute_url()).status_code == 200


def test_an_unknown_pct_is_not_found(client, reference_data):
    assert client.get(reverse("registry:pct_detail", args=["ZZZ"])).status_code == 404


def test_the_registry_pages_past_200_pcts_and_keeps_the_search(client, reference_data):
    shas = list(SHA.objects.all())
    PCT.objects.bulk_create(
        PCTFactory.build(code=synthetic_code(i), name=f"Synthetic {i}", sha=shas[i % 10])
        for i in range(300)
    )
    first = client.get(reverse("registry:pct_list"), {"q": "synthetic"}).content.decode()
    assert "300 PCTs" in first
    assert first.count('href="/registry/pcts/') == 200
    assert 'href="?q=synthetic&amp;page=2"' in first
    second = client.get(reverse("registry:pct_list"), {"q": "synthetic", "page": 2})
    assert second.content.decode().count('href="/registry/pcts/') == 100
