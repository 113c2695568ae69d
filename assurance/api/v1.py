"""``/api/v1/``: published results, the registry and, with a token, what its owner may see.

Every endpoint goes through ``access/`` as its page does, so a token sees exactly what its
owner sees: the public (and every role) published versions only; DH staff every version,
as in the pages; SHA staff their SHA's calibration figures and self-assessments. Snapshot
responses are cached whole and carry ETag and Last-Modified (``api/http.py``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, Throttled

from assurance.access import cycles as cycle_access
from assurance.access import panels as panel_access
from assurance.access import publications as access
from assurance.access import self_assessment as sa_access
from assurance.api import schemas as s
from assurance.api.auth import SCHEME, AnonymousRateLimit, PersonalToken
from assurance.api.http import (
    LocalMemo,
    conditional_json,
    dump,
    exact_query,
    key,
    remembered_answer,
    respond,
    timestamp,
)
from assurance.models import GovernanceArea, Publication, PublishedResult
from assurance.queries import panels as panel_queries
from assurance.queries import publications as league
from assurance.queries import registry
from assurance.queries.panel_items import panel_items
from assurance.rules.tiers import Tier

DB_INT_MAX = 2**31 - 1
PAGE_SIZE = 200
#: A published snapshot never changes: a day, as the league-table page.
SNAPSHOT_SECONDS = 24 * 60 * 60
#: Lists that a new publication changes (cycles, a PCT's years): briefly.
LIST_SECONDS = 60
REGISTRY_SECONDS = 60 * 60

Id = Path(..., ge=1, le=DB_INT_MAX)
Code = Path(..., min_length=1, max_length=3, pattern=r"^[A-Za-z0-9]+$")
PageNo = Query(1, ge=1, le=100_000, description="From 1; past the last page is a 404")
TierFilter = Query(None, description="Only PCTs in this tier")
SortBy = Query(s.Sort.RANK, description="rank (default), pct, sha, mark or movement")
CycleFilter = Query(None, max_length=7, pattern=r"^\d{4}-\d{2}$", description="e.g. 2008-09")
ShaCode = Query(
    None, min_length=3, max_length=3, pattern=r"^[A-Za-z0-9]+$", description="SHA code, e.g. Q36"
)

TOKEN_REQUIRED = {"x-token-required": True}
COMMON = {304: None, 400: s.Error, 401: s.Error, 404: s.Error, 422: s.Error, 429: s.Error}


class Api(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """A token is optional on public endpoints (anonymous callers read what the public
        reads) and required on the others: OpenAPI says so with an empty alternative."""
        schema = super().get_openapi_schema(**kwargs)
        for methods in schema["paths"].values():
            for op in methods.values():
                required = op.pop("x-token-required", False)
                op["security"] = [{SCHEME: []}] if required else [{}, {SCHEME: []}]
        return schema


api = Api(
    title="WCC Assurance open data API",
    version="1",
    description=(
        "Read-only. Published league tables (complete or superseded versions), each PCT's "
        "results across cycles, and the registry of PCTs and SHAs, for anyone. With a "
        "personal token (Authorization: Bearer wcc_…) you see exactly what you see in the "
        "pages. Snapshot responses carry ETag and Last-Modified: send If-None-Match. "
        "Anonymous use is rate-limited (429 with Retry-After)."
    ),
    urls_namespace="api",
    docs_url=None,
    auth=PersonalToken(),
    throttle=[AnonymousRateLimit()],
)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc) or "Unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _require_signed_in(request: HttpRequest) -> Any:
    user = _user(request)
    if not user.is_authenticated:
        raise AuthenticationError(message="This needs a token")
    return user


def _anonymous_key(request: HttpRequest, *parts: object) -> str | None:
    """Lists that differ by person are cached for the anonymous only."""
    return None if _user(request).is_authenticated else key(*parts)


def _page(request: HttpRequest, rows: Any, number: int, params: dict[str, str]) -> dict[str, Any]:
    paginator = Paginator(rows, PAGE_SIZE)  # an empty list is one empty page
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise Http404("No such page") from None

    def link(n: int) -> str:
        return f"{request.path}?{urlencode({**params, 'page': n})}"

    return {
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
        "next": link(number + 1) if page.has_next() else None,
        "previous": link(number - 1) if page.has_previous() else None,
        "objects": list(page.object_list),
    }


# --- Shapes ------------------------------------------------------------------------------


def _sha(sha: Any) -> dict[str, str]:
    return {"code": sha.code, "name": sha.name}


def _pct_ref(pct: Any) -> dict[str, str]:
    return {"code": pct.code, "name": pct.name}


def _publication_ref(p: Publication) -> dict[str, Any]:
    return {"id": p.pk, "version": p.version, "status": p.status}


def _result(r: PublishedResult) -> dict[str, Any]:
    return {
        "pct": _pct_ref(r.pct),
        "sha": _sha(r.sha),
        "rank": r.rank,
        "regional_rank": r.regional_rank,
        "mark": r.mark,
        "tier": r.tier,
        "tier_label": Tier(r.tier).label,
        "elite_candidate": r.elite_candidate,
        "governance": r.governance,
        "governance_points": r.governance_points,
        "competency_points": r.competency_points,
        "competency_levels": r.competency_levels,
        "outcome_score": r.outcome_score,
        "previous_rank": r.previous_rank,
        "previous_tier": r.previous_tier or None,
        "movement": r.movement,
        "regional_movement": r.regional_movement,
        "not_submitted": not r.self_assessment_submitted,
    }


def _publication(p: Publication) -> bytes:
    ranked = p.results.count() if p.computed_at or p.is_complete else None
    return dump(
        s.Publication,
        {
            "id": p.pk,
            "cycle": {"slug": p.cycle.slug, "year_label": p.cycle.year_label},
            "version": p.version,
            "status": p.status,
            "superseded_by": p.superseded_by_id,
            "computed_at": p.computed_at,
            "completed_at": p.completed_at,
            "illustrative": p.illustrative,
            "ranked": ranked,
            "competencies": [
                {"number": c.number, "name": c.short_name} for c in league.competencies(p)
            ],
            "not_assessed": [
                {k: str(row.get(k, "")) for k in ("code", "name", "sha", "reason")}
                for row in p.not_assessed
            ],
        },
    )


#: Published versions this worker has read, by id. Published stays published — a version
#: never goes back to work in progress, and published versions are readable by everyone
#: (access/publications.py) — so the access answer for one is settled for good, and its
#: rows never change. Only the league-table rows use it: a version's own status can still
#: turn superseded, so its detail asks access every time.
_published = LocalMemo(256)


def _published_for_rows(request: HttpRequest, pk: int) -> Publication:
    known: Publication | None = _published.get(pk)
    if known is not None:
        return known
    p = access.get_publication_for_user(_user(request), pk)
    if p.status in access.PUBLISHED:
        _published.set(pk, p)
    return p


def _published_key(p: Publication, *parts: object) -> str | None:
    """Only published versions are cached; DH's view of work in progress never is."""
    if p.status not in access.PUBLISHED:
        return None
    return key("publication", p.pk, p.status, p.superseded_by_id, *parts)


