"""Run the HTTP transports under uvicorn, with a graceful shutdown on SIGTERM and SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from sse_starlette.sse import AppStatus

from ashby_mcp import __version__
from ashby_mcp.config import Settings
from ashby_mcp.http.app import build_http_app
from ashby_mcp.http.drain import Drain
from ashby_mcp.http.options import HTTPOptions, check_startup

logger = logging.getLogger("ashby_mcp.http")

# After the in-flight requests finish, event streams need up to 0.5 s to see
# sse-starlette's exit flag and close. uvicorn cancels whatever is still
# running after the shutdown timeout plus this margin.
STREAM_CLOSE_MARGIN_SECONDS = 5.0
# Idle keep-alive connections stay open longer than a proxy keeps its idle
# upstream connections (nginx's upstream keepalive_timeout defaults to 60 s
# since 1.15.3). Otherwise the proxy may send a POST on a connection the server
# has just closed, and nginx does not resend a POST to another replica unless
# proxy_next_upstream lists non_idempotent.
KEEP_ALIVE_SECONDS = 75


class DrainingServer(uvicorn.Server):
    """uvicorn's server, with the drain started alongside its own connection shutdown.

    uvicorn stops accepting, closes idle connections and waits for the open
    ones. Event streams never end by themselves, so the drain ends them once
    no MCP request is in flight or the shutdown timeout passes.

    NOTE: `startup`, `shutdown` and `servers` are uvicorn internals, not
    documented API; this was written against uvicorn 0.55.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        drain: Drain,
        shutdown_timeout: float,
        on_started: Callable[[list[tuple[str, int]]], None],
    ) -> None:
        super().__init__(config)
        self.drain = drain
        self.shutdown_timeout = shutdown_timeout
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            addresses = [sock.getsockname()[:2] for server in self.servers for sock in server.sockets]
            self.on_started(addresses)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        logger.info("shutting down with %d request(s) in flight, refusing new connections", self.drain.in_flight)
        drainer = asyncio.ensure_future(self.drain.shut_down(self.shutdown_timeout))
        try:
            await super().shutdown(sockets)
        finally:
            if not drainer.done():
                drainer.cancel()


@contextmanager
def exit_zero_on_signal() -> Iterator[None]:
    """Let a SIGTERM or SIGINT that uvicorn handled end the process with status 0.

    After a graceful shutdown, uvicorn restores the handlers it found and raises
    the signal again, which with the default handlers kills the process
    (SIGTERM) or raises KeyboardInterrupt (SIGINT). The handlers installed here
    ignore that second delivery; the previous ones are restored afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ignore(signum: int, frame: Any) -> None:
        logger.debug("signal %d received after shutdown started; ignored", signum)

    previous = {sig: signal.signal(sig, ignore) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


async def serve_http(settings: Settings, options: HTTPOptions) -> None:
    """Serve MCP over `options.transport` until SIGTERM or SIGINT, then drain and close the upstream client."""
    from ashby_mcp.backends import create_backend
    from ashby_mcp.server import DEMO_NOTICE, create_server

    for warning in check_startup(options):
        logger.warning("%s", warning)
    # The drain decides when event streams end. sse-starlette would otherwise
    # end them at the signal, cutting off responses that are still being written.
    AppStatus.disable_automatic_graceful_drain()

    ashby = create_server(settings, create_backend(settings))
    if settings.demo:
        logger.warning("%s", DEMO_NOTICE)
    drain = Drain()
    mode = " (stateless)" if options.stateless else ""
    auth = "bearer token required" if options.http_token else "no authentication"

    def announce(addresses: list[tuple[str, int]]) -> None:
        for host, port in addresses:
            logger.info(
                "ashby-mcp %s serving MCP over %s%s at http://%s:%d%s with %d tools; %s",
                __version__,
                options.transport,
                mode,
                _url_host(host),
                port,
                options.mcp_path,
                len(ashby.runner.specs),
                auth,
            )

    config = uvicorn.Config(
        build_http_app(ashby, settings, options, drain),
        host=options.host,
        port=options.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        ws="none",
        lifespan="on",
        timeout_graceful_shutdown=int(options.shutdown_timeout + STREAM_CLOSE_MARGIN_SECONDS),
    )
    server = DrainingServer(config, drain, options.shutdown_timeout, announce)
    try:
        with exit_zero_on_signal():
            await server.serve()
    finally:
        await ashby.aclose()
    logger.info("ashby-mcp stopped")
