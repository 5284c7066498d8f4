"""Graceful shutdown: let in-flight MCP requests finish, then end the long-lived streams."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import anyio
import mcp_types as types
from mcp.shared.message import SessionMessage
from sse_starlette.sse import AppStatus
from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("ashby_mcp.http")

_POLL_SECONDS = 0.05


class Drain:
    """In-flight request count and long-lived stream registry of one HTTP server.

    A request counts from the moment it reaches the server until its response
    has been handed to the transport. For streamable HTTP that is the end of
    its POST, for SSE the response message written to the event stream.
    Long-lived streams (SSE sessions and the streamable-HTTP GET stream) never
    end on their own, so shutdown ends them once the count reaches zero.
    """

    def __init__(self) -> None:
        self.draining = False
        self._in_flight = 0
        self._session_scopes: set[anyio.CancelScope] = set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def request_started(self) -> None:
        self._in_flight += 1

    def request_finished(self) -> None:
        self._in_flight -= 1

    @contextmanager
    def session_scope(self) -> Iterator[anyio.CancelScope]:
        """Yield a cancel scope that `end_streams` cancels, for one SSE session's server loop."""
        scope = anyio.CancelScope()
        self._session_scopes.add(scope)
        try:
            with scope:
                yield scope
        finally:
            self._session_scopes.discard(scope)

    def begin(self) -> None:
        """Mark the server as draining, so health checks return 503 from now on."""
        self.draining = True

    async def wait_idle(self, timeout: float) -> int:
        """Wait until no request is in flight or `timeout` seconds pass, and return how many still are."""
        with anyio.move_on_after(timeout):
            while self._in_flight > 0:
                await anyio.sleep(_POLL_SECONDS)
        return self._in_flight

    def end_streams(self) -> None:
        """End every SSE session and event stream so their connections can close."""
        for scope in list(self._session_scopes):
            scope.cancel()
        # sse-starlette ends each EventSourceResponse once this flag is set (it
        # polls it every 0.5 s). The runner turns off its default of ending
        # them at the signal, which would cut off responses still being written.
        AppStatus.should_exit = True

    async def shut_down(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for in-flight requests, then end the streams."""
        self.begin()
        if self._in_flight:
            logger.info("waiting up to %g s for %d in-flight request(s)", timeout, self._in_flight)
        left = await self.wait_idle(timeout)
        if left:
            logger.warning("shutdown timeout of %g s passed, cancelling %d in-flight request(s)", timeout, left)
        self.end_streams()


class CountRequests:
    """ASGI wrapper that counts each non-GET request to the MCP endpoint as in flight until it returns.

    A streamable-HTTP POST returns once its response has been sent. GET opens
    the long-lived event stream, which carries no response to a client request
    in this server, so it is not counted.
    """

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        self.drain.request_started()
        try:
            await self.app(scope, receive, send)
        finally:
            self.drain.request_finished()


class PendingRequests:
    """Ids of the requests of one SSE session that have arrived and have no response yet."""

    def __init__(self, drain: Drain) -> None:
        self.drain = drain
        self._ids: set[Any] = set()

    def add(self, request_id: Any) -> None:
        if request_id not in self._ids:
            self._ids.add(request_id)
            self.drain.request_started()

    def discard(self, request_id: Any) -> None:
        if request_id in self._ids:
            self._ids.remove(request_id)
            self.drain.request_finished()

    def clear(self) -> None:
        for request_id in list(self._ids):
            self.discard(request_id)


class CountingReadStream:
    """Read side of an SSE session that records each incoming request as pending."""

    def __init__(self, inner: Any, pending: PendingRequests) -> None:
        self._inner = inner
        self._pending = pending

    @property
    def last_context(self) -> Any:
        # The SDK's dispatcher reads the sender's context from this attribute.
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage | Exception:
        item = await self._inner.receive()
        if isinstance(item, SessionMessage):
            message = item.message
            if isinstance(message, types.JSONRPCRequest):
                self._pending.add(message.id)
            elif isinstance(message, types.JSONRPCNotification) and message.method == "notifications/cancelled":
                # Under the MCP spec's cancellation rules a cancelled request gets no response.
                params = message.params or {}
                self._pending.discard(params.get("requestId"))
        return item

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> CountingReadStream:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    async def __aenter__(self) -> CountingReadStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class CountingWriteStream:
    """Write side of an SSE session that clears a request once its response is handed to the event stream."""

    def __init__(self, inner: Any, pending: PendingRequests) -> None:
        self._inner = inner
        self._pending = pending

    async def send(self, item: SessionMessage, /) -> None:
        await self._inner.send(item)
        message = item.message
        if isinstance(message, (types.JSONRPCResponse, types.JSONRPCError)):
            self._pending.discard(message.id)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> CountingWriteStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
