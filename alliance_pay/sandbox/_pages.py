"""The hosted payment page a ``pay_url`` serves: plain HTML forms, no JavaScript.

These routes are not signed: the customer's browser opens them, not the merchant's server.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse

from alliance_pay.sandbox._state import APPROVED, PayinNotPending, UnknownOrder
from alliance_pay.sandbox._wire import raw_path, raw_segment

if TYPE_CHECKING:
    from alliance_pay.sandbox._sandbox import Sandbox

__all__ = ["PayPages", "nginx_error_page", "not_found_page"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}"
    "button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem 0;width:100%}"
    ".fail{background:#fee}dt{font-weight:bold}"
)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n"
        f"<body>\n<h1>{escape(title)}</h1>\n{body}\n"
        "<p><small>Alliance sandbox: no real money moves.</small></p>\n</body></html>\n"
    )


def not_found_page() -> HTMLResponse:
    """The page for a payment link that does not exist."""
    body = "<p>This payment link does not exist.</p>"
    return HTMLResponse(_page("Payment link not found", body), status_code=404)


def nginx_error_page(status_code: int, reason: str) -> str:
    """An error page shaped like the one nginx sends when the upstream fails."""
    title = f"{status_code} {reason}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


class PayPages:
    """``GET /pay/{order_id}`` shows the payment form; ``POST`` confirms or fails the payin.

    The form posts ``action=confirm`` ("Confirm Payment") or ``action=fail`` ("Fail Payment"),
    as any browser would, and the answer is a result page linking to the merchant's
    ``redirect_url``.

    Examples:
        >>> from alliance_pay.sandbox import Sandbox
        >>> pages = PayPages(Sandbox())
    """

    marker = "/pay/"

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    async def show(self, request: Request) -> HTMLResponse:
        """The payment page, or the result page once the payin is settled."""
        order_id = raw_segment(request.scope, self.marker)
        payin = None if order_id is None else self._sandbox.ledger.payins.get(order_id)
        if payin is None:
            return not_found_page()
        if payin.status != "Pending":
            return self._result(payin.order_id)
        action = escape(raw_path(request.scope))
        amount = escape(f"{payin.amount:.2f}")
        body = (
            "<dl>"
            f"<dt>Order</dt><dd>{escape(payin.order_id)}</dd>"
            f"<dt>Amount</dt><dd>&#8377; {amount}</dd>"
            "<dt>Method</dt><dd>UPI</dd></dl>\n"
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="action" value="confirm">'
            '<button type="submit">Confirm Payment</button></form>\n'
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="action" value="fail">'
            '<button type="submit" class="fail">Fail Payment</button></form>'
        )
        return HTMLResponse(_page("Pay with UPI", body))

    async def submit(self, request: Request) -> HTMLResponse:
        """Apply the customer's choice and show the result."""
        order_id = raw_segment(request.scope, self.marker)
        if order_id is None:
            return not_found_page()
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        action = form.get("action", [""])[0]
        if action not in ("confirm", "fail"):
            body = "<p>Choose Confirm Payment or Fail Payment.</p>"
            return HTMLResponse(_page("Unknown action", body), status_code=400)
        try:
            self._sandbox.ledger.complete_payin(order_id, approve=action == "confirm")
        except UnknownOrder:
            return not_found_page()
        except PayinNotPending:
            return self._result(order_id, status_code=409)
        return self._result(order_id)

    def _result(self, order_id: str, status_code: int = 200) -> HTMLResponse:
        payin = self._sandbox.ledger.payins[order_id]
        title = "Payment successful" if payin.status == APPROVED else "Payment failed"
        reference = (
            f"<p>UPI reference: {escape(payin.transaction_id)}</p>" if payin.transaction_id else ""
        )
        body = (
            f"<p>Order {escape(payin.order_id)} is {escape(payin.status)}.</p>{reference}\n"
            f'<p><a href="{escape(payin.redirect_url)}">Return to the merchant</a></p>'
        )
        return HTMLResponse(_page(title, body), status_code=status_code)