def _last_modified(p: Publication) -> float | None:
    return timestamp(p.completed_at or p.computed_at or p.created_at)


# --- Cycles and publications -------------------------------------------------------------


@api.get(
    "/cycles",
    response={200: list[s.Cycle], **COMMON},
    url_name="cycles",
    summary="Cycles with something you may read",
)
def cycles(request: HttpRequest) -> HttpResponse:
    """Each assurance year with a publication you may see, newest first, with its
    versions and the one the public reads (the latest complete version)."""

    def build() -> Any:
        by_cycle: dict[int, dict[str, Any]] = {}
        for p in access.visible_publications(_user(request)).order_by(
            "-cycle__year_label", "-version"
        ):
            entry = by_cycle.setdefault(
                p.cycle_id,
                {
                    "slug": p.cycle.slug,
                    "year_label": p.cycle.year_label,
                    "current_publication": None,
                    "publications": [],
                },
            )
            entry["publications"].append(_publication_ref(p))
            if entry["current_publication"] is None and p.status == "complete":
                entry["current_publication"] = _publication_ref(p)
        return dump(list[s.Cycle], list(by_cycle.values()))

    return conditional_json(request, _anonymous_key(request, "cycles"), build, timeout=LIST_SECONDS)


@api.get(
    "/publications",
    response={200: list[s.PublicationRef], **COMMON},
    url_name="publications",
    summary="Publications you may read",
)
def publications(
    request: HttpRequest,
    cycle: str | None = CycleFilter,
) -> HttpResponse:
    """Every version you may read, newest cycle first, then newest version first."""

    def build() -> Any:
        rows = access.visible_publications(_user(request)).order_by(
            "-cycle__year_label", "-version"
        )
        if cycle:
            rows = rows.filter(cycle__year_label=cycle.replace("-", "/"))
        return dump(list[s.PublicationRef], [_publication_ref(p) for p in rows])

    return conditional_json(
        request,
        _anonymous_key(request, "publications", cycle or ""),
        build,
        timeout=LIST_SECONDS,
    )


