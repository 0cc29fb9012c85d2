"""The input rules a payout must pass before any money moves, pinned at their boundaries.

Each rule is driven through the public client: a refused value raises
``AllianceValidationError`` naming the field and sends nothing (``respx_mock`` has no route, so
any request would fail the test); an accepted value reaches the wire as given.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import respx

from alliance_pay import (
    AllianceValidationError,
    APIStatusError,
    AsyncAllianceClient,
    BadRequestError,
    DuplicateOrderIdError,
    UnprocessableEntityError,
)
from tests.helpers import BASE_URL, PAYIN, PAYOUT_ARGS, PAYOUT_CREATED, envelope, sent_json

CREATE = f"{BASE_URL}/api/v1/payout/initiate"

#: Ids that are, or hold, a dot segment however it is spelt: a server or proxy that decodes
#: ``%2F`` (or treats ``\`` as ``/``) would resolve them to another endpoint.
DOT_SEGMENT_IDS = [
    ".",
    "..",
    " .. ",
    " . ",
    "..  ",
    "   .",
    "../status",
    "a/../b",
    "a/./b",
    "x/..",
    "a/ .. /b",
    "a\\..\\b",
    "..\\x",
    "x\\..",
    "a\\ . \\b",
    "a/b\\..",
]
#: Control characters, DEL among them, at the ends of the range and inside an id.
CONTROL_IDS = ["\x00", "A\x01B", "A\x1fB", "A\x7fB", "\x7f", "A\tB", "A\nB", "A\rB", "ORD-1\n"]
#: Ids that look dangerous but cannot leave their segment once percent-encoded: they are
#: sent, and the server's one decoding gives back exactly the id.
INERT_IDS = [
    "%2e%2e",
    "%2E%2E",
    ".%2e",
    "%252e%252e",
    "...",
    ".a",
    "a.",
    "a..b",
    "ORD/1",
    "a?b#c",
    "100%",
    "A B",
    "A~B",
    "\uff0e\uff0e",  # fullwidth full stops
    "\u2025",  # two dot leader
    "ü/\u200b..",  # a zero-width space keeps ".." from being a segment
]


def payout_args(**changes: object) -> dict[str, Any]:
    return {**PAYOUT_ARGS, **changes}


async def refused(client: AsyncAllianceClient, field: str, **changes: object) -> str:
    """Create a payout with ``changes``; assert it is refused naming ``field``; the reason."""
    with pytest.raises(AllianceValidationError) as info:
        await client.payouts.create(**payout_args(**changes))
    assert info.value.field == field
    return info.value.reason


async def accepted(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, **changes: object
) -> dict[str, Any]:
    """Create a payout with ``changes``; assert it is sent; the JSON body that was sent."""
    args = payout_args(**changes)
    route = respx_mock.post(CREATE).respond(
        201, json=envelope({**PAYOUT_CREATED, "order_id": args["order_id"]})
    )
    await client.payouts.create(**args)
    assert route.call_count == 1
    body: dict[str, Any] = sent_json(route.calls.last.request)
    return body


# -- order ids in paths ------------------------------------------------------------------------


@pytest.mark.parametrize("order_id", DOT_SEGMENT_IDS + CONTROL_IDS + ["", "   "], ids=repr)
async def test_an_order_id_that_could_leave_its_path_segment_is_refused_before_any_request(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, order_id: str
) -> None:
    with pytest.raises(AllianceValidationError) as info:
        await client.payouts.retrieve(order_id)
    assert info.value.field == "order_id"
    await refused(client, "order_id", order_id=order_id)


@pytest.mark.parametrize("order_id", INERT_IDS, ids=repr)
async def test_an_order_id_is_sent_as_exactly_one_path_segment_that_decodes_to_itself(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, order_id: str
) -> None:
    route = respx_mock.route(method="GET").respond(
        200, json=envelope({**PAYOUT_CREATED, "order_id": order_id})
    )
    await client.payouts.retrieve(order_id)
    raw = route.calls.last.request.url.raw_path.decode("ascii")
    prefix, segment, suffix = raw.rsplit("/", 2)
    assert prefix.endswith("/api/v1/payout")
    assert suffix == "status"
    assert unquote(segment) == order_id
    assert unquote(segment).strip() not in {".", ".."}
    assert "/" not in segment
    assert "\\" not in segment


@pytest.mark.parametrize("order_id", ["a.b", "A B", "ORD/2026/11", "x" * 200], ids=repr)
async def test_an_ordinary_order_id_is_accepted_for_a_payout(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, order_id: str
) -> None:
    body = await accepted(client, respx_mock, order_id=order_id)
    assert body["order_id"] == order_id


@pytest.mark.parametrize("order_id", [123, None, b"ORD-1"], ids=repr)
async def test_an_order_id_must_be_a_string(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, order_id: object
) -> None:
    await refused(client, "order_id", order_id=order_id)


# -- the other payout fields -------------------------------------------------------------------

#: The fields a payout requires as strings (the mobile number may also be an int).
REQUIRED_STRINGS = (
    "beneficiary_name",
    "beneficiary_email",
    "beneficiary_address",
    "payment_method",
    "beneficiary_acc_no",
    "bank_name",
    "ifsc",
    "user_id",
)


@pytest.mark.parametrize("field", [*REQUIRED_STRINGS, "beneficiary_mobile_no"])
@pytest.mark.parametrize("value", ["", " ", "   ", "\t", None], ids=repr)
async def test_a_required_payout_field_that_is_blank_or_null_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, field: str, value: object
) -> None:
    await refused(client, field, **{field: value})


@pytest.mark.parametrize("field", REQUIRED_STRINGS)
@pytest.mark.parametrize("value", [123, 1.5, True, ["x"], {"x": 1}], ids=repr)
async def test_a_payout_field_the_api_takes_as_a_string_refuses_any_other_type(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, field: str, value: object
) -> None:
    await refused(client, field, **{field: value})


@pytest.mark.parametrize("mobile", ["7878787878", 7878787878, "x"], ids=repr)
async def test_a_mobile_number_may_be_a_string_or_an_int_and_is_sent_as_its_digits(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, mobile: object
) -> None:
    body = await accepted(client, respx_mock, beneficiary_mobile_no=mobile)
    assert body["beneficiary_mobile_no"] == str(mobile)


@pytest.mark.parametrize("mobile", [True, False, 78.5, Decimal("7878787878"), [7878787878]])
async def test_a_mobile_number_of_any_other_type_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, mobile: object
) -> None:
    await refused(client, "beneficiary_mobile_no", beneficiary_mobile_no=mobile)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("beneficiary_email", "a@b.co junk"),
        ("beneficiary_email", "not-an-email"),
        ("beneficiary_mobile_no", "5999999999"),
        ("beneficiary_mobile_no", "+91 78787 87878"),
        ("beneficiary_acc_no", "12345"),
        ("beneficiary_acc_no", "9" * 60),
        ("ifsc", "sbin0060589"),
        ("ifsc", "SBIN1060589"),
        ("payment_method", "UPI"),
        ("remarks", "  "),
    ],
    ids=repr,
)
async def test_a_format_the_documentation_does_not_give_is_not_invented(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, field: str, value: str
) -> None:
    # The rules table checks only what the provider documents (or a payment cannot do
    # without); the API is the judge of the rest, and the sandbox mirrors that.
    body = await accepted(client, respx_mock, **{field: value})
    assert body[field] == value


@pytest.mark.parametrize("remarks", [None, "", "paid for order 7"], ids=repr)
async def test_remarks_are_optional_text(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, remarks: object
) -> None:
    body = await accepted(client, respx_mock, remarks=remarks)
    assert body["remarks"] == remarks


@pytest.mark.parametrize("remarks", [5, True, ["x"]], ids=repr)
async def test_remarks_that_are_not_text_are_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, remarks: object
) -> None:
    await refused(client, "remarks", remarks=remarks)


async def test_every_refused_field_is_named_at_once_and_nothing_is_sent(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    with pytest.raises(AllianceValidationError) as info:
        await client.payouts.create(**payout_args(amount="0", ifsc="", order_id=".."))
    assert set(info.value.errors) == {"amount", "ifsc", "order_id"}
    assert info.value.field == "ifsc"  # the first in the documented order


# -- the amount --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "sent"),
    [
        ("0.01", "0.01"),  # the smallest amount: one paisa
        ("100.10", "100.1"),
        ("0.010", "0.01"),  # trailing zeros past the paisa are no fraction of one
        ("100.1000", "100.1"),
        ("5.00000", "5"),
        (Decimal("100.50"), "100.5"),
        (100, "100"),
        ("1e2", "100"),
        (0.1, "0.1"),
        ("99999999999.99", "99999999999.99"),  # the largest
    ],
    ids=repr,
)
async def test_an_amount_in_whole_paise_up_to_the_limit_is_sent_exactly(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, amount: object, sent: str
) -> None:
    route = respx_mock.post(CREATE).respond(201, json=envelope(PAYOUT_CREATED))
    await client.payouts.create(**payout_args(amount=amount))
    assert f'"amount":{sent},' in route.calls.last.request.content.decode()


@pytest.mark.parametrize(
    "amount",
    [
        "0",
        "0.00",
        "-0.01",
        "-100",
        "0.001",  # a tenth of a paisa
        "0.0010",  # trailing zeros do not make it whole paise
        "0.00100",
        "100.0050",
        "100.005",
        "0.009",
        0.1 + 0.2,  # 0.30000000000000004
        "100000000000",  # 1e11: one paisa past the limit and more
        "99999999999.999",
        "1e11",
        "NaN",
        "Infinity",
        float("inf"),
        True,
        "",
        "12,50",
        None,
    ],
    ids=repr,
)
async def test_an_amount_that_is_not_positive_whole_paise_below_the_limit_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, amount: object
) -> None:
    await refused(client, "amount", amount=amount)


# -- recognising a duplicate order id ----------------------------------------------------------


def unprocessable(body: object) -> httpx.Response:
    return httpx.Response(422, json=body)


@pytest.mark.parametrize(
    "message",
    [
        "The order id has already been taken.",
        "The order id is taken.",  # each keyword alone
        "This order id was already submitted.",
        "Duplicate entry.",
        "An order with this id exists.",
        "The order id must be unique.",
        "This order id has been used.",
        "DUPLICATE ORDER ID",
    ],
)
async def test_a_422_on_the_order_id_field_saying_it_is_taken_is_a_duplicate_order(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, message: str
) -> None:
    respx_mock.post(CREATE).mock(
        return_value=unprocessable({"message": "invalid", "errors": {"order_id": [message]}})
    )
    with pytest.raises(DuplicateOrderIdError):
        await client.payouts.create(**PAYOUT_ARGS)


@pytest.mark.parametrize(
    "message",
    [
        "Order id already exists",
        "Duplicate order",
        "This order was used before",
        "order_id must be unique",
        "The ORDER has been taken",
    ],
)
async def test_a_422_message_naming_the_order_and_saying_it_is_taken_is_a_duplicate_order(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, message: str
) -> None:
    respx_mock.post(CREATE).mock(return_value=unprocessable({"message": message}))
    with pytest.raises(DuplicateOrderIdError):
        await client.payouts.create(**PAYOUT_ARGS)


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Duplicate request"},  # does not name the order
        {"message": "Amount already exceeds the limit"},
        {"message": "This account has been used too often"},
        {"message": "Order id is invalid"},  # names the order, says nothing is taken
        {"message": "The given data was invalid."},
        {"message": "", "error": "Duplicate request"},
        # Per-field errors present: only the order_id field can say the id is taken.
        {"message": "order id already taken", "errors": {"ifsc": ["The ifsc is invalid."]}},
        {"message": "invalid", "errors": {"ifsc": ["The ifsc has already been taken."]}},
        {"message": "invalid", "errors": {"order_id": ["The order id must be a string."]}},
        {"message": "invalid", "errors": {"order_id": ["Too long: at most 64 characters."]}},
    ],
    ids=repr,
)
async def test_a_422_that_does_not_say_the_order_id_is_taken_is_not_a_duplicate(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, body: dict[str, object]
) -> None:
    respx_mock.post(CREATE).mock(return_value=unprocessable(body))
    with pytest.raises(UnprocessableEntityError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    assert not isinstance(info.value, DuplicateOrderIdError)


@pytest.mark.parametrize(("code", "kind"), [(400, BadRequestError), (409, APIStatusError)])
async def test_only_a_422_can_be_a_duplicate_order(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    code: int,
    kind: type[APIStatusError],
) -> None:
    body = {"message": "Duplicate order id", "errors": {"order_id": ["already taken"]}}
    respx_mock.post(CREATE).respond(code, json=body)
    with pytest.raises(kind) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    assert not isinstance(info.value, UnprocessableEntityError)
    assert info.value.status_code == code


# -- payins ------------------------------------------------------------------------------------

LINK = {
    "user_id": "a42332-2fs-q341-d36d34",
    "order_id": "PAYIN-1",
    "amount": "100",
    "redirect_url": "https://shop.example.in/after",
}


async def link_refused(client: AsyncAllianceClient, field: str, **changes: object) -> None:
    with pytest.raises(AllianceValidationError) as info:
        await client.payins.create_link(**{**LINK, **changes})
    assert info.value.field == field


@pytest.mark.parametrize(
    "url",
    [
        "ftp://shop.example.in/",
        "//shop.example.in/",
        "/after",
        "http://",
        "https://shop example.in/",
        "https://shop.example.in/\n",
        "javascript:alert(1)",
        "http://[::1",  # a URL that cannot even be split
        "https://[bad/x",
        "shop.example.in",
        "",
    ],
    ids=repr,
)
async def test_a_payin_redirect_that_is_not_an_absolute_http_url_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, url: str
) -> None:
    await link_refused(client, "redirect_url", redirect_url=url)


@pytest.mark.parametrize("method", ["upi", " UPI", "IMPS", "", None], ids=repr)
async def test_a_payin_method_other_than_upi_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, method: object
) -> None:
    await link_refused(client, "method", method=method)


@pytest.mark.parametrize("order_id", [*CONTROL_IDS, "", "  "], ids=repr)
async def test_a_payin_order_id_with_control_characters_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, order_id: str
) -> None:
    await link_refused(client, "order_id", order_id=order_id)
    with pytest.raises(AllianceValidationError):
        await client.payins.retrieve(order_id)


@pytest.mark.parametrize("order_id", ["..", "a/../b", "a\\..\\b"], ids=repr)
async def test_a_payin_order_id_travels_in_the_body_so_dot_segments_are_allowed(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, order_id: str
) -> None:
    route = respx_mock.post(f"{BASE_URL}/api/v1/payin/transactions").respond(
        200, json=envelope({**PAYIN, "order_id": order_id})
    )
    payin = await client.payins.retrieve(order_id)
    assert payin.order_id == order_id
    assert sent_json(route.calls.last.request) == {"order_id": order_id}


@pytest.mark.parametrize("amount", ["0", "0.001", "1e11", True], ids=repr)
async def test_a_payin_amount_follows_the_payout_amount_rules(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, amount: object
) -> None:
    await link_refused(client, "amount", amount=amount)


@pytest.mark.parametrize(
    "redirect_url",
    ["http://test.com", "https://shop.example.in/after?order=PAYIN-1#top", "HTTPS://SHOP.IN"],
)
async def test_a_valid_payin_link_is_sent_with_each_field_as_given(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, redirect_url: str
) -> None:
    route = respx_mock.post(f"{BASE_URL}/api/v1/payin/generate/link").respond(
        201, json=envelope({"pay_url": "https://pay.alliance.test/p/1", "order_id": "PAYIN-1"})
    )
    await client.payins.create_link(**{**LINK, "redirect_url": redirect_url})
    assert sent_json(route.calls.last.request) == {
        "user_id": LINK["user_id"],
        "order_id": "PAYIN-1",
        "amount": 100,
        "method": "UPI",
        "redirect_url": redirect_url,
    }
