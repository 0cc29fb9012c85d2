"""AllianceAuth on an httpx2 client, and the SDK over an httpx2 client of yours.

Run it with ``python httpx2_client.py``; ``ALLIANCE_BASE_URL``, ``ALLIANCE_ACCESS_KEY`` and
``ALLIANCE_SECRET_KEY`` configure it.
"""

from __future__ import annotations

import asyncio
import os

import httpx2

from alliance_pay import AllianceAuth, AsyncAllianceClient


async def main() -> None:
    auth = AllianceAuth(os.environ["ALLIANCE_ACCESS_KEY"], os.environ["ALLIANCE_SECRET_KEY"])
    async with httpx2.AsyncClient(base_url=os.environ["ALLIANCE_BASE_URL"], auth=auth) as http:
        print((await http.get("api/v1/balance")).status_code)

    # The SDK over an httpx2 client of yours: used as it is, and not closed for you.
    async with (
        httpx2.AsyncClient(timeout=20) as http,
        AsyncAllianceClient(http_client=http) as client,
    ):
        print((await client.balance.retrieve()).balance)


if __name__ == "__main__":
    asyncio.run(main())