@api.get(
    "/publications/{pk}",
    response={200: s.Publication, **COMMON},
    url_name="publication",
    summary="One publication",
)
def publication(request: HttpRequest, pk: int = Id) -> HttpResponse:
    """A version: its status, what superseded it, its competencies and the PCTs left out."""
    p = access.get_publication_for_user(_user(request), pk)
    return conditional_json(
        request,
        _published_key(p, "detail"),
        lambda: _publication(p),
        timeout=SNAPSHOT_SECONDS,
        last_modified=lambda: _last_modified(p),
        immutable=True,
    )


@api.get(
    "/publications/{pk}/results",
    response={200: s.Page[s.Result], **COMMON},
    url_name="publication_results",
    summary="A publication's league table",
)
def publication_results(
    request: HttpRequest,
    pk: int = Id,
    sha: str | None = ShaCode,
    tier: s.TierValue | None = TierFilter,  # type: ignore[valid-type]
    sort: s.Sort = SortBy,
    page: int = PageNo,
) -> HttpResponse:
    """Every ranked PCT of the version, 200 a page, in rank order (ties by PCT name) unless
    sorted otherwise. Filter by SHA code and tier. A snapshot: never changes once published."""
    p = _published_for_rows(request, pk)
    sha_code = (sha or "").upper()
    if sha_code and sha_code not in league.sha_codes():
        raise Http404("No SHA has that code")
    filters = league.Filters(sha=sha_code, tier=tier.value if tier else "", sort=sort.value)
    params = {k: v for k, v in (("sha", sha_code), ("tier", filters.tier)) if v}
    if filters.sort != "rank":
        params["sort"] = filters.sort

    def build() -> Any:
        rows = _page(request, league.league_rows(p, filters), page, params)
        return dump(
            s.Page[s.Result], {**rows, "results": [_result(r) for r in rows.pop("objects")]}
        )

    return conditional_json(
        request,
        # Rows never change once published, whatever becomes of the version's status.
        key("results", p.pk, filters.sha, filters.tier, filters.sort, page)
        if p.status in access.PUBLISHED
        else None,
        build,
        timeout=SNAPSHOT_SECONDS,
        last_modified=lambda: _last_modified(p),
        immutable=True,
        exact_query=exact_query(request, {**params, "sort": filters.sort, "page": str(page)}),
    )


# --- The registry ------------------------------------------------------------------------


@api.get(
    "/pcts",
    response={200: s.Page[s.Pct], **COMMON},
    url_name="pcts",
    summary="PCTs of the registry",
)
def pcts(request: HttpRequest, sha: str | None = ShaCode, page: int = PageNo) -> HttpResponse:
    """Every PCT (open and closed), by SHA then name; filter by SHA code."""
    sha_code = (sha or "").upper()
    if sha_code and sha_code not in league.sha_codes():
        raise Http404("No SHA has that code")
    params = {"sha": sha_code} if sha_code else {}

    def build() -> Any:
        rows = _page(request, registry.pcts(sha_code), page, params)
        return dump(s.Page[s.Pct], {**rows, "results": [_pct(p) for p in rows.pop("objects")]})

    return conditional_json(request, key("pcts", sha_code, page), build, timeout=REGISTRY_SECONDS)


def _pct(pct: Any) -> dict[str, Any]:
    return {
        **_pct_ref(pct),
        "sha": _sha(pct.sha),
        "population": pct.population,
        "opened_on": pct.opened_on,
        "closed_on": pct.closed_on,
        "successor": _pct_ref(pct.successor) if pct.successor else None,
    }


def _pct_or_404(code: str) -> Any:
    pct = registry.pct_by_code(code)
    if pct is None:
        raise Http404("No such PCT")
    return pct


@api.get(
    "/pcts/{code}",
    response={200: s.Pct, **COMMON},
    url_name="pct",
    summary="One PCT",
)
def pct(request: HttpRequest, code: str = Code) -> HttpResponse:
    code = code.upper()
    return conditional_json(
        request,
        key("pct", code),
        lambda: dump(s.Pct, _pct(_pct_or_404(code))),
        timeout=REGISTRY_SECONDS,
    )


