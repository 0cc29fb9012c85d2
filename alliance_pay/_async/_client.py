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

from alliance_pay._api_call import ApiCall
from alliance_pay._auth import GetBody
from alliance_pay._base import BaseClient
from alliance_pay._exceptions import (
    APIError,
    ClientClosedError,
    ClientUsageError,
    NotFoundError,
    OutcomeUnknownError,
)
from alliance_pay._httpx2 import (
    AsyncHttpClient,
    as_httpx_timeout,
    check_http_client,
    unsigned_auth,
)
from alliance_pay._lifecycle import AsyncWithOnly, ClientState, check_async_usage
from alliance_pay._limits import (
    BodyReader,
    BodyTooLarge,
    BodyUndecodable,
    Deadline,
    attempt_scope_async,
    check_size,
)
from alliance_pay._logging import logger, mask_body, mask_headers, setup_logging
from alliance_pay._outcome import accept_record, note_interrupted_create
from alliance_pay._retries import (
    ResolveBudget,
    backoff,
    is_ambiguous,
    is_duplicate_order_id,
    is_resendable,
    next_delay,
)
from alliance_pay._settings import (
    ASYNC_POOL_LIMITS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RESOLVE_TIMEOUT,
    check_max_response_bytes,
    check_max_retries,
    check_resolve_timeout,
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


class AsyncAllianceClient(BaseClient, AsyncWithOnly):
    """A client for the Alliance Payin & Payout API: use it in ``async with``, or ``aclose()`` it.

    Every request is signed by [`AllianceAuth`][alliance_pay.AllianceAuth]. Reads are retried on
    transient failures; creates are never re-sent blindly (see ``docs/errors.md``).

    Args:
        access_key: the access key; defaults to ``ALLIANCE_ACCESS_KEY``.
        secret_key: the secret key; defaults to ``ALLIANCE_SECRET_KEY``.
        base_url: the API URL Alliance gave you; defaults to ``ALLIANCE_BASE_URL``.
        timeout: the total seconds one attempt may take, from connecting to the last byte
            of the answer (default 30 s, 5 s of it to connect); or an ``httpx.Timeout`` to set
            each piece, the largest being the total; or, when you pass ``http_client``, its
            timeout. Over it: ``APITimeoutError`` (a create then looks its order up).
        max_retries: retries after a transient failure (default 2).
        http_client: your own ``httpx.AsyncClient`` or ``httpx2.AsyncClient``, used as is and
            not closed by this client.
        default_headers: extra headers for every request.
        get_body: the body line GET requests are signed with, ``""`` (default) or ``"{}"``;
            defaults to ``ALLIANCE_GET_BODY``, see [`AllianceAuth`][alliance_pay.AllianceAuth].
        max_response_bytes: the most bytes of decoded body read from one response (default
            4 MiB); a larger one is ``APIResponseValidationError``, not read into memory.
        resolve_timeout: how long a create whose answer was lost keeps looking its order up
            before raising ``OutcomeUnknownError`` (default 30 s).

    Raises:
        AllianceValidationError: a setting is missing or malformed.

    One client belongs to one event loop and one process: used from a second event loop it
    refuses with ``ClientUsageError`` before sending; in a forked child it opens fresh
    connections; once closed, it raises ``ClientClosedError``.

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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        resolve_timeout: float = DEFAULT_RESOLVE_TIMEOUT,
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
            max_response_bytes=max_response_bytes,
            resolve_timeout=resolve_timeout,
        )
        self._is_clone = False
        self._state: ClientState[AsyncHttpClient] = ClientState(
            http_client if http_client is not None else self._new_http_client(),
            owned=http_client is None,
        )
        self._bind_resources()

    def _new_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self._timeout, limits=ASYNC_POOL_LIMITS, follow_redirects=False
        )

    @property
    def _http_client(self) -> AsyncHttpClient:
        return self._state.http_client

    @_http_client.setter
    def _http_client(self, http_client: AsyncHttpClient) -> None:
        # A clone sending through a wrapper of the pool (bulk pacing): a state of its own,
        # which never replaces or closes the pool it wraps.
        self._state = ClientState(http_client, owned=False)

    def _ready_http_client(self) -> AsyncHttpClient:
        """The pool to send through, once the client is known usable from here."""
        state = self._state
        if check_async_usage(state, type(self).__name__):
            # A forked child: the parent's connections are not ours to use, or to close.
            state.abandoned.append(state.http_client)
            state.http_client = self._new_http_client()
        return state.http_client

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
        max_response_bytes: int | NotGiven = NOT_GIVEN,
        resolve_timeout: float | NotGiven = NOT_GIVEN,
    ) -> AsyncAllianceClient:
        """A client that shares this one's connections and keys, with other limits.

        Closing it does nothing; close the original.

        Example:
            ```python
            payout = await client.with_options(max_retries=5, timeout=10).payouts.retrieve("A1")
            ```
        """
        clone = copy.copy(self)
        clone._is_clone = True
        if not isinstance(timeout, NotGiven):
            clone._set_timeout(timeout)
        if not isinstance(max_retries, NotGiven):
            clone._max_retries = check_max_retries(max_retries)
        if not isinstance(max_response_bytes, NotGiven):
            clone._max_response_bytes = check_max_response_bytes(max_response_bytes)
        if not isinstance(resolve_timeout, NotGiven):
            clone._resolve_timeout = check_resolve_timeout(resolve_timeout)
        clone._bind_resources()
        return clone

    async def aclose(self) -> None:
        """Close the connections, unless the ``http_client`` was yours; then the client (and
        its ``with_options`` clones) refuses calls with ``ClientClosedError``.

        Closing a clone made by ``with_options`` does nothing; close the original.
        """
        if self._is_clone:
            return
        self._state.closed = True
        if self._state.closes_http_client:
            await self._state.http_client.aclose()

    async def __aenter__(self) -> AsyncAllianceClient:
        if self._state.closed:
            raise ClientClosedError(f"this {type(self).__name__} is closed: create a new client")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _attempt(self, call: ApiCall, cast_to: type[T], attempt: int) -> T:
        """Send once and read the answer; every failure is an ``APIError``.

        The whole attempt, sending and reading the body, runs against one deadline, and the
        body is decoded within ``max_response_bytes``.
        """
        http_client = self._ready_http_client()
        # Built signed (see _build_request), so it is sent with a no-op auth: httpx's auth flow
        # would cost a generator and a body read per request.
        request = self._build_request(http_client, call)
        deadline = Deadline(self._attempt_seconds)
        started = time.perf_counter()
        try:
            with attempt_scope_async(deadline, self._state):
                response = await http_client.send(
                    request,
                    auth=unsigned_auth(http_client),
                    follow_redirects=False,
                    stream=True,
                )
                try:
                    await self._receive(call, response, deadline)
                except BaseException:
                    await response.aclose()
                    raise
        except APIError as exc:  # a body too large, or that does not decode
            self._log_failure(call, started, attempt, exc)
            raise
        except Exception as exc:  # transport errors, the deadline, and what no one foresaw
            self._log_failure(call, started, attempt, exc)
            raise self._transport_error(call, exc) from exc
        if logger.isEnabledFor(logging.INFO):
            self._log_exchange(call, response, started, attempt)
        try:
            return self._parse(call, response, cast_to)
        except APIError:
            raise
        except Exception as exc:
            raise self._unreadable(call, response, exc) from exc

    async def _receive(self, call: ApiCall, response: httpx.Response, deadline: Deadline) -> None:
        """Read and decode the body into ``response.content``, within the cap and deadline."""
        try:
            if response.is_stream_consumed:  # a response made whole in memory (mock transports)
                check_size(response.content, self._max_response_bytes)
                return
            reader = BodyReader(response.headers, self._max_response_bytes)
            async for chunk in response.aiter_raw():
                reader.feed(chunk)
                del chunk  # no body bytes left in a traceback's locals
                deadline.check()
            response._content = reader.finish()
        except (BodyTooLarge, BodyUndecodable) as exc:
            problem = exc
        else:
            return
        # Raised outside the handler, so it carries no context: the reader's frames hold body
        # bytes as locals, and a traceback with locals would show them.
        raise self._body_error(call, response, problem)

    def _log_failure(self, call: ApiCall, started: float, attempt: int, exc: BaseException) -> None:
        logger.info(
            "%s /%s failed after %.0f ms (attempt %d): %s",
            call.method,
            call.path,
            (time.perf_counter() - started) * 1000,
            attempt,
            type(exc).__name__,
        )

    def _log_exchange(
        self, call: ApiCall, response: httpx.Response, started: float, attempt: int
    ) -> None:
        """The INFO line of an answered attempt (the caller checks INFO is on), and at DEBUG
        the masked headers and bodies."""
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
        operation: str,
        lookup: Callable[[str], ApiCall],
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

        Cancelled (or interrupted) once its request may have been sent, the cancellation goes
        on, with a WARNING on the ``alliance_pay`` logger and a note on the exception naming
        the order id, ``call.order_id``: the one its body was written with.
        """
        order_id = call.order_id
        if order_id is None:
            raise TypeError(f"{operation}: a create's call carries its order id")
        try:
            retries = 0
            in_doubt = False  # an earlier attempt went unanswered and may still land
            while True:
                try:
                    return await self._attempt(call, cast_to, retries + 1)
                except ClientUsageError as error:  # refused before sending this attempt
                    if in_doubt:
                        raise OutcomeUnknownError(
                            order_id=order_id,
                            operation=operation,
                            reason=f"an earlier attempt went unanswered, and then: {error}",
                        ) from error
                    raise
                except APIError as error:
                    ambiguous = is_ambiguous(error)
                    if ambiguous or (in_doubt and not is_resendable(error)):
                        # Only the order's record can say what happened: found means created. A
                        # refusal (a duplicate order id among them) proves nothing about the
                        # earlier, unanswered attempt.
                        in_doubt = True
                        result = await self._settled(
                            lookup, lookup_type, found, differences, order_id, operation
                        )
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
        except BaseException as exc:
            if not isinstance(exc, Exception):  # cancelled, KeyboardInterrupt: never swallowed
                note_interrupted_create(exc, order_id=order_id, operation=operation)
            raise

    async def _settled(
        self,
        lookup: Callable[[str], ApiCall],
        lookup_type: type[R],
        found: Callable[[R], T],
        differences: Callable[[R], Mapping[str, tuple[object, object]]],
        order_id: str,
        operation: str,
    ) -> T | None:
        """The created record if the order exists (and matches), else None."""
        # The look-up call is built only now: most creates are answered and never need it.
        record = await self._look_up(lookup(order_id), lookup_type, order_id, operation)
        return None if record is None else accept_record(record, found, differences, order_id)

    async def _look_up(
        self, call: ApiCall, cast_to: type[R], order_id: str, operation: str
    ) -> R | None:
        """The order's record, ``None`` if the API says it does not exist.

        Transient failures are retried for ``resolve_timeout`` seconds (see
        [`ResolveBudget`][alliance_pay._retries.ResolveBudget]), not a fixed number of times.
        """
        budget = ResolveBudget(self._resolve_timeout)
        attempt = 1
        while True:
            try:
                return await self._attempt(call, cast_to, attempt)
            except NotFoundError:
                return None
            except APIError as error:
                delay = budget.next_delay(error)
                if delay is None:
                    raise OutcomeUnknownError(
                        order_id=order_id,
                        operation=operation,
                        reason=f"looking the order up failed too: {error}",
                    ) from error
            except ClientUsageError as error:
                raise OutcomeUnknownError(
                    order_id=order_id,
                    operation=operation,
                    reason=f"the order could not be looked up: {error}",
                ) from error
            attempt += 1
            await anyio.sleep(delay)
