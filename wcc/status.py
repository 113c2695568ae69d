"""The one colour map for status tags (NHS.UK tag component), used by every page.

A status value from any app — a tier, a RAG rating, a publication, phase, plan, grant or
franchise status, a review regime — has one colour everywhere: the league table and the
freedoms pages agree. Unknown values are grey. Templates use ``{% status_tag value label %}``
(wcc/templatetags/wcc.py); Python that builds rows uses :func:`tag_class`.
"""

from __future__ import annotations

TAG_COLOURS: dict[str, str] = {
    # Tiers (domain brief §4) and the review regimes that follow from them (§5).
    "freedoms": "green",
    "support": "blue",
    "notice": "red",
    "annual": "green",
    "quarterly": "blue",
    "monthly": "red",
    # Governance ratings: NHS.UK has no amber tag, orange stands for it.
    "green": "green",
    "amber": "orange",
    "red": "red",
    # Phases and publications.
    "open": "green",
    "scheduled": "white",
    "closed": "grey",
    "queued": "blue",
    "computing": "blue",
    "rendering": "blue",
    "complete": "green",
    "superseded": "grey",
    "failed": "red",
    # Progress of a piece of work.
    "not_started": "grey",
    "in_progress": "blue",
    "completed": "white",
    "draft": "yellow",
    "submitted": "blue",
    "not_submitted": "orange",
    "locked": "green",
    "missing": "grey",
    # Freedoms, plans, franchises, budgets, the fund.
    "proposed": "blue",
    "accepted": "blue",
    "approved": "green",
    "agreed": "green",
    "active": "green",
    "done": "green",
    "discharged": "green",
    "lapsed": "grey",
    "ended": "grey",
    "declined": "red",
    "rejected": "red",
    "escalated": "red",
    "overdue": "red",
    "flagged": "orange",
    # Due process (§8): challenges and rating reviews.
    "unanswered": "yellow",
    "not_accepted": "grey",
    "pending": "yellow",
    "upheld": "green",
    "not_upheld": "grey",
}


def tag_colour(value: object) -> str:
    return TAG_COLOURS.get(str(value), "grey")


def tag_class(value: object) -> str:
    """The CSS modifier of a status's tag: ``nhsuk-tag--green`` for "freedoms"."""
    return f"nhsuk-tag--{tag_colour(value)}"