@api.get(
    "/pcts/{code}/results",
    response={200: list[s.PctYear], **COMMON},
    url_name="pct_results",
    summary="One PCT's results in every cycle",
)
def pct_results(request: HttpRequest, code: str = Code) -> HttpResponse:
    """The PCT in each cycle's current publication (the latest complete version), newest
    cycle first. Older versions of a cycle are at ``/publications/{id}/results``."""
    code = code.upper()

    def build() -> Any:
        rows = league.published_results_of(_pct_or_404(code).pk).select_related("pct", "sha")
        return dump(
            list[s.PctYear],
            [
                {
                    "cycle": {
                        "slug": r.publication.cycle.slug,
                        "year_label": r.publication.cycle.year_label,
                    },
                    "publication": _publication_ref(r.publication),
                    "result": _result(r),
                }
                for r in rows
            ],
        )

    return conditional_json(request, key("pct-results", code), build, timeout=LIST_SECONDS)


@api.get(
    "/shas",
    response={200: list[s.Sha], **COMMON},
    url_name="shas",
    summary="SHAs of the registry",
)
def shas(request: HttpRequest) -> HttpResponse:
    return conditional_json(
        request,
        key("shas"),
        lambda: dump(list[s.Sha], [_sha_full(sha) for sha in registry.shas()]),
        timeout=REGISTRY_SECONDS,
    )


def _sha_full(sha: Any) -> dict[str, Any]:
    return {**_sha(sha), "ons_code": sha.ons_code, "pct_count": sha.pct_count}


@api.get(
    "/shas/{code}",
    response={200: s.Sha, **COMMON},
    url_name="sha",
    summary="One SHA",
)
def sha(request: HttpRequest, code: str = Code) -> HttpResponse:
    code = code.upper()

    def build() -> Any:
        found = registry.shas().filter(code=code).first()
        if found is None:
            raise Http404("No such SHA")
        return dump(s.Sha, _sha_full(found))

    return conditional_json(request, key("sha", code), build, timeout=REGISTRY_SECONDS)


# --- With a token: what its owner sees in the pages --------------------------------------

CycleSlug = Path(..., max_length=7, pattern=r"^\d{4}-\d{2}$")


@api.get(
    "/cycles/{slug}/self-assessments",
    response={200: list[s.SelfAssessmentStatus], **COMMON},
    url_name="cycle_self_assessments",
    openapi_extra=TOKEN_REQUIRED,
    summary="Self-assessment status of the PCTs you may see",
)
def cycle_self_assessments(request: HttpRequest, slug: str = CycleSlug) -> HttpResponse:
    """DH staff: every PCT's; PCT staff: their own; SHA staff: their SHA's submitted ones
    from phase 2 (as the self-assessment list page)."""
    user = _require_signed_in(request)
    cycle = cycle_access.get_cycle(slug)

    def build() -> Any:
        rows = sa_access.visible_self_assessments(user, cycle).order_by("pct__name", "pct__code")
        return dump(
            list[s.SelfAssessmentStatus],
            [
                {
                    "id": sa.pk,
                    "pct": _pct_ref(sa.pct),
                    "sha": _sha(sa.pct.sha),
                    "status": sa.status,
                    "submitted_at": sa.submitted_at,
                }
                for sa in rows
            ],
        )

    return conditional_json(request, None, build, timeout=0)


@api.get(
    "/cycles/{slug}/calibration",
    response={200: s.Calibration, **COMMON},
    url_name="cycle_calibration",
    openapi_extra=TOKEN_REQUIRED,
    summary="Calibration figures: panel levels per SHA against national",
)
def cycle_calibration(request: HttpRequest, slug: str = CycleSlug) -> HttpResponse:
    """For each competency and governance area, the distribution of final panel values,
    mean, self-assessed mean and gap: national, and per SHA — every SHA for DH staff, their
    own for an SHA lead, from phase 4 (as the calibration pages)."""
    user = _require_signed_in(request)
    sha_ids = panel_access.calibration_shas_for_user(user)
    cycle = cycle_access.get_cycle(slug)
    panel_access.require_calibration_open(user, cycle)
    own = None if sha_ids is None else panel_queries.sha_codes(sha_ids)

    def row(r: Any) -> dict[str, Any]:
        return {
            "code": r.code,
            "name": r.name,
            "counts": list(r.counts),
            "total": r.total,
            "mean": r.mean,
            "self_mean": r.self_mean,
            "gap": r.gap,
            "flagged": r.flagged,
        }

    def item(kind: str, ref: str, name: str, data: Any) -> dict[str, Any]:
        return {
            "kind": kind,
            "ref": ref,
            "name": name,
            "values": list(data.values),
            "national": row(data.national),
            "shas": [row(r) for r in data.shas if own is None or r.code in own],
        }

    def build() -> Any:
        items = [
            item(
                "competency",
                str(c.number),
                c.short_name,
                panel_queries.competency_calibration(cycle, c),
            )
            for c in panel_queries.framework_competencies(cycle)
        ]
        items += [
            item("governance", area, label, panel_queries.governance_calibration(cycle, area))
            for area, label in GovernanceArea.choices
        ]
        return dump(
            s.Calibration,
            {"cycle": {"slug": cycle.slug, "year_label": cycle.year_label}, "items": items},
        )

    return conditional_json(request, None, build, timeout=0)


