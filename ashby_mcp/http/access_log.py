"""One log line per HTTP request: method, path, status, duration and client address."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ashby_mcp.http.security import REJECT_REASON_KEY

logger = logging.getLogger("ashby_mcp.http.access")

MAX_LOGGED_PATH_CHARS = 200
MAX_LOGGED_CLIENT_CHARS = 64


def _printable(text: str, limit: int) -> str:
    text = "".join(char if char.isprintable() else "?" for char in text)
    return text[:limit] + "..." if len(text) > limit else text


def _logged_path(scope: Scope) -> str:
    """Return the request path as the client sent it, without the query string.

    `raw_path` keeps percent-escapes, so an encoded newline cannot break the
    line. The query is left out because SSE puts the session id there.
    """
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else scope.get("path", "")
    return _printable(path.split("?", 1)[0], MAX_LOGGED_PATH_CHARS)


def _client(scope: Scope) -> str:
    """Return the client address. Behind a trusted proxy uvicorn takes it from X-Forwarded-For, so it is cleaned too."""
    client = scope.get("client")
    if not client:
        return "-"
    host, port = str(client[0]), client[1]
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return _printable(address, MAX_LOGGED_CLIENT_CHARS)


class AccessLogMiddleware:
    """Log each HTTP request when its response ends, at INFO on `ashby_mcp.http.access`.

    The line never contains a header value or the query string. A streamed
    response (an SSE stream) is logged when it closes, so its duration is the
    stream's lifetime. Status `-` means the client left before any response.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        status: int | None = None

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        except Exception:
            # uvicorn sends the 500 response for an unhandled exception itself, bypassing this send.
            if status is None:
                status = 500
            raise
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            reason = scope.get(REJECT_REASON_KEY)
            logger.info(
                "%s %s %s %.1fms %s%s",
                scope.get("method", "-"),
                _logged_path(scope),
                status if status is not None else "-",
                elapsed_ms,
                _client(scope),
                f" ({reason})" if reason else "",
            )
