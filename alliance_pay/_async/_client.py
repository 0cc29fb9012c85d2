"""``AsyncAllianceClient``: sends, retries and sleeps; the rest is in ``_base`` and ``_retries``."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import anyio
import httpx

from alliance_pay._auth import GetBody
from alliance_pay._base import (
    DEFAULT_MAX_RETRIES,
    ApiCall,
    BaseClient,
    check_max_retries,
    check_timeout,
)
from alliance_pay._exceptions import (
    APIError,
    NotFoundError,
    OrderIdConflictError,
    OutcomeUnknownError,
)
from alliance_pay._httpx2 import (
    AsyncHttpClient,
    as_httpx_timeout,
    check_http_client,
    request_errors,
    unsigned_auth,
)
from alliance_pay._logging import logger, mask_body, mask_headers, setup_logging
from alliance_pay._retries import (
    RESOLVE_MIN_RETRIES,
    backoff,
    is_ambiguous,
    is_duplicate_order_id,
    is_resendable,
    next_delay,
)
from alliance_pay._types import NOT_GIVEN, NotGiven, NotGivenOr, TimeoutTypes

from ._balance import AsyncBalanceResource
from ._payins import AsyncPayinsResource
from ._payouts import AsyncPayoutsResource

if TYPE_CHECKING:
    from ._webhooks import AsyncWebhooksResource

__all__ = ["AsyncAllianceClient"]

T = TypeVar("T")
R = TypeVar("R")

_LAZY_RESOURCE_LOCK = threading.Lock()

setup_logging()


class AsyncAllianceClient(BaseClient):
    """A client for the Alliance Payin & Payout API: use it in ``async with``, or ``aclose()`` it.

    Every request is signed by [`AllianceAuth`][alliance_pay.AllianceAuth]. Reads are retried on
    transient failures; creates are never re-sent blindly (see ``docs/errors.md``).

    Args:
        access_key: the access key; defaults to ``ALLIANCE_ACCESS_KEY``.
        secret_key: the secret key; defaults to ``ALLIANCE_SECRET_KEY``.
        base_url: the API URL Alliance gave you; defaults to ``ALLIANCE_BASE_URL``.
        timeout: seconds or an ``httpx.Timeout``; defaults to 30 s (5 s to connect), or
            to ``http_client``'s timeout when you pass one.
        max_retries: retries after a transient failure (default 2).
        http_client: your own ``httpx.AsyncClient`` or ``httpx2.AsyncClient``, used as is and
            not closed by this client.
        default_headers: extra headers for every request.
        get_body: the body line GET requests are signed with, ``""`` (default) or ``"{}"``;
            defaults to ``ALLIANCE_GET_BODY``, see [`AllianceAuth`][alliance_pay.AllianceAuth].

    Raises:
        AllianceValidationError: a setting is missing or malformed.

    Example:
        ```python
        async with AsyncAllianceClient(base_url="https://alliance.example/") as client:
            balance = await client.balance.retrieve()
            print(balance.balance)
        ```
    """

    balance: AsyncBalanceResource
    payins: AsyncPayinsResource
    payouts: AsyncPayoutsResource
    _webhooks: AsyncWebhooksResource | None

    def __init__(
        self,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: NotGivenOr[TimeoutTypes] = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: AsyncHttpClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        get_body: GetBody | None = None,
    ) -> None:
        if http_client is not None:
            check_http_client(http_client, httpx.AsyncClient)
        self._configure(
            access_key=access_key,
            secret_key=secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client_timeout=(
                as_httpx_timeout(http_client.timeout) if http_client is not None else None
            ),
            get_body=get_body,
        )
        self._owns_http_client = http_client is None
        self._http_client: AsyncHttpClient = http_client or httpx.AsyncClient(
            timeout=self._timeout, follow_redirects=False
        )
        self._bind_resources()

    def _bind_resources(self) -> None:
        self.balance = AsyncBalanceResource(self)
        self.payins = AsyncPayinsResource(self)
        self.payouts = AsyncPayoutsResource(self)
        self._webhooks = None

    @property
    def webhooks(self) -> AsyncWebhooksResource:
        """Confirm and handle webhook events (its modules load on first use)."""
        if self._webhooks is None:
            from ._webhooks import AsyncWebhooksResource

            # Under a lock: two threads must not each make one, as each keeps its own record of
            # the events already handled.
            with _LAZY_RESOURCE_LOCK:
                if self._webhooks is None:
                    self._webhooks = AsyncWebhooksResource(self)
        return self._webhooks

    def with_options(
        self,
        *,
        timeout: NotGivenOr[TimeoutTypes] = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncAllianceClient:
        """A client that shares this one's connections and keys, with other limits.

        Closing it does nothing; close the original.

        Example:
            ```python
            payout = await client.with_options(max_retries=5, timeout=10).payouts.retrieve("A1")
            ```
        """
        clone = copy.copy(self)
        clone._owns_http_client = False
        if not isinstance(timeout, NotGiven):
            clone._timeout = check_timeout(timeout)
        if not isinstance(max_retries, NotGiven):
            clone._max_retries = check_max_retries(max_retries)
        clone._bind_resources()
        return clone

    async def aclose(self) -> None:
        """Close the connections, unless the ``http_client`` was yours."""
        if self._owns_http_client:
            await self._http_client.aclose()

    async def __aenter__(self) -> AsyncAllianceClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _attempt(self, call: ApiCall, cast_to: type[T], attempt: int) -> T:
        """Send once and read the answer; every failure is an ``APIError``."""
        # Built signed (see _build_request), so it is sent with a no-op auth: httpx's auth flow
        # would cost a generator and a body read per request.
        request = self._build_request(self._http_client, call)
        started = time.perf_counter()
        try:
            response = await self._http_client.send(
                request, auth=unsigned_auth(self._http_client), follow_redirects=False
            )
        except request_errors() as exc:  # transport failures, and a body that will not decode
            logger.info(
                "%s /%s failed after %.0f ms (attempt %d): %s",
                call.method,
                call.path,
                (time.perf_counter() - started) * 1000,
                attempt,
                type(exc).__name__,
            )
            raise self._transport_error(call, exc) from exc
        try:
            self._log_exchange(call, response, started, attempt)
            return self._parse(call, response, cast_to)
        finally:
            await response.aclose()

    def _log_exchange(
        self, call: ApiCall, response: httpx.Response, started: float, attempt: int
    ) -> None:
        logger.info(
            "%s /%s -> %d in %.0f ms (attempt %d)",
            call.method,
            call.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            attempt,
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "request headers=%s body=%s; response body=%s",
                mask_headers(response.request.headers),
                mask_body(call.body),
                mask_body(response.content),
            )

    async def _request(
        self, call: ApiCall, cast_to: type[T], *, max_retries: int | None = None
    ) -> T:
        """Send an idempotent call, retrying transient failures with backoff."""
        budget = self._max_retries if max_retries is None else max_retries
        retries = 0
        while True:
            try:
                return await self._attempt(call, cast_to, retries + 1)
            except APIError as error:
                delay = next_delay(error, retries, budget)
                if delay is None:
                    raise
            retries += 1
            await anyio.sleep(delay)

    async def _create(
        self,
        call: ApiCall,
        cast_to: type[T],
        *,
        order_id: str,
        operation: str,
        lookup: Callable[[], ApiCall],
        lookup_type: type[R],
        found: Callable[[R], T],
        differences: Callable[[R], Mapping[str, tuple[object, object]]],
    ) -> T:
        """Send a create so that it happens at most once, and say truthfully whether it did.

        A failure that proves the create was not processed is re-sent. A failure that leaves it
        ambiguous is resolved by looking the order up (the order id is the idempotency key):
        found means created, not found means safe to send again. A duplicate-order 422 after an
        ambiguous attempt is resolved the same way. If the truth cannot be learned, the error is
        [`OutcomeUnknownError`][alliance_pay.OutcomeUnknownError], never one that looks like a
        plain failure.
        """
        retries = 0
        in_doubt = False  # an earlier attempt went unanswered and may still land

        async def settled() -> T | None:
            """The created record if the order exists (and matches), else None."""
            # Built only now: most creates are answered and never need it.
            record = await self._look_up(lookup(), lookup_type, order_id, operation)
            return None if record is None else self._accept(record, found, differences, order_id)

        while True:
            try:
                return await self._attempt(call, cast_to, retries + 1)
            except APIError as error:
                ambiguous = is_ambiguous(error)
                if ambiguous or (in_doubt and not is_resendable(error)):
                    # Only the order's record can say what happened: found means created. A
                    # refusal (a duplicate order id among them) proves nothing about the
                    # earlier, unanswered attempt.
                    in_doubt = True
                    result = await settled()
                    if result is not None:
                        return result
                    if not ambiguous:
                        reason = (
                            "the API says the order id is taken but cannot find it"
                            if is_duplicate_order_id(error)
                            else f"an earlier attempt went unanswered and the resend was "
                            f"refused ({error}); the order was not found, but the earlier "
                            "request may yet create it"
                        )
                        raise OutcomeUnknownError(
                            order_id=order_id, operation=operation, reason=reason
                        ) from error
                elif not is_resendable(error):
                    raise
                delay = backoff(error, retries, self._max_retries)
                if delay is None:
                    if in_doubt:
                        raise OutcomeUnknownError(
                            order_id=order_id,
                            operation=operation,
                            reason=f"no usable answer after {retries + 1} attempts; the order "
                            "was not found when looked up, but a request still in flight may "
                            "yet create it",
                        ) from error
                    raise
            retries += 1
            await anyio.sleep(delay)

    async def _look_up(
        self, call: ApiCall, cast_to: type[R], order_id: str, operation: str
    ) -> R | None:
        """The order's record, ``None`` if the API says it does not exist."""
        try:
            return await self._request(
                call, cast_to, max_retries=max(self._max_retries, RESOLVE_MIN_RETRIES)
            )
        except NotFoundError:
            return None
        except APIError as error:
            raise OutcomeUnknownError(
                order_id=order_id,
                operation=operation,
                reason=f"looking the order up failed too: {error}",
            ) from error

    @staticmethod
    def _accept(
        record: R,
        found: Callable[[R], T],
        differences: Callable[[R], Mapping[str, tuple[object, object]]],
        order_id: str,
    ) -> T:
        diff = differences(record)
        if diff:
            raise OrderIdConflictError(order_id=order_id, existing=record, differences=diff)
        return found(record)
