"""The innovation fund's limit holds when two approvals land at once (PostgreSQL only).

Run with: DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_issue6 uv run pytest tests/freedoms/test_fund_concurrency.py
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from assurance.services.errors import ServiceError
from freedoms.models import DecisionStatus, FundApplication, InnovationFund
from freedoms.services import apply_to_fund, decide_fund_application

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite locks it all"
    ),
]


def test_two_simultaneous_approvals_never_exceed_the_pot(catalogue, dora, bob, dave):
    fund = InnovationFund.objects.get(financial_year="2010-11")
    first = apply_to_fund(fund, by=bob, title="A", amount=Decimal(30_000_000), summary="x")
    second = apply_to_fund(fund, by=dave, title="B", amount=Decimal(30_000_000), summary="x")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(application: FundApplication) -> None:
        try:
            barrier.wait(timeout=10)
            decide_fund_application(application, by=dora, approve=True, reason="")
            outcomes.append("approved")
        except ServiceError as refused:
            outcomes.append(str(refused))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcomes) == 2
    assert outcomes.count("approved") == 1
    assert any("would exceed the fund" in outcome for outcome in outcomes)
    approved = FundApplication.objects.filter(status=DecisionStatus.APPROVED)
    assert approved.count() == 1
    assert sum(a.amount for a in approved) <= fund.pot
