"""Bulk payout figures: throughput against a hand-written loop, and memory at 10k vs 100k rows.

Run: ``python -m benchmarks.bulk_bench`` (``nox -s bulk_bench``). Prints JSON:

- ``rows_per_s``: an ``AsyncBulkRun`` (journal, results file, validation included) and a plain
  ``asyncio.gather`` over ``payouts.create`` limited by a semaphore, at the same concurrency,
  against one sandbox served by another process; alternated, best of each. Goal: ratio >= 0.8.
- ``peak_rss``: peak RSS of a whole bulk run of 10k and of 100k rows, each in a fresh process,
  against an API that answers every create at once from memory it does not keep (so only the
  runner's memory is measured). Goal: ratio <= 1.2.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from alliance_pay import AsyncAllianceClient
from alliance_pay.bulk import AsyncBulkRun, BulkOptions

ACCESS, SECRET = "bench-access-key", "bench-secret-key"
CONCURRENCY = 8
FIELDS: dict[str, Any] = {
    "user_id": "seller-42",
    "amount": "100.00",
    "beneficiary_name": "Test Name",
    "beneficiary_email": "test@example.in",
    "beneficiary_mobile_no": "7878787878",
    "beneficiary_address": "NOIDA",
    "beneficiary_acc_no": "99999999999",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
}


def write_file(path: Path, count: int, prefix: str) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, ["order_id", *FIELDS])
        writer.writeheader()
        for number in range(1, count + 1):
            writer.writerow({"order_id": f"{prefix}-{number}", **FIELDS})
    return path


def start_sandbox(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    log = work / "sandbox.log"
    with open(log, "wb") as sink:  # a file, not a pipe: an unread pipe would stall the server
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "alliance_pay.cli", "sandbox", "--port", "0"),
                *("--access-key", ACCESS, "--secret-key", SECRET),
                *("--balance", "100000000000", "--payout-delay", "3600"),
            ],
            stdout=sink,
            stderr=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"listening on (http://\S+)", log.read_text())
        if found:
            return process, found.group(1)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the sandbox did not start: {log.read_text()}")


async def gather_loop(client: AsyncAllianceClient, count: int, prefix: str) -> float:
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(number: int) -> None:
        async with limit:
            await client.payouts.create(order_id=f"{prefix}-{number}", **FIELDS)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(1, count + 1)))
    return count / (time.perf_counter() - started)


async def bulk_run(client: AsyncAllianceClient, count: int, prefix: str, work: Path) -> float:
    source = write_file(work / f"{prefix}.csv", count, prefix)
    started = time.perf_counter()
    run = AsyncBulkRun(client, source, options=BulkOptions(concurrency=CONCURRENCY))
    summary = await run.run()
    assert summary.counts["created"] == count, summary.to_text()
    return count / (time.perf_counter() - started)


async def throughput(count: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        process, url = start_sandbox(Path(work))
        try:
            async with AsyncAllianceClient(
                base_url=url, access_key=ACCESS, secret_key=SECRET
            ) as client:
                loop, bulk = [], []
                for index in range(rounds):
                    loop.append(await gather_loop(client, count, f"G{index}"))
                    bulk.append(await bulk_run(client, count, f"B{index}", Path(work)))
        finally:
            process.terminate()
            process.wait()
    return {
        "rows": count,
        "concurrency": CONCURRENCY,
        "gather_rows_per_s": round(max(loop), 1),
        "bulk_rows_per_s": round(max(bulk), 1),
        "ratio": round(max(bulk) / max(loop), 3),
    }


def _fake_api(request: httpx.Request) -> httpx.Response:
    """Answers a create with the payout it describes, and keeps nothing."""
    if request.url.path.endswith("/balance"):
        data: dict[str, Any] = {"balance": "100000000000.00"}
    else:
        data = {**json.loads(request.content), "status": "Pending", "charge": "5.90"}
    body = {"error": "", "data": data, "message": "ok", "success": True}
    return httpx.Response(200, json=body)


async def measure_rss(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        source = write_file(Path(work) / "rss.csv", count, "R")
        http = httpx.AsyncClient(transport=httpx.MockTransport(_fake_api))
        async with AsyncAllianceClient(
            base_url="http://api.invalid", access_key=ACCESS, secret_key=SECRET, http_client=http
        ) as client:
            summary = await AsyncBulkRun(client, source, options=BulkOptions(concurrency=32)).run()
        await http.aclose()
    assert summary.counts["created"] == count
    return {"rows": count, "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def peak_rss(small: int, large: int) -> dict[str, Any]:
    figures = {}
    for count in (small, large):
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bulk_bench", "rss", str(count)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures[count] = json.loads(done.stdout)["peak_rss_kib"]
    return {
        "small_rows": small,
        "large_rows": large,
        "small_kib": figures[small],
        "large_kib": figures[large],
        "ratio": round(figures[large] / figures[small], 3),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["rss"]:
        print(json.dumps(asyncio.run(measure_rss(int(argv[1])))))
        return
    rows = int(os.environ.get("ALLIANCE_BENCH_ROWS", "2000"))
    small = int(os.environ.get("ALLIANCE_BENCH_RSS_SMALL", "10000"))
    large = int(os.environ.get("ALLIANCE_BENCH_RSS_LARGE", "100000"))
    report = {
        "rows_per_s": asyncio.run(throughput(rows, rounds=2)),
        "peak_rss": peak_rss(small, large),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