@api.get(
    "/self-assessments/{pk}/panel-result",
    response={200: s.PanelResult, **COMMON},
    url_name="panel_result",
    openapi_extra=TOKEN_REQUIRED,
    summary="A PCT's panel result: self-assessed, consensus, moderated and final values",
)
def panel_result(request: HttpRequest, pk: int = Id) -> HttpResponse:
    """As the panel result page: SHA staff their SHA's PCTs (peer experts the panels they
    sit on), DH staff all; PCT staff their own once published, as published (a moderation
    made since shows only in the next version). Ids come from
    ``/cycles/{slug}/self-assessments``."""
    user = _require_signed_in(request)
    sa = panel_access.get_self_assessment_for_result(user, pk)
    as_of = panel_access.published_as_of(sa.cycle) if user.is_pct_user else None

    def build() -> bytes:
        rows = panel_queries.score_rows(panel_items(sa), sa, as_of=as_of)
        locked = panel_queries.panel_result(sa)
        return dump(
            s.PanelResult,
            {
                "self_assessment": sa.pk,
                "cycle": {"slug": sa.cycle.slug, "year_label": sa.cycle.year_label},
                "pct": _pct_ref(sa.pct),
                "sha": _sha(sa.pct.sha),
                "status": sa.status,
                "locked_at": locked.locked_at if locked else None,
                "outcome_score": panel_queries.outcome_score(rows),
                "items": [
                    {
                        "key": r.item.key,
                        "kind": r.item.kind,
                        "group": r.item.group,
                        "label": r.item.label,
                        "self_assessed": r.self_display,
                        "consensus": r.consensus_display,
                        "moderated": r.moderated_display,
                        "final": r.final_display,
                        "outcome_status": r.status.value if r.status else None,
                        "moderations": [
                            {
                                "stage": m.stage,
                                "old_value": m.old_value,
                                "new_value": m.new_value,
                                "reason": m.reason,
                                "moderated_at": m.moderated_at,
                            }
                            for m in r.moderations
                        ],
                    }
                    for r in rows
                ],
            },
        )

    return conditional_json(request, None, build, timeout=0)


# --- Published snapshots answered before the pipeline ---------------------------------------

_anonymous_rate_limit = AnonymousRateLimit()


def answered_from_memory(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view``, with an anonymous answer it gave before for exactly the same path and query
    string given again at once, as Django's FetchFromCacheMiddleware does for pages.

    Only ``publication_results`` remembers answers (a published version's rows never
    change, and anyone may read them). Before answering, the request is counted against
    the anonymous rate limit as the pipeline would; a token, a session cookie or anything
    not remembered goes through django-ninja as before, and the answer is the same bytes
    and headers (``tests/assurance/api/test_v1.py``)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        remembered = remembered_answer(request)
        if remembered is None:
            return view(request, *args, **kwargs)
        request.auth = AnonymousUser()  # type: ignore[attr-defined]
        if not _anonymous_rate_limit.allow_request(request):
            wait = _anonymous_rate_limit.wait()
            response = api.on_exception(request, Throttled(wait=int(wait)))
            response["Retry-After"] = str(math.ceil(wait))
            return response
        entry, timeout = remembered
        return respond(request, entry, max_age=min(timeout, 300))

    return wrapper


def urls() -> Any:
    """``api.urls`` with the snapshot endpoint answering from memory first."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if getattr(pattern, "name", None) == "publication_results":
            pattern.callback = answered_from_memory(pattern.callback)
    return patterns, app_name, namespace
