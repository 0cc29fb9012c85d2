"""A user's file with two mistakes mypy --strict must catch: the types are real, not Any."""

from alliance_pay import AllianceClient, Payin, Payout
from alliance_pay.webhooks import KnownEvent


async def on_event(event: KnownEvent, record: Payin | Payout) -> None: ...


def check(client: AllianceClient) -> None:
    payout = client.payouts.retrieve("ORD-1")
    print(payout.amout)
    client.webhooks.handle(b"{}", on_event)
