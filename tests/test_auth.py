"""AllianceAuth mounted on a user's own httpx clients, sync and async."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import pickle
from typing import Any, Literal

import httpx
import pytest

from alliance_pay import AllianceAuth, AllianceValidationError
from tests.helpers import ACCESS_KEY, SECRET_KEY, assert_signed


def _recording_client(
    auth: AllianceAuth, **kwargs: object
) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    return httpx.Client(transport=httpx.MockTransport(handler), auth=auth, **kwargs), seen  # type: ignore[arg-type]


def test_json_body_is_signed_over_the_exact_bytes_sent() -> None:
    client, seen = _recording_client(AllianceAuth(ACCESS_KEY, SECRET_KEY))
    with client:
        client.post("https://alliance.test/api/v1/payin/transactions", json={"order_id": "A/1"})
    request = seen[0]
    assert_signed(request)
    assert request.headers["Access-Key"] == ACCESS_KEY
    assert request.headers["Content-Type"] == "application/json"


def test_content_body_is_signed_and_gets_a_json_content_type() -> None:
    client, seen = _recording_client(AllianceAuth(ACCESS_KEY, SECRET_KEY))
    with client:
        client.post("https://alliance.test/api/v1/payout/initiate", content=b'{"a":1}')
    assert seen[0].content == b'{"a":1}'
    assert seen[0].headers["Content-Type"] == "application/json"
    assert_signed(seen[0])


def test_post_without_a_body_sends_and_signs_empty_object() -> None:
    client, seen = _recording_client(AllianceAuth(ACCESS_KEY, SECRET_KEY))
    with client:
        client.post("https://alliance.test/api/v1/payout/initiate")
    assert seen[0].content == b"{}"
    assert seen[0].headers["Content-Length"] == "2"
    assert_signed(seen[0])


def test_get_signs_an_empty_body_line_and_sends_no_body() -> None:
    client, seen = _recording_client(AllianceAuth(ACCESS_KEY, SECRET_KEY))
    with client:
        client.get("https://alliance.test/api/v1/balance")
    assert seen[0].content == b""
    assert "Content-Type" not in seen[0].headers
    assert_signed(seen[0])


def test_base_url_prefix_and_query_string() -> None:
    auth = AllianceAuth(ACCESS_KEY, SECRET_KEY, clock=lambda: 1_726_748_295_000)
    client, seen = _recording_client(auth, base_url="https://alliance.test/merchant-x")
    with client:
        client.get("api/v1/payout/ORD%2F1/status", params={"debug": "1"})
    request = seen[0]
    assert request.url.raw_path == b"/merchant-x/api/v1/payout/ORD%2F1/status?debug=1"
    assert_signed(request)
    # Signed over the prefix and the still-encoded id, without the query string.
    import hashlib
    import hmac

    message = b"GET\nmerchant-x/api/v1/payout/ORD%2F1/status\n\n1726748295000\n"
    expected = hmac.new(SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    assert request.headers["Signature"] == expected


def test_every_send_gets_a_fresh_timestamp_and_signature() -> None:
    ticks = itertools.count(1_700_000_000_000, 7)
    client, seen = _recording_client(
        AllianceAuth(ACCESS_KEY, SECRET_KEY, clock=lambda: next(ticks))
    )
    with client:
        client.get("https://alliance.test/api/v1/balance")
        client.get("https://alliance.test/api/v1/balance")
    assert seen[0].headers["Timestamp"] != seen[1].headers["Timestamp"]
    assert seen[0].headers["Signature"] != seen[1].headers["Signature"]
    for request in seen:
        assert_signed(request)


def test_default_clock_is_milliseconds_now() -> None:
    import time

    client, seen = _recording_client(AllianceAuth(ACCESS_KEY, SECRET_KEY))
    before = time.time_ns() // 1_000_000
    with client:
        client.get("https://alliance.test/api/v1/balance")
    after = time.time_ns() // 1_000_000
    # Bursts elsewhere in the process may have stepped the clock a few milliseconds ahead.
    assert before <= int(seen[0].headers["Timestamp"]) <= after + 1000


async def test_works_in_an_async_client_too() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    auth = AllianceAuth(ACCESS_KEY, SECRET_KEY)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        await client.post("https://alliance.test/api/v1/payout/initiate", json={"amount": 5})
        await client.put("https://alliance.test/api/v1/anything")
        await client.get("https://alliance.test/api/v1/balance")
    assert [r.content for r in seen] == [b'{"amount":5}', b"{}", b""]
    for request in seen:
        assert_signed(request)


@pytest.mark.parametrize(
    ("access_key", "secret_key", "field"),
    [
        ("", SECRET_KEY, "access_key"),
        (ACCESS_KEY, "", "secret_key"),
        (ACCESS_KEY, "   ", "secret_key"),
        (ACCESS_KEY, SECRET_KEY + "\n", "secret_key"),
        (None, SECRET_KEY, "access_key"),
    ],
)
def test_bad_keys_are_refused_at_construction(
    access_key: object, secret_key: object, field: str
) -> None:
    with pytest.raises(AllianceValidationError) as info:
        AllianceAuth(access_key, secret_key)  # type: ignore[arg-type]
    assert info.value.field == field
    assert isinstance(info.value, ValueError)
    assert SECRET_KEY not in str(info.value)


def test_repr_str_and_pickle_never_show_the_secret() -> None:
    auth = AllianceAuth(ACCESS_KEY, SECRET_KEY)
    assert SECRET_KEY not in repr(auth)
    assert SECRET_KEY not in str(auth)
    assert SECRET_KEY not in repr(vars(auth))
    with pytest.raises(TypeError):
        pickle.dumps(auth)


def test_identical_requests_in_a_burst_never_share_a_signature() -> None:
    # A server that refuses replayed signatures must accept every one of a burst.
    client, seen = _recording_client(AllianceAuth(ACCESS_KEY, SECRET_KEY))
    with client:
        for _ in range(200):
            client.get("https://alliance.test/api/v1/balance")
    assert len({request.headers["Signature"] for request in seen}) == 200
    for request in seen:
        assert_signed(request)


def test_timestamps_stay_unique_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    auth = AllianceAuth(ACCESS_KEY, SECRET_KEY)
    client, seen = _recording_client(auth)

    def burst(_: int) -> None:
        for _ in range(50):
            client.get("https://alliance.test/api/v1/balance")

    with client, ThreadPoolExecutor(4) as pool:
        list(pool.map(burst, range(4)))
    assert len({request.headers["Timestamp"] for request in seen}) == 200


PASTE_ERRORS = [
    ("   ", "must not be empty"),
    ("\t\r\n", "must not be empty"),
    (" " + ACCESS_KEY, "must not contain whitespace or control characters"),
    (ACCESS_KEY + " ", "must not contain whitespace or control characters"),
    (ACCESS_KEY + "\r\n", "must not contain whitespace or control characters"),
    ("ak\x00key", "must not contain whitespace or control characters"),
    ("ak\x1fkey", "must not contain whitespace or control characters"),  # the last C0 control
    ("ak\x7fkey", "must not contain whitespace or control characters"),  # DEL
]


@pytest.mark.parametrize("field", ["access_key", "secret_key"])
@pytest.mark.parametrize(("key", "reason"), PASTE_ERRORS, ids=repr)
def test_a_key_pasted_with_whitespace_around_it_or_a_control_character_is_refused(
    field: str, key: str, reason: str
) -> None:
    # A stray newline would sign every request wrongly and fail each with an opaque 401.
    keys = {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, field: key}
    with pytest.raises(AllianceValidationError) as info:
        AllianceAuth(**keys)
    assert info.value.field == field
    assert info.value.reason == reason


@pytest.mark.parametrize("key", ["ak live 1", "ak!key", "ak~key"], ids=repr)
def test_a_key_with_a_space_or_a_printable_character_inside_is_taken_as_given(key: str) -> None:
    # Only paste errors are refused: what a key may hold is the API's to say.
    client, seen = _recording_client(AllianceAuth(key, SECRET_KEY))
    with client:
        client.get("https://alliance.test/api/v1/balance")
    assert seen[0].headers["Access-Key"] == key


def _signed_over(request: httpx.Request, line: str) -> bool:
    """Whether the request's signature is the one over ``line`` as its body line."""
    path = request.url.raw_path.decode("ascii").split("?", 1)[0].lstrip("/")
    message = f"{request.method}\n{path}\n{line}\n{request.headers['Timestamp']}\n"
    expected = hmac.new(SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()
    return request.headers["Signature"] == expected


@pytest.mark.parametrize("get_body", ["", "{}"])
def test_a_get_is_signed_over_the_chosen_body_line_unless_it_carries_a_body(
    get_body: Literal["", "{}"],
) -> None:
    client, seen = _recording_client(AllianceAuth(ACCESS_KEY, SECRET_KEY, get_body=get_body))
    url = "https://alliance.test/api/v1/balance"
    with client:
        client.get(url)
        client.request("GET", url, content=b'{"q":1}')
        client.post(url, content=b'{"a":1}')
        client.post(url)
    plain_get, get_with_body, post, empty_post = seen
    assert plain_get.content == b""  # the line is signed, not sent
    assert _signed_over(plain_get, get_body)
    assert _signed_over(get_with_body, '{"q":1}')
    assert _signed_over(post, '{"a":1}')
    assert _signed_over(empty_post, "{}")


@pytest.mark.parametrize(
    ("kwargs", "content_type"),
    [
        ({"content": b'{"a":1}'}, "application/json"),
        ({"json": {"a": 1}}, "application/json"),
        (
            {"content": b'{"a":1}', "headers": {"Content-Type": "application/json; charset=utf-8"}},
            "application/json; charset=utf-8",
        ),
        ({"content": b"a=1", "headers": {"Content-Type": "text/plain"}}, "text/plain"),
    ],
    ids=repr,
)
def test_a_body_is_labelled_json_unless_the_request_names_its_own_content_type(
    kwargs: dict[str, Any], content_type: str
) -> None:
    client, seen = _recording_client(AllianceAuth(ACCESS_KEY, SECRET_KEY))
    with client:
        client.post("https://alliance.test/api/v1/payout/initiate", **kwargs)
    assert seen[0].headers["Content-Type"] == content_type
    assert_signed(seen[0])
