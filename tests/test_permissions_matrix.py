"""Every URL pattern × every role: the status each person gets (domain brief §6).

The table below must name every pattern the project's URLconf defines (``admin:`` apart):
a new URL without an entry fails ``test_every_url_pattern_has_an_entry``. GETs run for
ten people against one shared world (``tests/world.py``); state-changing POSTs run for
every role that must be refused — each must get 403, 404, 400 (a service refusal) or the
sign-in redirect, and change nothing in the database — and then once for a role that may
act, to show the same request does change something when allowed.

Mismatches are collected and reported together, each naming the pattern and the role.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assurance.models import Role
from assurance.queries import self_assessment as sa_queries
from assurance.services.api_tokens import create_token
from tests.factories import sha_user
from tests.world import World, build_world

pytestmark = pytest.mark.django_db

ROLES = ("anon", "alice", "bob", "ann", "sara", "nick", "lena", "pia", "pat", "dora")
PCT_ROLES = {"alice", "bob", "ann"}
SHA_ROLES = {"sara", "nick", "lena"}  # the SHAs' own staff
# External peer experts of London (§6; issue 13): Pia sits on Camden's panel day, Pat on
# none. A peer sees a PCT only while on its panel, and never freedoms records.
PEERS = {"pia", "pat"}
SIGNED_IN = set(ROLES) - {"anon"}
LOGIN = "login"  # a redirect to the sign-in page
REFUSED = {403, 404, 400, LOGIN}


def public(status: int = 200) -> dict[str, Any]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: Any = 200, **overrides: Any) -> dict[str, Any]:
    return {"anon": LOGIN, **dict.fromkeys(SIGNED_IN, status), **overrides}


def post_only(anon: Any = LOGIN) -> dict[str, Any]:
    """A POST-only URL: GET is 405 (before or after the sign-in check)."""
    return signed_in(405, anon=anon)


def only(roles: set[str], ok: Any = 200, other: Any = 404) -> dict[str, Any]:
    return {"anon": LOGIN, **{r: (ok if r in roles else other) for r in SIGNED_IN}}


# Who can read Camden's submitted 2009/10 self-assessment: its own staff, London's SHA
# people from phase 2, DH. Another PCT's staff and another SHA's assessor get 404.
CAMDEN_READERS = {"alice", "ann", "sara", "lena", "pia", "dora"}
# Who reads Camden's due process records (§8): no external peer expert.
CAMDEN_DUE = CAMDEN_READERS - {"pia"}

W = World
SA = "2009-10", "5K7"


def sa_args(w: W) -> list[Any]:
    return ["2009-10", w.camden.code]


# The JSON API's endpoints: the same answer by browser session (GET below) and by a
# personal token (test_each_role_gets_the_same_through_the_api_by_token). Published
# results and the registry are public; the 2008/09 publication is published.
API: dict[str, tuple[Callable[[W], list[Any]], dict[str, Any]]] = {
    "api:cycles": (lambda w: [], public()),
    "api:publications": (lambda w: [], public()),
    "api:publication": (lambda w: [w.publication.pk], public()),
    "api:publication_results": (lambda w: [w.publication.pk], public()),
    "api:pcts": (lambda w: [], public()),
    "api:pct": (lambda w: [w.camden.code], public()),
    "api:pct_results": (lambda w: [w.camden.code], public()),
    "api:shas": (lambda w: [], public()),
    "api:sha": (lambda w: [w.camden.sha.code], public()),
    # As the self-assessment list page: everyone signed in, each seeing their own reach.
    "api:cycle_self_assessments": (lambda w: ["2009-10"], signed_in(anon=401)),
    # As the panel result page: 2009/10 is not published, so not yet Camden's own staff.
    "api:panel_result": (
        lambda w: [w.camden_sa.pk],
        {**only({"sara", "lena", "pia", "dora"}), "anon": 401},
    ),
    # As the calibration pages: 2009/10 is in phase 3, so DH staff only.
    "api:cycle_calibration": (lambda w: ["2009-10"], {**only({"dora"}), "anon": 401}),
}

# name → (args from the world, expected GET status per role)
GET: dict[str, tuple[Callable[[W], list[Any]], dict[str, Any]]] = {
    "home": (lambda w: [], public()),
    "login": (lambda w: [], public()),
    "logout": (lambda w: [], public(405)),  # sign-out is a POST
    "password_change": (lambda w: [], signed_in()),
    "password_change_done": (lambda w: [], signed_in()),
    "password_reset": (lambda w: [], public()),
    "password_reset_done": (lambda w: [], public()),
    "password_reset_confirm": (lambda w: ["MQ", "set-password"], public()),
    "password_reset_complete": (lambda w: [], public()),
    # The registry is public reference data (§1).
    "registry:pct_list": (lambda w: [], public()),
    "registry:pct_detail": (lambda w: [w.camden.code], public()),
    "registry:sha_detail": (lambda w: [w.camden.sha.code], public()),
    # Panels (§3 phases 2-4).
    "panels:index": (lambda w: [], signed_in()),
    "panels:day_new": (lambda w: [w.panel_cycle.pk], only({"lena"})),
    "panels:day_detail": (lambda w: [w.day.pk], only({"sara", "lena", "pia", "dora"})),
    "panels:slot_add": (lambda w: [w.day.pk], post_only()),
    "panels:day_ics": (lambda w: [w.day.pk], only({"sara", "lena", "pia", "dora"})),
    "panels:review": (lambda w: [w.camden_sa.pk], only({"sara", "lena", "pia", "dora"})),
    "panels:review_note": (lambda w: [w.camden_sa.pk, "competency-1"], post_only()),
    "panels:score_sheet": (lambda w: [w.camden_sa.pk], only({"sara", "pia"})),
    "panels:score_sheet_submit": (lambda w: [w.camden_sa.pk], post_only()),
    "panels:score_item": (lambda w: [w.camden_sa.pk, _first_item(w).key], post_only()),
    "panels:consensus": (lambda w: [w.camden_sa.pk], only({"lena"})),
    "panels:consensus_item": (lambda w: [w.camden_sa.pk, _first_item(w).key], post_only()),
    "panels:consensus_lock": (lambda w: [w.camden_sa.pk], post_only()),
    # Only the day's SHA lead arranges it: everyone else gets 404, like the lead's own pages.
    "panels:slot_change": (lambda w: [w.day.slots.get().pk], only({"lena"})),
    "panels:slot_remove": (lambda w: [w.day.slots.get().pk], only({"lena"})),
    "panels:day_members": (lambda w: [w.day.pk], only({"lena"})),
    # PCT staff see their own panel result only after publication: 2009/10 is not published.
    "panels:result": (lambda w: [w.camden_sa.pk], only({"sara", "lena", "pia", "dora"})),
    "panels:moderate": (lambda w: [w.consensus.pk], only({"lena", "dora"})),
    # Calibration opens for leads in phase 4; 2009/10 is in phase 3 (DH sees every SHA).
    "panels:calibration": (lambda w: [w.panel_cycle.pk], only({"dora"})),
    "panels:calibration_item": (
        lambda w: [w.panel_cycle.pk, "competency", "1"],
        only({"dora"}),
    ),
    # Publications: what is published is public (§6); running a publication is DH's.
    "publications:index": (lambda w: [], public()),
    "publications:publish": (lambda w: [w.published_cycle.pk], only({"dora"})),
    "publications:league_table": (lambda w: [w.publication.pk], public()),
    "publications:progress": (lambda w: [w.publication.pk], only({"dora"})),
    "publications:retry": (lambda w: [w.publication.pk], post_only()),
    "publications:leave_out": (lambda w: [w.published_cycle.pk], post_only()),
    "publications:include_again": (lambda w: [w.extra["left_out"].pk], post_only()),
    "publications:csv": (lambda w: [w.publication.pk], public()),
    "publications:xlsx": (lambda w: [w.publication.pk], public()),
    "publications:league_table_pdf": (lambda w: [w.publication.pk], public()),
    # DH's workbook of a whole publication (issue 16): DH only, others as for progress.
    "publications:workbook": (lambda w: [w.publication.pk], only({"dora"})),
    "publications:improvement": (lambda w: [w.publication.pk], public()),
    # "Find my PCT" redirects to the report; without a code it is 404 for everyone.
    "publications:find": (lambda w: [w.publication.pk], public(404)),
    "publications:pct_report": (lambda w: [w.publication.pk, w.camden.code], public()),
    "publications:pct_report_pdf": (lambda w: [w.publication.pk, w.camden.code], public()),
    # Insight (issue 16): a published cycle is public; 2009/10 (phase 3, unpublished) shows
    # the SHA staff (their SHA's figures) and DH the panels' values so far; PCT staff, peer
    # experts and the public get 404 (not a sign-in page: nothing says it exists).
    "insight:index": (lambda w: [], public()),
    "insight:cycle": (
        lambda w: [w.panel_cycle.slug],
        {**public(404), **dict.fromkeys(SHA_ROLES | {"dora"}, 200)},
    ),
    "insight:csv": (lambda w: [w.published_cycle.slug, "governance"], public()),
    # Self-assessment (§3 phase 1; §6 people).
    "self_assessment:start": (lambda w: [], signed_in(302)),
    "self_assessment:evidence_download": (lambda w: [w.document.pk], only(CAMDEN_READERS)),
    "self_assessment:list": (lambda w: ["2009-10"], signed_in()),
    "self_assessment:overview": (sa_args, only(CAMDEN_READERS)),
    "self_assessment:competency": (lambda w: [*sa_args(w), 1], only(CAMDEN_READERS)),
    "self_assessment:governance": (sa_args, only(CAMDEN_READERS)),
    "self_assessment:outcomes": (sa_args, only(CAMDEN_READERS)),
    "self_assessment:outcome_update": (
        lambda w: [*sa_args(w), w.camden_sa.chosen_outcomes.first().pk],
        post_only(anon=405),
    ),
    "self_assessment:documents": (sa_args, only(CAMDEN_READERS)),
    "self_assessment:document_remove": (
        lambda w: [*sa_args(w), w.document.pk],
        post_only(anon=405),
    ),
    "self_assessment:submit": (sa_args, only(CAMDEN_READERS)),
    "self_assessment:reopen": (sa_args, only({"dora"}, other=403)),
    "self_assessment:history": (sa_args, only(CAMDEN_READERS)),
    "self_assessment:submitted_copy": (
        lambda w: [*sa_args(w), w.extra["submitted_copy"].pk],
        only(CAMDEN_READERS),
    ),
    # Cycle management is DH's (§3).
    "cycles:list": (lambda w: [], only({"dora"}, other=403)),
    "cycles:create": (lambda w: [], only({"dora"}, other=403)),
    "cycles:detail": (lambda w: ["2009-10"], only({"dora"}, other=403)),
    "cycles:start_next": (lambda w: ["2009-10"], post_only(anon=405)),
    "cycles:settings": (lambda w: ["2009-10"], post_only(anon=405)),
    "cycles:phase_change": (lambda w: ["2009-10", 3, "close"], only({"dora"}, other=403)),
    # Freedoms (§5): PCT pages for PCT staff, SHA pages for SHA staff, DH pages for DH.
    "freedoms:mine": (lambda w: [], only(PCT_ROLES, other=403)),
    "freedoms:franchise_propose": (lambda w: [], only(PCT_ROLES, other=403)),
    # Asking for a franchise is the approver's step (issue 12); Ann may see the page, and
    # is refused on sending (Camden is in the freedoms tier).
    "freedoms:franchise_request": (lambda w: [], only({"ann"}, other=403)),
    # A franchise is seen by both PCTs, their SHAs and DH; not by another SHA.
    "freedoms:franchise_detail": (
        lambda w: [w.franchise.pk],
        only(SIGNED_IN - {"nick"} - PEERS),
    ),
    "freedoms:franchise_step": (lambda w: [w.franchise.pk, "accept"], post_only()),
    "freedoms:budget_new": (lambda w: [], only(PCT_ROLES, other=403)),
    "freedoms:budget_detail": (lambda w: [w.budget.pk], only(CAMDEN_READERS - PEERS)),
    "freedoms:fund_apply": (lambda w: [], only(PCT_ROLES, other=403)),
    "freedoms:fund": (lambda w: [], only({"dora"}, other=403)),
    "freedoms:fund_decide": (lambda w: [w.fund_application.pk], post_only()),
    "freedoms:plan_detail": (lambda w: [w.plan.pk], only({"bob", "sara", "lena", "dora"})),
    "freedoms:plan_add_action": (lambda w: [w.plan.pk], post_only()),
    "freedoms:plan_agree": (lambda w: [w.plan.pk], post_only()),
    "freedoms:action_status": (lambda w: [w.action.pk], post_only()),
    "freedoms:reviews": (lambda w: [], only(SHA_ROLES, other=403)),
    "freedoms:review_record": (
        lambda w: [w.camden.code],
        {**only({"sara", "lena"}, other=403), "nick": 404},
    ),
    "freedoms:approvals": (lambda w: [], only(SHA_ROLES, other=403)),
    "freedoms:overview": (lambda w: [], only({"dora"}, other=403)),
    "freedoms:grant_notes": (lambda w: [w.camden.code], only({"dora"}, other=403)),
    "freedoms:publication_confirm": (lambda w: [w.publication.pk], post_only()),
    # A person's own API tokens (issue 16): anyone signed in has the page.
    "api_tokens:tokens": (lambda w: [], signed_in()),
    "api_tokens:revoke": (lambda w: [w.extra["api_token"].pk], post_only()),
    # The open data API (issue 16). Here as the pages are, by browser session; by token
    # in API below. Anonymous callers of token-only endpoints get 401, not a redirect.
    "api-index": (lambda w: [], public(302)),  # to the documentation page
    "api-docs": (lambda w: [], public()),
    "api:api-root": (lambda w: [], public(302)),  # the same address as api-index
    "api:openapi-json": (lambda w: [], public()),
    **{name: (args, expected) for name, (args, expected) in API.items()},
    # Due process (§8). The queue: PCT staff see their own PCT's page, SHA leads and DH the
    # queues; assessors and peer experts have none.
    "due_process:index": (lambda w: [], only({"alice", "bob", "ann", "lena", "dora"})),
    "due_process:window": (lambda w: [w.panel_cycle.pk], only({"dora"})),
    # Camden's draft result: its own staff, London's own SHA staff (not its peers), DH.
    "due_process:draft": (lambda w: [w.panel_cycle.pk, w.camden.code], only(CAMDEN_DUE)),
    # Only Camden's approver challenges; the others who may read the draft get 403.
    "due_process:challenge_new": (
        lambda w: [w.panel_cycle.pk, w.camden.code, w.extra["other_item"].pk],
        {**only({"ann"}), **dict.fromkeys(CAMDEN_DUE - {"ann"}, 403)},
    ),
    "due_process:challenge": (lambda w: [w.extra["challenge"].pk], only(CAMDEN_DUE)),
    "due_process:challenge_document": (
        lambda w: [w.extra["challenge"].documents.get().pk],
        only(CAMDEN_DUE),
    ),
    # Camden has no panel result for 2008/09 in this world, so even its approver has nothing
    # to name (tests/assurance/views/test_due_process.py covers the page itself).
    "due_process:review_new": (lambda w: [w.publication.pk, w.camden.code], only(set())),
    "due_process:review": (lambda w: [w.extra["review"].pk], only(CAMDEN_DUE)),
    # Each person's own notifications, account and calendar feed (issue 15): everyone signed
    # in has theirs; another's notification is 404. The feed's secret token is its only
    # credential (calendar apps cannot sign in), so Alice's token opens her feed for anyone.
    "notifications:list": (lambda w: [], signed_in()),
    "notifications:read": (lambda w: [w.extra["notice"].pk], post_only(anon=405)),
    "notifications:read_all": (lambda w: [], post_only(anon=405)),
    "account": (lambda w: [], signed_in()),
    "account_reminders": (lambda w: [], post_only(anon=405)),
    "account_calendar": (lambda w: [], post_only(anon=405)),
    "calendar_feed": (lambda w: [w.extra["feed_token"]], public()),
}


# --- State-changing requests ----------------------------------------------------------------


def _competency_post(w: W) -> dict[str, Any]:
    slot = next(
        s for s in sa_queries.rating_slots(w.open_cycle.framework) if s.competency.number == 1
    )
    key = slot.rule.key
    return {
        "slot": key,
        f"{key}-level": "3",
        f"{key}-evidence": "Board minutes.",
        f"{key}-version": "0",
    }


def _score_post(w: W) -> dict[str, Any]:
    from assurance.queries.panel_items import panel_items

    data = {}
    for item in panel_items(w.camden_sa):
        value = {"level": "4", "rating": "green", "actual": "16"}[item.kind]
        data[f"{item.field_prefix}__value"] = value
        data[f"{item.field_prefix}__rationale"] = "Agreed at the panel."
    return data


def _first_item(w: W) -> Any:
    from assurance.queries.panel_items import panel_items

    return panel_items(w.camden_sa)[0]


def _item_post(w: W) -> dict[str, Any]:
    data = _score_post(w)
    prefix = _first_item(w).field_prefix
    return {k: v for k, v in data.items() if k.startswith(f"{prefix}__")}


def _upload(w: W) -> dict[str, Any]:
    from tests.assurance.self_assessment_factories import upload

    return {"kind": "other", "title": "Minutes", "file": upload("minutes.pdf")}


def open_sa(w: W) -> list[Any]:
    return ["2010-11", w.camden.code]


# name → (args, data, roles that may act, the role that shows the request works, or None
# where the world's phase makes the service refuse even them — covered by feature tests)
POST: dict[str, tuple[Callable, Callable, set[str], str | None]] = {
    "self_assessment:competency": (
        lambda w: [*open_sa(w), 1],
        _competency_post,
        {"alice", "ann"},
        "alice",
    ),
    "self_assessment:governance": (
        open_sa,
        lambda w: {
            "slot": "strategy",
            "strategy-rating": "green",
            "strategy-commentary": "Clear.",
            "strategy-version": "0",
        },
        {"alice", "ann"},
        "alice",
    ),
    "self_assessment:outcomes": (
        open_sa,
        lambda w: {"indicator": w.open_cycle.indicators.order_by("code").last().pk},
        {"alice", "ann"},
        "alice",
    ),
    "self_assessment:outcome_update": (
        lambda w: [*open_sa(w), w.draft_outcome.pk],
        lambda w: {
            f"o{w.draft_outcome.pk}-baseline": "21",
            f"o{w.draft_outcome.pk}-target": "17",
            f"o{w.draft_outcome.pk}-direction": "lower",
            f"o{w.draft_outcome.pk}-version": str(w.draft_outcome.version),
        },
        {"alice", "ann"},
        "alice",
    ),
    "self_assessment:documents": (open_sa, _upload, {"alice", "ann"}, "alice"),
    "self_assessment:document_remove": (
        lambda w: [*open_sa(w), w.draft_document.pk],
        lambda w: {},
        {"alice", "ann"},
        "alice",
    ),
    "self_assessment:submit": (
        open_sa,
        lambda w: {"board_ratified_on": "10 12 2010"},
        {"alice", "ann"},
        None,  # incomplete: refused with what is missing (test_self_assessment_views)
    ),
    "self_assessment:reopen": (
        sa_args,
        lambda w: {"reason": "The board asked to correct competency 5."},
        {"dora"},
        "dora",
    ),
    "cycles:create": (lambda w: [], lambda w: {"year_label": "2011/12"}, {"dora"}, None),
    "cycles:start_next": (lambda w: ["2010-11"], lambda w: {}, {"dora"}, "dora"),
    "cycles:settings": (
        lambda w: ["2010-11"],
        lambda w: {"freedoms_cap": "12", "notice_cap": "7", "min_level_four": "2"},
        {"dora"},
        None,
    ),
    "cycles:phase_change": (
        lambda w: ["2010-11", 1, "close"],
        lambda w: {"confirm": "yes"},
        {"dora"},
        "dora",
    ),
    "panels:day_new": (
        lambda w: [w.panel_cycle.pk],
        lambda w: {"date": "2010-05-04", "venue": "Southside", "members": [w.users["sara"].pk]},
        {"lena"},
        "lena",
    ),
    "panels:slot_add": (
        lambda w: [w.day.pk],
        lambda w: {"pct": w.islington.pk, "starts_at": "13:00", "ends_at": "15:00"},
        {"lena"},
        None,  # Islington has not submitted: refused (test_panel_views)
    ),
    "panels:review_note": (
        lambda w: [w.camden_sa.pk, "competency-1"],
        lambda w: {"competency-1-note": "Strong.", "competency-1-questions": "How?"},
        {"sara", "lena", "pia", "dora"},
        None,  # phase 2 is closed in this world
    ),
    "panels:review": (
        lambda w: [w.camden_sa.pk],
        lambda w: {"competency-1-note": "Strong.", "competency-1-questions": "How?"},
        {"sara", "lena", "pia", "dora"},
        None,  # phase 2 is closed in this world
    ),
    "panels:score_sheet": (lambda w: [w.camden_sa.pk], _score_post, {"sara", "pia"}, None),
    "panels:score_item": (
        lambda w: [w.camden_sa.pk, _first_item(w).key],
        _item_post,
        {"sara", "pia"},
        None,
    ),
    "panels:score_sheet_submit": (
        lambda w: [w.camden_sa.pk],
        lambda w: {"submit-confirm": "yes"},
        {"sara", "pia"},
        None,
    ),
    "panels:slot_change": (
        lambda w: [w.day.slots.get().pk],
        lambda w: {"starts_at": "14:00", "ends_at": "16:00"},
        {"lena"},
        None,  # Camden's panel sat in this world (sheets submitted): refused
    ),
    "panels:slot_remove": (
        lambda w: [w.day.slots.get().pk],
        lambda w: {"reason": "Board moved"},
        {"lena"},
        None,  # Camden's panel sat in this world: refused
    ),
    "panels:day_members": (
        lambda w: [w.day.pk],
        lambda w: {"members": [w.users["sara"].pk, w.users["sam"].pk]},
        {"lena"},
        None,  # the same members: nothing changes
    ),
    "panels:consensus_lock": (
        lambda w: [w.camden_sa.pk],
        lambda w: {"lock-confirm": "yes"},
        {"lena"},
        None,  # Camden's result is already locked in this world: refused
    ),
    # Every item agreed locks the result: the lead's own change is refused (test_panel_views).
    "panels:consensus": (lambda w: [w.camden_sa.pk], _score_post, {"lena"}, None),
    "panels:consensus_item": (
        lambda w: [w.camden_sa.pk, _first_item(w).key],
        _item_post,
        {"lena"},
        None,
    ),
    "panels:moderate": (
        lambda w: [w.consensus.pk],
        lambda w: {"value": "3", "reason": "Calibrated against London."},
        {"lena", "dora"},
        None,  # moderation waits for phase 4 (test_panel_services)
    ),
    "publications:publish": (
        lambda w: [w.published_cycle.pk],
        lambda w: {"publish-confirm": "yes"},
        {"dora"},
        None,
    ),
    "publications:retry": (lambda w: [w.publication.pk], lambda w: {}, {"dora"}, None),
    "publications:leave_out": (
        lambda w: [w.published_cycle.pk],
        lambda w: {"pct": w.camden.pk, "reason": "No panel was held"},
        {"dora"},
        "dora",
    ),
    "publications:include_again": (
        lambda w: [w.extra["left_out"].pk],
        lambda w: {},
        {"dora"},
        "dora",
    ),
    "freedoms:franchise_propose": (
        lambda w: [],
        lambda w: {
            "receiver": w.extra["durham"].pk,
            "all_services": "false",
            "service": "Podiatry",
            "starts_on": "2010-10-01",
            "ends_on": "2011-03-31",
        },
        {"alice", "ann", "bob"},
        "alice",
    ),
    "freedoms:franchise_request": (
        lambda w: [],
        lambda w: {
            "franchisor": w.camden.pk,
            "all_services": "false",
            "service": "Podiatry",
            "starts_on": "2010-10-01",
            "ends_on": "2011-03-31",
        },
        set(),  # only a support or on-notice PCT's approver asks; none of the cast is
        None,  # (tests/freedoms/test_views.py: Durham's approver asks Camden)
    ),
    "freedoms:franchise_step": (
        lambda w: [w.franchise.pk, "accept"],
        lambda w: {},
        set(),  # only Islington's approver accepts; none of the cast is
        None,
    ),
    "freedoms:budget_new": (
        lambda w: [],
        lambda w: {
            "title": "Two-year diabetes plan",
            "first_year": "2010",
            "year_1": "1000",
            "year_2": "2000",
            "rationale": "Diabetes.",
        },
        {"alice", "ann", "bob"},
        "alice",
    ),
    "freedoms:budget_detail": (
        lambda w: [w.budget.pk],
        lambda w: {"decision": "approve", "reason": ""},
        {"lena"},
        "lena",
    ),
    "freedoms:fund_apply": (
        lambda w: [],
        lambda w: {"title": "Falls service", "amount": "1000", "summary": "Falls."},
        {"alice", "ann", "bob"},
        "alice",
    ),
    "freedoms:fund_decide": (
        lambda w: [w.fund_application.pk],
        lambda w: {"decision": "approve", "reason": ""},
        {"dora"},
        "dora",
    ),
    "freedoms:plan_add_action": (
        lambda w: [w.plan.pk],
        lambda w: {
            "description": "Recruit a GP lead.",
            "owner": "Medical director",
            "due_on": "2010-12-01",
        },
        {"bob", "sara", "lena", "dora"},
        "bob",
    ),
    "freedoms:plan_agree": (lambda w: [w.plan.pk], lambda w: {}, {"sara", "lena"}, "lena"),
    "freedoms:action_status": (
        lambda w: [w.action.pk],
        lambda w: {"status": "done"},
        {"bob", "sara", "lena", "dora"},
        "bob",
    ),
    "freedoms:review_record": (
        lambda w: [w.camden.code],
        lambda w: {"held_on": "2010-09-01", "summary": "Annual review held."},
        {"sara", "lena"},
        "sara",
    ),
    "freedoms:grant_notes": (
        lambda w: [w.camden.code],
        lambda w: {f"notes-{w.camden.grants.first().pk}": "Seat on the board."},
        {"dora"},
        "dora",
    ),
    "freedoms:publication_confirm": (
        lambda w: [w.publication.pk],
        lambda w: {},
        {"dora"},
        None,  # already confirmed: refused with a message
    ),
    "api_tokens:tokens": (lambda w: [], lambda w: {"name": "Dashboard"}, SIGNED_IN, "bob"),
    # Alice's token: everyone else is refused (404: another person's token is not there).
    "api_tokens:revoke": (
        lambda w: [w.extra["api_token"].pk],
        lambda w: {},
        {"alice"},
        "alice",
    ),
    "due_process:window": (
        lambda w: [w.panel_cycle.pk],
        lambda w: {"action": "close"},
        {"dora"},
        "dora",
    ),
    "due_process:challenge_new": (
        lambda w: [w.panel_cycle.pk, w.camden.code, w.extra["other_item"].pk],
        lambda w: {"what_is_wrong": "Our board minutes were missed.", "correction": "Green"},
        {"ann"},
        "ann",
    ),
    "due_process:challenge": (
        lambda w: [w.extra["challenge"].pk],
        lambda w: {"answer": "not_accepted", "reason": "The panel saw the minutes."},
        {"lena"},
        "lena",
    ),
    "due_process:review_new": (
        lambda w: [w.publication.pk, w.camden.code],
        lambda w: {"items": [w.consensus.pk], "grounds": "Wrong."},
        {"ann"},
        None,  # no 2008/09 panel result in this world (tests/assurance/views)
    ),
    "due_process:review": (
        lambda w: [w.extra["review"].pk],
        lambda w: {"decision": "not_upheld", "reason": "The rating stands."},
        {"dora"},
        "dora",
    ),
    "notifications:read": (lambda w: [w.extra["notice"].pk], lambda w: {}, {"alice"}, "alice"),
    # Everyone marks, sets and makes their own: the refusal is the signed-out's.
    "notifications:read_all": (lambda w: [], lambda w: {}, SIGNED_IN, "alice"),
    "account_reminders": (
        lambda w: [],
        lambda w: {"reminder_emails": "no"},
        SIGNED_IN,
        "alice",
    ),
    "account_calendar": (lambda w: [], lambda w: {"action": "new"}, SIGNED_IN, "alice"),
}


# --- Helpers ---------------------------------------------------------------------------------


def url_pattern_names(patterns=None, namespace: str = "") -> set[str]:
    """Every named pattern of the URLconf (``ns:name``); unnamed ones by their route."""
    names: set[str] = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if ns == "admin":
                continue
            inner = f"{namespace}{ns}:" if ns else namespace
            names |= url_pattern_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            names.add(f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>")
    return names


def fingerprint() -> str:
    """A digest of every row of every assurance and freedoms table."""
    digest = hashlib.sha256()
    for app in ("assurance", "freedoms"):
        for model in apps.get_app_config(app).get_models():
            rows = model.objects.order_by("pk").values_list()
            digest.update(f"{model._meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


def outcome(response) -> Any:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


def _errors(response) -> list[str]:
    body = response.content.decode(errors="replace")
    return re.findall(r"error-message[^>]*>\s*(?:<span[^>]*>[^<]*</span>)?([^<]+)", body)[:3]


POST_FORM = re.compile(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", re.S | re.I)
PCT_NAMES = {"5K7": "Camden", "5K8": "Islington", "5ND": "County Durham"}


@pytest.fixture
def world(alice, bob, ann, sara, sam, nick, lena, dora, durham, london) -> World:
    users = {"alice": alice, "bob": bob, "ann": ann, "sara": sara, "sam": sam}
    users |= {"nick": nick, "lena": lena, "dora": dora}
    users["pia"] = sha_user(
        london, Role.PEER_EXPERT, full_name="Pia Peer", email="pia@peer.example"
    )
    users["pat"] = sha_user(
        london, Role.PEER_EXPERT, full_name="Pat Peer", email="pat@peer.example"
    )
    w = build_world(users, durham)
    w.day.members.add(users["pia"])
    w.extra["durham"] = durham
    w.extra["api_token"] = create_token(users["alice"], "Matrix")[0]
    _due_process(w)
    from assurance.models import Notification
    from assurance.services.account import new_calendar_feed

    w.extra["notice"] = Notification.objects.create(
        recipient=users["alice"], key="matrix:1", subject="A notice", link="/freedoms/"
    )
    w.extra["feed_token"] = new_calendar_feed(users["alice"])
    return w


def _due_process(w: W) -> None:
    """A factual accuracy check open on 2009/10 with Camden's challenge (and a file), and a
    rating review of 2008/09 asked for by Camden (§8)."""
    import datetime as dt

    from assurance.models import AccuracyCheck, Consensus, RatingReview
    from assurance.services import due_process
    from tests.assurance.self_assessment_factories import upload

    today = w.extra["today"]
    AccuracyCheck.objects.create(
        cycle=w.panel_cycle,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        opened_by=w.users["dora"],
    )
    w.extra["challenge"] = due_process.raise_challenge(
        w.users["ann"],
        w.consensus,
        what_is_wrong="The panel missed our board minutes.",
        correction="Level 3",
        uploads=[upload("minutes.pdf")],
    )
    w.extra["other_item"] = (
        Consensus.objects.filter(self_assessment=w.camden_sa, governance_area="finance")
        .select_related("self_assessment")
        .get()
    )
    w.extra["review"] = RatingReview.objects.create(
        publication=w.publication, pct=w.camden, grounds="Finance.", asked_by=w.users["ann"]
    )


def _client_for(role: str, world: World, clients: dict) -> Any:
    from django.test import Client

    if role not in clients:
        client = Client()
        if role != "anon":
            client.force_login(world.users[role])
        clients[role] = client
    return clients[role]


# --- Tests -----------------------------------------------------------------------------------


def test_every_url_pattern_has_an_entry():
    names = url_pattern_names()
    missing = sorted(names - set(GET))
    stale = sorted(set(GET) - names)
    assert not missing, (
        "URL patterns with no entry in the permissions matrix (tests/test_permissions_matrix.py"
        f" GET table): {missing}. Add the expected status for every role."
    )
    assert not stale, f"Entries for URL patterns that no longer exist: {stale}"


def test_every_post_entry_names_a_real_pattern():
    assert set(POST) <= url_pattern_names()


def test_each_role_gets_the_expected_status_on_every_page(world):
    """Also: PCT staff refused a page are refused its htmx fragment the same way, 404 pages
    name no other PCT, and every POST form on a page carries a CSRF token."""
    clients: dict[str, Any] = {}
    mismatches = []
    for name, (args, expected) in GET.items():
        path = reverse(name, args=args(world))
        for role in ROLES:
            response = _client_for(role, world, clients).get(path)
            got = outcome(response)
            if got != expected[role]:
                mismatches.append(
                    f"GET {name} ({path}) as {role}: expected {expected[role]}, got {got}"
                )
            if role in PCT_ROLES and got in (403, 404, LOGIN):
                # The htmx fragment of a page is refused exactly as the page is.
                client = _client_for(role, world, clients)
                fragment = outcome(client.get(path, HTTP_HX_REQUEST="true"))
                if fragment != got:
                    mismatches.append(f"GET {name} as {role} via htmx: {fragment}, page {got}")
            elif got == 200 and "html" in response.get("Content-Type", ""):
                for form in POST_FORM.findall(response.content.decode(errors="replace")):
                    if "csrfmiddlewaretoken" not in form:
                        mismatches.append(f"GET {name} as {role}: a POST form has no CSRF token")
            elif got == 404:
                own = getattr(world.users.get(role), "pct", None)
                body = response.content.decode(errors="replace")
                for code, pct_name in PCT_NAMES.items():
                    if pct_name in body and (own is None or own.code != code):
                        mismatches.append(f"GET {name} as {role}: the 404 page names {pct_name}")
    assert not mismatches, "\n".join(mismatches)


def test_refused_roles_change_nothing_and_allowed_roles_do(world):
    clients: dict[str, Any] = {}
    for role in ROLES:  # sign in outside the rolled-back blocks below
        _client_for(role, world, clients)
    mismatches = []
    for name, (args, data, allowed, works_for) in POST.items():
        path = reverse(name, args=args(world))
        for role in ROLES:
            if role in allowed:
                continue
            before = fingerprint()
            with transaction.atomic():
                response = _client_for(role, world, clients).post(path, data(world))
                changed = fingerprint() != before
                transaction.set_rollback(True)
            got = outcome(response)
            if got not in REFUSED:
                mismatches.append(f"POST {name} as {role}: expected a refusal, got {got}")
            if changed:
                mismatches.append(f"POST {name} as {role}: refused but the database changed")
        if works_for:
            before = fingerprint()
            with transaction.atomic():
                response = _client_for(works_for, world, clients).post(path, data(world))
                changed = fingerprint() != before
                transaction.set_rollback(True)
            if outcome(response) not in (200, 302) or not changed:
                mismatches.append(
                    f"POST {name} as {works_for} (allowed): got {outcome(response)}, "
                    f"changed={changed} — the payload no longer exercises the view "
                    f"{_errors(response)}"
                )
    assert not mismatches, "\n".join(mismatches)


def test_each_role_gets_the_same_through_the_api_by_token(world):
    """Every API endpoint, as every role by a personal token (no session), and anonymously:
    a token sees exactly what its owner sees. A revoked or made-up token is a 401."""
    from django.test import Client

    tokens = {role: create_token(world.users[role], "Matrix")[1] for role in SIGNED_IN}
    revoked, revoked_secret = create_token(world.users["dora"], "Old")
    from assurance.services.api_tokens import revoke_token

    revoke_token(world.users["dora"], revoked)
    client = Client()
    mismatches = []
    for name, (args, expected) in API.items():
        path = reverse(name, args=args(world))
        for role in ROLES:
            headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if role in tokens else {}
            response = client.get(path, **headers)
            got = outcome(response)
            if got != expected[role]:
                mismatches.append(
                    f"GET {name} ({path}) by {role}'s token: {got}, not {expected[role]}"
                )
            if not response["Content-Type"].startswith("application/json"):
                mismatches.append(f"GET {name} by {role}: not JSON")
        for secret in (revoked_secret, "wcc_made-up", "not-even-a-token"):
            got = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
            if got != 401:
                mismatches.append(f"GET {name} with a bad token ({secret[:8]}…): {got}, not 401")
    assert not mismatches, "\n".join(mismatches)
