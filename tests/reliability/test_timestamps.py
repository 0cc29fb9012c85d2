"""The default timestamps: unique across a process and its forked children, never more than
about a second ahead of the wall clock, and right again at once after the clock jumps back."""

from __future__ import annotations

import os

import httpx
import pytest

from alliance_pay import AllianceClient
from alliance_pay._auth import MAX_LEAD_MS, _unique_ms, _UniqueMillis


def test_a_burst_stays_unique_and_within_the_lead() -> None:
    now = [1_700_000_000_000]
    clock = _UniqueMillis(wall=lambda: now[0])
    values = [clock() for _ in range(MAX_LEAD_MS)]
    assert len(set(values)) == len(values)
    assert max(values) - now[0] <= MAX_LEAD_MS


def test_a_burst_runs_at_most_one_second_ahead_then_falls_back_to_the_wall_clock() -> None:
    # A frozen wall clock and more than a thousand calls in its millisecond: each value steps
    # one ahead, up to exactly a second ahead, and then the wall clock is believed again.
    now = 1_700_000_000_000
    clock = _UniqueMillis(wall=lambda: now)
    values = [clock() for _ in range(1_002)]
    assert values[:1_001] == list(range(now, now + 1_001))
    assert values[1_001] == now


def test_after_the_clock_jumps_back_the_next_timestamp_is_the_corrected_time() -> None:
    now = [1_700_000_000_000]
    clock = _UniqueMillis(wall=lambda: now[0])
    for _ in range(500):
        clock()
    now[0] -= 60_000  # an NTP correction of a minute
    assert clock() - now[0] <= 1


def test_a_call_right_after_a_clock_correction_succeeds() -> None:
    # The sandbox's guard refuses timestamps more than its tolerance from its own clock.
    from alliance_pay.sandbox import SandboxConfig
    from alliance_pay.sandbox._security import RequestGuard

    wall = [1_700_000_000_000]
    guard = RequestGuard(SandboxConfig(timestamp_tolerance=5, clock=lambda: wall[0] / 1000))
    clock = _UniqueMillis(wall=lambda: wall[0])
    wall[0] += 60_000  # the clock runs a minute fast for a while...
    clock()
    wall[0] -= 60_000  # ...and is corrected
    timestamp = str(clock())
    assert guard._timestamp_problem(timestamp, wall[0] / 1000) is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_never_repeats_its_parents_timestamps() -> None:
    _unique_ms()  # used before the fork, as a client would be
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            values = [_unique_ms() for _ in range(300)]
            with os.fdopen(write_end, "w") as out:
                out.write(",".join(map(str, values)))
        finally:
            os._exit(0)
    os.close(write_end)
    mine = [_unique_ms() for _ in range(300)]
    with os.fdopen(read_end) as report:
        theirs = [int(value) for value in report.read().split(",")]
    os.waitpid(pid, 0)
    assert len(theirs) == 300
    assert set(mine).isdisjoint(theirs)


def test_identical_concurrent_reads_carry_different_signatures() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Signature"])
        return httpx.Response(200, json={"success": True, "data": {"balance": "1"}})

    with AllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url="https://a.test",
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    ) as client:
        for _ in range(200):
            client.balance.retrieve()
    assert len(set(seen)) == 200
