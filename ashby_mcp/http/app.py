"""The ASGI application: the MCP endpoint of one transport, and the health endpoints."""

from __future__ import annotations

from typing import Any

from mcp.server.sse import SseServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ashby_mcp.config import Settings
from ashby_mcp.errors import ConfigurationError
from ashby_mcp.http.access_log import AccessLogMiddleware
from ashby_mcp.http.drain import CountingReadStream, CountingWriteStream, CountRequests, Drain, PendingRequests
from ashby_mcp.http.options import HEALTH_PATH, READY_PATH, HTTPOptions
from ashby_mcp.http.security import BearerTokenMiddleware, transport_security
from ashby_mcp.server import AshbyServer


def credential_status(settings: Settings) -> str:
    """Return `demo`, `configured` or `missing`, never a credential's value."""
    if settings.demo:
        return "demo"
    try:
        settings.check_credentials()
    except ConfigurationError:
        return "missing"
    return "configured"


def health_routes(settings: Settings, drain: Drain) -> list[BaseRoute]:
    """Build /healthz and /readyz. Neither needs the token, checks Host, or calls the upstream."""
    credentials = credential_status(settings)

    async def healthz(request: Request) -> JSONResponse:
        if drain.draining:
            return JSONResponse({"status": "draining"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        if drain.draining:
            return JSONResponse({"status": "draining", "credentials": credentials}, status_code=503)
        if credentials == "missing":
            return JSONResponse({"status": "not ready", "credentials": credentials}, status_code=503)
        return JSONResponse({"status": "ready", "credentials": credentials})

    return [
        Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"]),
        Route(READY_PATH, readyz, methods=["GET", "HEAD"]),
    ]


def _authenticated(app: ASGIApp, options: HTTPOptions) -> ASGIApp:
    if options.http_token is None:
        return app
    return BearerTokenMiddleware(app, options.http_token)


class SSEStreamEndpoint:
    """GET endpoint of the SSE transport: one MCP session per open event stream."""

    def __init__(self, transport: SseServerTransport, ashby: AshbyServer, drain: Drain) -> None:
        self.transport = transport
        self.server = ashby.server
        self.drain = drain
        self.init_options = ashby.server.create_initialization_options()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        entered = False
        try:
            async with self.transport.connect_sse(scope, receive, send) as (read_stream, write_stream):
                entered = True
                pending = PendingRequests(self.drain)
                try:
                    with self.drain.session_scope():
                        await self.server.run(
                            CountingReadStream(read_stream, pending),
                            CountingWriteStream(write_stream, pending),
                            self.init_options,
                        )
                finally:
                    pending.clear()
        except ValueError:
            # connect_sse raises ValueError after it has sent the 421 or 403
            # response to a request that failed the Host or Origin check.
            if entered:
                raise


def _sse_routes(ashby: AshbyServer, options: HTTPOptions, drain: Drain) -> list[BaseRoute]:
    transport = SseServerTransport(
        options.sse_messages_path,
        security_settings=transport_security(options),
        max_request_body_size=options.max_request_bytes,
    )
    stream = SSEStreamEndpoint(transport, ashby, drain)
    return [
        Route(options.mcp_path, endpoint=_authenticated(stream, options), methods=["GET"]),
        Mount(options.sse_messages_path, app=_authenticated(transport.handle_post_message, options)),
    ]


def _streamable_http_routes(
    ashby: AshbyServer, options: HTTPOptions, drain: Drain
) -> tuple[list[BaseRoute], StreamableHTTPSessionManager]:
    manager = StreamableHTTPSessionManager(
        app=ashby.server,
        stateless=options.stateless,
        security_settings=transport_security(options),
        max_request_body_size=options.max_request_bytes,
    )
    endpoint = _authenticated(CountRequests(StreamableHTTPASGIApp(manager), drain), options)
    return [Route(options.mcp_path, endpoint=endpoint)], manager


def build_http_app(ashby: AshbyServer, settings: Settings, options: HTTPOptions, drain: Drain) -> Starlette:
    """Build the Starlette app for `options.transport` (sse or streamable-http).

    The caller runs its lifespan, which for streamable HTTP starts and stops the
    SDK's session manager.
    """
    routes = health_routes(settings, drain)
    lifespan: Any = None
    if options.transport == "sse":
        routes += _sse_routes(ashby, options, drain)
    elif options.transport == "streamable-http":
        mcp_routes, manager = _streamable_http_routes(ashby, options, drain)
        routes += mcp_routes
        lifespan = lambda app: manager.run()  # noqa: E731
    else:
        raise ValueError(f"build_http_app serves sse or streamable-http, not {options.transport!r}")
    return Starlette(routes=routes, middleware=[Middleware(AccessLogMiddleware)], lifespan=lifespan)
