"""The open data API (issue 16): what it answers, to whom, how it caches and what it
refuses. Permissions per role are in tests/test_permissions_matrix.py; Schemathesis checks
every answer against the schema in test_schemathesis.py."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from assurance.access.publications import forget_publication
from assurance.api import v1
from assurance.models import PCT, Publication, PublicationStatus, SelfAssessmentStatus
from assurance.services.api_tokens import create_token, revoke_token
from tests.factories import CycleFactory, SelfAssessmentFactory
from tests.freedoms.factories import PublicationFactory, publish, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(reference_data) -> Publication:
    """2008/09 v1: three London PCTs and one of the North East, Durham not submitted."""
    pcts = {c: PCT.objects.get(code=c) for c in ("5K7", "5K8", "5A9", "5ND")}
    publication = PublicationFactory(cycle=CycleFactory(year_label="2008/09", open_phase=5))
    result(publication, pcts["5K7"], "freedoms", rank=1, previous_rank=3)
    result(publication, pcts["5K8"], "support", rank=2, regional_rank=2)
    result(publication, pcts["5A9"], "support", rank=3)
    result(publication, pcts["5ND"], "notice", rank=4, self_assessment_submitted=False)
    return publication


def results_url(publication: Publication, query: str = "") -> str:
    url = reverse("api:publication_results", args=[publication.pk])
    return f"{url}?{query}" if query else url


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- What it answers ---------------------------------------------------------------------


def test_a_publications_rows_come_in_rank_order_with_every_figure(client, published):
    body = client.get(results_url(published)).json()
    assert body["count"] == 4 and body["pages"] == 1 and body["next"] is None
    assert [r["pct"]["code"] for r in body["results"]] == ["5K7", "5K8", "5A9", "5ND"]
    camden, durham = body["results"][0], body["results"][3]
    assert camden["tier"] == "freedoms" and camden["tier_label"] == "Freedoms"
    assert camden["movement"] == 2  # from 3rd to 1st
    assert camden["governance"] == {"strategy": "green", "finance": "green", "board": "green"}
    assert camden["competency_levels"]["1"] == 4
    assert camden["not_submitted"] is False
    assert durham["not_submitted"] is True and durham["movement"] is None


def test_rows_filter_by_sha_and_tier(client, published):
    london = client.get(results_url(published, "sha=q36")).json()
    assert [r["pct"]["code"] for r in london["results"]] == ["5K7", "5K8", "5A9"]
    support = client.get(results_url(published, "sha=Q36&tier=support")).json()
    assert [r["pct"]["code"] for r in support["results"]] == ["5K8", "5A9"]
    assert client.get(results_url(published, "sha=ZZZ")).status_code == 404
    assert client.get(results_url(published, "tier=elite")).status_code == 422


def test_rows_page_in_a_stable_order_with_links_of_validated_parameters_only(
    client, published, monkeypatch
):
    monkeypatch.setattr(v1, "PAGE_SIZE", 3)
    first = client.get(results_url(published, "junk=1&sort=rank")).json()
    assert first["pages"] == 2 and first["previous"] is None
    assert first["next"] == results_url(published, "page=2")
    second = client.get(first["next"]).json()
    assert [r["pct"]["code"] for r in second["results"]] == ["5ND"]
    assert second["previous"] == results_url(published, "page=1")
    assert client.get(results_url(published, "page=3")).status_code == 404


def test_a_pcts_results_across_cycles_are_each_cycles_current_version(client, published):
    camden = PCT.objects.get(code="5K7")
    later = publish({camden: "support"}, cycle=CycleFactory(year_label="2009/10", open_phase=5))
    old = publish({camden: "notice"}, cycle=later.cycle, version=0)
    old.status = PublicationStatus.SUPERSEDED
    old.save()
    body = client.get(reverse("api:pct_results", args=["5k7"])).json()
    assert [(y["cycle"]["year_label"], y["result"]["tier"]) for y in body] == [
        ("2009/10", "support"),
        ("2008/09", "freedoms"),
    ]


def test_the_registry_lists_every_pct_and_sha(client, reference_data):
    pcts = client.get(reverse("api:pcts")).json()
    assert pcts["count"] == PCT.objects.count() == 152
    london = client.get(reverse("api:pcts") + "?sha=Q36").json()
    assert {p["sha"]["code"] for p in london["results"]} == {"Q36"}
    shas = client.get(reverse("api:shas")).json()
    assert len(shas) == 10 and sum(s["pct_count"] for s in shas) == 152
    assert client.get(reverse("api:pct", args=["zzz"])).status_code == 404
    assert client.get(reverse("api:sha", args=["Q36"])).json()["name"] == "London"


def test_a_superseded_version_stays_readable_and_names_its_successor(client, published):
    newer = PublicationFactory(cycle=published.cycle, version=2)
    client.get(reverse("api:publication", args=[published.pk]))  # cached as complete
    published.status, published.superseded_by = PublicationStatus.SUPERSEDED, newer
    published.save()
    forget_publication(published.pk)  # as the publication service does on superseding
    body = client.get(reverse("api:publication", args=[published.pk])).json()
    assert body["status"] == "superseded" and body["superseded_by"] == newer.pk
    cycles = client.get(reverse("api:cycles")).json()
    assert cycles[0]["current_publication"]["id"] == newer.pk


# --- Unpublished versions are not there --------------------------------------------------


@pytest.mark.parametrize("status", [PublicationStatus.FAILED, PublicationStatus.RENDERING])
def test_an_unpublished_version_is_404_except_to_dh_staff_as_in_the_pages(
    client, published, status, dora, lena, alice
):
    hidden = PublicationFactory(cycle=published.cycle, version=2, status=status)
    for path in (
        reverse("api:publication", args=[hidden.pk]),
        results_url(hidden),
    ):
        assert client.get(path).status_code == 404
        for user in (lena, alice):
            assert client.get(path, **bearer(create_token(user, "t")[1])).status_code == 404
        assert client.get(path, **bearer(create_token(dora, "t")[1])).status_code == 200
        assert client.get(reverse("publications:progress", args=[hidden.pk])).status_code == 302
    listed = client.get(reverse("api:publications")).json()
    assert [p["id"] for p in listed] == [published.pk]


# --- Validators, caching, 304 ------------------------------------------------------------


def test_a_snapshot_carries_validators_and_answers_304_without_a_query(
    client, published, django_assert_num_queries
):
    first = client.get(results_url(published))
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified and "public" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = client.get(results_url(published), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    with django_assert_num_queries(0):
        weak = client.get(results_url(published), HTTP_IF_NONE_MATCH=f'"x", W/{etag}')
        since = client.get(results_url(published), HTTP_IF_MODIFIED_SINCE=modified)
    assert weak.status_code == since.status_code == 304
    assert client.get(results_url(published), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_cached_snapshot_is_served_without_a_query_and_junk_parameters_share_its_entry(
    client, published, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):  # publication, count, rows, SHA codes
        cold = client.get(results_url(published, "sha=Q36"))
    with django_assert_num_queries(0):
        warm = client.get(results_url(published, "sha=q36&junk=x&utm=1"))
    assert warm.status_code == 200 and warm.content == cold.content
    keys = [k for k in cache._cache if "api:v1" in k]  # locmem in tests
    assert len(keys) == 1


def test_a_304_by_token_costs_only_the_tokens_own_lookup(
    client, published, lena, django_assert_num_queries
):
    secret = create_token(lena, "Dashboard")[1]
    etag = client.get(results_url(published), **bearer(secret))["ETag"]
    with django_assert_num_queries(1):  # the token and its owner, one query
        again = client.get(results_url(published), HTTP_IF_NONE_MATCH=etag, **bearer(secret))
    assert again.status_code == 304
    assert "private" in again["Cache-Control"]


def test_the_rows_of_a_big_publication_take_a_fixed_number_of_queries(
    client, reference_data, django_assert_max_num_queries
):
    publication = publish(dict.fromkeys(PCT.objects.order_by("code"), "support"))
    with django_assert_max_num_queries(4):
        body = client.get(results_url(publication)).json()
    assert body["count"] == 152 and len(body["results"]) == 152


# --- Answered from memory, before the pipeline ------------------------------------------


def _answer(response) -> tuple:
    headers = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary")
    return response.status_code, response.content, [response.get(h) for h in headers]


def test_an_anonymous_answer_is_given_again_from_memory_as_the_pipeline_gave_it(
    client, published, monkeypatch, django_assert_num_queries
):
    url = results_url(published, "sha=Q36&page=1")
    first = client.get(url)
    # From now on the endpoint itself must not run: the remembered answer is given.
    monkeypatch.setattr(v1, "_published_for_rows", lambda *a: pytest.fail("pipeline ran"))
    with django_assert_num_queries(0):
        again = client.get(url)
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert _answer(again) == _answer(first)
    assert not_modified.status_code == 304 and not not_modified.content
    assert not_modified["ETag"] == first["ETag"]


@pytest.mark.parametrize(
    "query",
    ["sha=q36", "sha=Q36&junk=1", "page=1&page=1", "sha=Q36&sha=Q36", "page=01"],
)
def test_only_a_query_string_of_exactly_the_validated_values_is_remembered(
    client, published, query
):
    from assurance.api import http

    assert client.get(results_url(published, query)).status_code == 200
    path = reverse("api:publication_results", args=[published.pk])
    assert http._answers.get((path, query)) is None
    assert client.get(results_url(published, "sha=Q36")).status_code == 200
    assert http._answers.get((path, "sha=Q36")) is not None


def test_a_remembered_answer_still_counts_against_the_anonymous_limit(client, published, settings):
    settings.API_ANON_RATE = (3, 60)
    url = results_url(published)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json() == {"detail": "Too many requests."}
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_token_or_a_session_is_never_given_the_remembered_anonymous_answer(
    client, published, lena
):
    url = results_url(published)
    assert "public" in client.get(url)["Cache-Control"]  # remembered now
    assert client.get(url, **bearer("wcc_not-a-token")).status_code == 401
    token, secret = create_token(lena, "Dashboard")
    by_token = client.get(url, **bearer(secret))
    assert by_token.status_code == 200 and "private" in by_token["Cache-Control"]
    token.refresh_from_db()
    assert token.last_used_at is not None
    client.force_login(lena)
    signed_in = client.get(url)
    assert signed_in.status_code == 200 and "private" in signed_in["Cache-Control"]


def test_work_in_progress_is_never_remembered(client, published, dora):
    from assurance.api import http

    published.status = PublicationStatus.RENDERING
    published.save(update_fields=["status"])
    forget_publication(published.pk)
    secret = create_token(dora, "Analysis")[1]
    assert client.get(results_url(published), **bearer(secret)).status_code == 200
    assert client.get(results_url(published)).status_code == 404
    assert not http._answers._items


def test_a_public_body_is_gzipped_once_for_every_client_that_accepts_it(
    client, published, monkeypatch
):
    import gzip

    from assurance.api import http

    plain = client.get(results_url(published))
    compressions = []
    real = http.compress_string
    monkeypatch.setattr(http, "compress_string", lambda b: compressions.append(1) or real(b))
    first = client.get(results_url(published), HTTP_ACCEPT_ENCODING="gzip, br")
    second = client.get(results_url(published, "page=1"), HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == second["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.content) == gzip.decompress(second.content) == plain.content
    assert first["ETag"] == "W/" + plain["ETag"] and "Accept-Encoding" in first["Vary"]
    assert compressions == [1]  # the first gzip client's; the second got the same bytes
    assert (
        client.get(
            results_url(published), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
        ).status_code
        == 304
    )
    assert not client.get(results_url(published), HTTP_ACCEPT_ENCODING="identity").has_header(
        "Content-Encoding"
    )


# --- Hostile input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        "page=99999999999999999999999",
        "page=1e3",
        "sha=%00",
        "tier=%E2%98%83",
        "sort=" + "x" * 5000,
        "sha=" + "Q" * 5000,
    ],
)
def test_hostile_parameters_are_refused_never_a_500(client, published, query):
    response = client.get(results_url(published, query))
    assert response.status_code in (400, 404, 422)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/publications/99999999999999999999/",
        "/api/v1/publications/99999999999999999999",
        "/api/v1/publications/-1/results",
        "/api/v1/publications/abc",
        "/api/v1/pcts/%00",
        "/api/v1/pcts/" + "x" * 3000,
        "/api/v1/cycles/2008-09%00/calibration",
    ],
)
def test_hostile_paths_are_refused_never_a_500(client, reference_data, path):
    assert client.get(path).status_code in (400, 401, 404, 422)


# --- Anonymous rate limit ----------------------------------------------------------------


def test_anonymous_callers_are_limited_with_retry_after_and_token_holders_are_not(
    client, published, settings, lena
):
    settings.API_ANON_RATE = (3, 60)
    url = reverse("api:shas")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"]
    secret = create_token(lena, "Dashboard")[1]
    assert client.get(url, **bearer(secret)).status_code == 200
    other = client.get(url, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200  # each address has its own count


def test_a_worker_reports_in_batches_and_counts_exactly_near_the_limit(
    client, published, settings, monkeypatch
):
    from assurance.api import auth

    reports = []
    real_count = auth.count

    def recorded(key, timeout, by=1):
        reports.append(by)
        return real_count(key, timeout, by)

    monkeypatch.setattr(auth, "count", recorded)
    settings.API_ANON_RATE = (1000, 60)
    url = reverse("api:shas")
    assert all(client.get(url).status_code == 200 for _ in range(25))
    assert reports == [auth.BATCH, auth.BATCH]  # two round trips for 25 requests
    settings.API_ANON_RATE = (15, 60)
    auth.worker_counts.clear()
    statuses = [client.get(url, REMOTE_ADDR="10.0.0.7").status_code for _ in range(17)]
    assert statuses == [200] * 15 + [429] * 2


def test_a_forwarded_address_is_believed_only_behind_the_proxy(client, published, settings):
    settings.API_ANON_RATE = (1, 60)
    url = reverse("api:shas")
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    # Not behind a proxy: a made-up header does not buy a fresh count.
    assert client.get(url, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    settings.BEHIND_PROXY = True
    assert client.get(url, HTTP_X_FORWARDED_FOR="evil, 3.3.3.3").status_code == 200


# --- With a token: what its owner sees ---------------------------------------------------


def test_a_token_is_its_owner_until_revoked(client, published, dora):
    token, secret = create_token(dora, "Analysis")
    assert token.last_used_at is None
    assert client.get(reverse("api:cycles"), **bearer(secret)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    revoke_token(dora, token)
    refused = client.get(reverse("api:cycles"), **bearer(secret))
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    dora.is_active = False
    dora.save()
    live = create_token(dora, "Inactive")[1]
    assert client.get(reverse("api:cycles"), **bearer(live)).status_code == 401


def test_self_assessment_status_is_each_roles_reach(client, reference_data, dora, lena, alice):
    cycle = CycleFactory(year_label="2009/10", open_phase=3)
    camden, islington, durham = (PCT.objects.get(code=c) for c in ("5K7", "5K8", "5ND"))
    SelfAssessmentFactory(cycle=cycle, pct=camden, status=SelfAssessmentStatus.SUBMITTED)
    SelfAssessmentFactory(cycle=cycle, pct=islington, status=SelfAssessmentStatus.DRAFT)
    SelfAssessmentFactory(cycle=cycle, pct=durham, status=SelfAssessmentStatus.SUBMITTED)
    url = reverse("api:cycle_self_assessments", args=["2009-10"])

    def seen(user):
        rows = client.get(url, **bearer(create_token(user, "t")[1])).json()
        return {(r["pct"]["code"], r["status"]) for r in rows}

    assert seen(dora) == {("5K7", "submitted"), ("5K8", "draft"), ("5ND", "submitted")}
    assert seen(lena) == {("5K7", "submitted")}  # London's submitted ones only
    assert seen(alice) == {("5K7", "submitted")}  # her own PCT
    assert client.get(url).status_code == 401


def test_calibration_figures_are_the_leads_own_sha_and_national(client, reference_data, dora, lena):
    CycleFactory(year_label="2009/10", open_phase=4)
    url = reverse("api:cycle_calibration", args=["2009-10"])
    own = client.get(url, **bearer(create_token(lena, "t")[1])).json()
    everyone = client.get(url, **bearer(create_token(dora, "t")[1])).json()
    assert {r["code"] for item in own["items"] for r in item["shas"]} == {"Q36"}
    assert len(everyone["items"][0]["shas"]) == 10
    assert {i["kind"] for i in own["items"]} == {"competency", "governance"}
    assert own["items"][0]["national"]["code"] == "ENG"


# --- The schema and its page -------------------------------------------------------------


def test_the_schema_is_served_and_the_documentation_page_lists_every_path(client):
    schema = client.get(reverse("api:openapi-json")).json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/publications/{pk}/results" in schema["paths"]
    results = schema["paths"]["/api/v1/publications/{pk}/results"]["get"]
    assert {} in results["security"]  # a token is optional on public data
    calibration = schema["paths"]["/api/v1/cycles/{slug}/calibration"]["get"]
    assert calibration["security"] == [{"PersonalToken": []}]
    page = client.get(reverse("api-docs")).content.decode()
    for path in schema["paths"]:
        assert path in page
    assert json.dumps(schema) == json.dumps(v1.api.get_openapi_schema(path_prefix="/api/v1/"))


def test_the_rate_counter_counts_in_one_round_trip_on_redis(settings):
    """CI has Redis (REDIS_URL): the pipeline there; locmem elsewhere in this file."""
    import os
    import uuid

    from assurance.api.auth import count

    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
    from django.core.cache import caches

    client = caches["default"]._cache.get_client(None, write=True)
    key = f"test-rate:{uuid.uuid4()}"
    calls = []
    original = client.connection_pool.get_connection

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    assert [count(key, 5) for _ in range(3)] == [1, 2, 3]
    client.connection_pool.get_connection = counted
    try:
        assert count(key, 5) == 4
    finally:
        client.connection_pool.get_connection = original
    assert len(calls) <= 1
    assert 0 < client.ttl(caches["default"].make_and_validate_key(key)) <= 5


def test_a_panel_result_is_the_pages_three_scores_for_those_who_may_see_it(
    client, reference_data, sara, sam, lena, nick, alice, dora, django_assert_max_num_queries
):
    from assurance.services import panels as panel_services
    from tests.assurance.panel_factories import (
        full_values,
        panel_cycle,
        panel_day,
        submitted_self_assessment,
    )

    cycle = panel_cycle()
    sa = submitted_self_assessment(cycle, PCT.objects.get(code="5K7"), self_level=3)
    panel_day(cycle, sa.pct.sha, [sara, sam], slots=[(sa.pct, "10:00", "12:00")])
    for member in (sara, sam):
        panel_services.record_panel_scores(member, sa, full_values(sa))
        panel_services.submit_score_sheet(member, sa)
    panel_services.set_consensus(lena, sa, full_values(sa, level=2, rating="amber"))
    url = reverse("api:panel_result", args=[sa.pk])
    secret = create_token(sara, "t")[1]
    with django_assert_max_num_queries(12):
        body = client.get(url, **bearer(secret)).json()
    assert body["pct"]["code"] == "5K7" and body["status"] == "submitted"
    levels = [i for i in body["items"] if i["kind"] == "level"]
    assert levels and all(i["self_assessed"] == "3" and i["final"] == "2" for i in levels)
    ratings = [i for i in body["items"] if i["kind"] == "rating"]
    assert ratings and all(i["consensus"] == "Amber" for i in ratings)
    assert client.get(url, **bearer(create_token(dora, "t")[1])).status_code == 200
    # Another SHA's assessor, and the PCT's own staff before publication: not there.
    assert client.get(url, **bearer(create_token(nick, "t")[1])).status_code == 404
    assert client.get(url, **bearer(create_token(alice, "t")[1])).status_code == 404
    assert client.get(url).status_code == 401
