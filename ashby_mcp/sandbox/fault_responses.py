"""Responses that break the HTTP exchange: dropped connections and cut bodies.

Over a socket served by `serve()` or `serving()`, these responses act on the
connection itself. uvicorn offers no public way to reach a request's socket, so
the app looks the connection up in `server.server_state.connections` by client
address. NOTE: that set is uvicorn internals, checked against uvicorn 0.55.

Elsewhere (httpx's ASGITransport, or another server), they raise the httpx
exception a client would see over a socket. ASGITransport passes the exception
on to the caller, and other servers turn it into a 500 response.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

import anyio
import httpx
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


def _connection_transport(scope: Scope) -> asyncio.Transport | None:
    app = scope.get("app")
    server = getattr(getattr(app, "state", None), "uvicorn_server", None)
    client = scope.get("client")
    if server is None or client is None:
        return None
    for protocol in server.server_state.connections:
        if getattr(protocol, "client", None) == tuple(client):
            return protocol.transport
    return None


async def _wait_for_disconnect(receive: Receive) -> None:
    with anyio.move_on_after(5):
        while (await receive())["type"] != "http.disconnect":
            pass


class ResetConnection(Response):
    """Drops the connection with a TCP reset instead of sending a response."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = _connection_transport(scope)
        if transport is None:
            raise httpx.ReadError("[Errno 104] Connection reset by peer")
        sock: Any = transport.get_extra_info("socket")
        if sock is not None:
            # A zero linger time makes close() send RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        await _wait_for_disconnect(receive)


class TruncatedBody(Response):
    """Sends the headers of a complete JSON response, then half of the body, then closes."""

    def __init__(self, body: bytes) -> None:
        super().__init__(content=body, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        cut = len(self.body) // 2
        await send({"type": "http.response.body", "body": bytes(self.body[:cut]), "more_body": True})
        transport = _connection_transport(scope)
        if transport is None:
            raise httpx.RemoteProtocolError(
                f"peer closed connection without sending complete message body: "
                f"received {cut} bytes, expected {len(self.body)}"
            )
        transport.close()
        await _wait_for_disconnect(receive)


async def sleep_unless_disconnected(receive: Receive, seconds: float) -> bool:
    """Sleep for `seconds`, ending early when the client disconnects. Return True on disconnect."""
    disconnected = False
    async with anyio.create_task_group() as tasks:

        async def watch() -> None:
            nonlocal disconnected
            while (await receive())["type"] != "http.disconnect":
                pass
            disconnected = True
            tasks.cancel_scope.cancel()

        tasks.start_soon(watch)
        await anyio.sleep(seconds)
        tasks.cancel_scope.cancel()
    return disconnected
