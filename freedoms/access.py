"""Who may see what in freedoms: each helper returns the object or raises Http404.

PCT staff see their own PCT's rows (and franchises it is party to); SHA staff see the
rows of their SHA's PCTs; DH staff see everything. Wrong-role pages raise PermissionDenied.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from assurance.models import PCT, Publication
from freedoms.models import (
    BudgetProposal,
    Franchise,
    FundApplication,
    Grant,
    InnovationFund,
    Plan,
    PlanAction,
)


def require_pct_user(user: Any) -> PCT:
    if not user.is_pct_user or user.pct_id is None:
        raise PermissionDenied("This page is for PCT staff.")
    return user.pct


def require_pct_approver(user: Any) -> PCT:
    """A PCT's approver (the board's delegate), who answers for the PCT."""
    if not user.is_pct_approver or user.pct_id is None:
        raise PermissionDenied("This page is for your PCT's approver.")
    return user.pct


def require_sha_user(user: Any) -> None:
    if not user.is_sha_staff:
        raise PermissionDenied("This page is for SHA staff.")


def require_dh(user: Any) -> None:
    if not user.is_dh:
        raise PermissionDenied("This page is for DH staff.")


def _pct_scope(user: Any, prefix: str) -> Q | None:
    """A filter for rows whose PCT (at ``prefix``) the user may see; None means all."""
    if user.is_dh:
        return None
    if user.is_pct_user:
        return Q(**{f"{prefix}_id": user.pct_id})
    if user.is_sha_staff:
        return Q(**{f"{prefix}__sha_id": user.sha_id})
    return Q(pk__in=[])


def _scoped(qs: QuerySet[Any], user: Any, prefix: str, pk: int) -> Any:
    scope = _pct_scope(user, prefix)
    if scope is not None:
        qs = qs.filter(scope)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found")
    return obj


def franchises_for_user(user: Any) -> QuerySet[Franchise]:
    qs = Franchise.objects.select_related("franchisor", "receiver", "receiver__sha")
    if user.is_dh:
        return qs
    if user.is_pct_user:
        return qs.filter(Q(franchisor_id=user.pct_id) | Q(receiver_id=user.pct_id))
    if user.is_sha_staff:
        return qs.filter(Q(receiver__sha_id=user.sha_id) | Q(franchisor__sha_id=user.sha_id))
    return qs.none()


def get_franchise_for_user(user: Any, pk: int) -> Franchise:
    franchise = franchises_for_user(user).filter(pk=pk).first()
    if franchise is None:
        raise Http404("Not found")
    return franchise


def get_plan_for_user(user: Any, pk: int) -> Plan:
    return _scoped(Plan.objects.select_related("pct", "pct__sha", "publication"), user, "pct", pk)


def get_action_for_user(user: Any, pk: int) -> PlanAction:
    return _scoped(PlanAction.objects.select_related("plan", "plan__pct"), user, "plan__pct", pk)


def get_budget_for_user(user: Any, pk: int) -> BudgetProposal:
    return _scoped(BudgetProposal.objects.select_related("pct", "pct__sha"), user, "pct", pk)


def get_fund_application_for_user(user: Any, pk: int) -> FundApplication:
    if user.is_sha_user:
        raise Http404("Not found")
    return _scoped(FundApplication.objects.select_related("pct", "fund"), user, "pct", pk)


def get_pct_for_sha_user(user: Any, code: str) -> PCT:
    """A PCT of the SHA user's own SHA (for recording reviews), else 404."""
    require_sha_user(user)
    pct = PCT.objects.select_related("sha").filter(code=code.upper(), sha_id=user.sha_id).first()
    if pct is None:
        raise Http404("Not found")
    return pct


def get_grant_for_dh(user: Any, pk: int) -> Grant:
    require_dh(user)
    grant = Grant.objects.select_related("pct", "freedom").filter(pk=pk).first()
    if grant is None:
        raise Http404("Not found")
    return grant


def get_publication_for_dh(user: Any, pk: int) -> Publication:
    """DH staff see every publication, complete or not."""
    require_dh(user)
    publication = Publication.objects.select_related("cycle").filter(pk=pk).first()
    if publication is None:
        raise Http404("Not found")
    return publication


def current_fund() -> InnovationFund:
    """The latest financial year's innovation fund (any signed-in user may see its pot)."""
    fund = InnovationFund.objects.order_by("-financial_year").first()
    if fund is None:
        raise Http404("No innovation fund has been set up")
    return fund
