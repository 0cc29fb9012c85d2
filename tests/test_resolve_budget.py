"""The time budget for looking an in-doubt create up: a wait that ends on the budget's last
instant is taken; one that would end past it is not."""

from __future__ import annotations

import httpx
import pytest

from alliance_pay import InternalServerError
from alliance_pay._retries import ResolveBudget


def unavailable(retry_after: str) -> InternalServerError:
    request = httpx.Request("GET", "https://alliance.test/api/v1/payout/A1/status")
    response = httpx.Response(503, headers={"Retry-After": retry_after}, request=request)
    return InternalServerError(
        "unavailable", response=response, body=None, method="GET", path="api/v1/payout/A1/status"
    )


@pytest.mark.parametrize(("seconds", "waits"), [(2.0, True), (1.999, False), (5.0, True)])
def test_a_wait_is_taken_only_if_it_ends_within_the_budget(seconds: float, waits: bool) -> None:
    budget = ResolveBudget(seconds, clock=lambda: 100.0)
    delay = budget.next_delay(unavailable("2"))
    assert delay == (2.0 if waits else None)
