"""A user's file on httpx2: mypy --strict accepts AllianceAuth and http_client with httpx2."""

import httpx2

from alliance_pay import AllianceAuth, AsyncAllianceClient


async def main() -> None:
    auth = AllianceAuth("access", "secret")
    async with httpx2.AsyncClient(auth=auth) as http:
        await http.get("https://alliance.example/api/v1/balance")
    with httpx2.Client(auth=auth) as sync_http:
        sync_http.get("https://alliance.example/api/v1/balance")
    async with AsyncAllianceClient(
        access_key="access",
        secret_key="secret",
        base_url="https://alliance.example",
        http_client=httpx2.AsyncClient(),
    ) as client:
        reveal_type(await client.payouts.retrieve("ORD-1"))
