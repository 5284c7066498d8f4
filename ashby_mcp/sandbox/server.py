"""Run the sandbox over HTTP with uvicorn. Logs go to stderr and nothing is written to stdout."""

from __future__ import annotations

import argparse
import copy
import logging
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import anyio
import uvicorn
from uvicorn.config import LOGGING_CONFIG

from ashby_mcp.sandbox.app import create_app
from ashby_mcp.sandbox.config import SandboxConfig
from ashby_mcp.sandbox.faults import FAULT_NAMES, Fault

logger = logging.getLogger(__name__)


def _stderr_logging_config() -> dict:
    """Return uvicorn's logging config with the access log moved from stdout to stderr."""
    config = copy.deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    return config


def _uvicorn_server(config: SandboxConfig, host: str, port: int, log_level: str) -> uvicorn.Server:
    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=_stderr_logging_config(),
            log_level=log_level,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
    )
    app.state.uvicorn_server = server
    return server


async def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the sandbox until cancelled or interrupted."""
    await _uvicorn_server(config, host, port, "info").serve()


@asynccontextmanager
async def serving(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", log_level: str = "warning"
) -> AsyncIterator[str]:
    """Serve the sandbox on a free port for the duration of the block and yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it every response after the first on a
    # kept-alive connection waited about 40 ms for the client's delayed ACK (Nagle's algorithm).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = _uvicorn_server(config or SandboxConfig(), host, port, log_level)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(server.serve, [sock])
        while not server.started:
            await anyio.sleep(0.01)
        try:
            yield f"http://{host}:{port}"
        finally:
            server.should_exit = True
    sock.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ashby_mcp.sandbox",
        description="Serve a local imitation of Airbyte's Ashby execute API over a generated dataset.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="TCP port to bind (default: 8765)")

    parser.add_argument("--seed", type=int, default=0, help="dataset seed (default: 0)")
    parser.add_argument("--candidates", type=int, default=500, help="number of candidates (default: 500)")
    parser.add_argument(
        "--applications", type=int, default=None, help="number of applications (default: twice the candidates)"
    )
    parser.add_argument("--jobs", type=int, default=40, help="number of jobs (default: 40)")

    parser.add_argument("--client-id", default=SandboxConfig.client_id, help="accepted client id")
    parser.add_argument("--client-secret", default=SandboxConfig.client_secret, help="accepted client secret")
    parser.add_argument(
        "--static-token", action="append", default=[], help="bearer token accepted without the token endpoint; repeatable"
    )
    parser.add_argument("--token-ttl", type=int, default=900, help="lifetime of issued tokens in seconds")

    parser.add_argument("--latency-ms", type=float, default=0, help="delay in ms before every execute response")
    parser.add_argument(
        "--require-organization-header",
        action="store_true",
        help="respond with 400 to execute requests without X-Organization-Id",
    )
    parser.add_argument(
        "--get-result-shape",
        choices=("record", "envelope"),
        default="record",
        help="return a get's record as is, or inside Ashby's success envelope",
    )
    parser.add_argument("--workspace-name", default="demo", help="workspace name the connector lookup matches")

    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME[:KEY=VALUE,...]",
        help="fault active for the whole run, e.g. 429:every=3,retry_after=1; repeatable. "
        f"Names: {', '.join(FAULT_NAMES)}",
    )
    parser.add_argument(
        "--enable-control",
        action="store_true",
        help="serve /_sandbox/faults, which queues faults without authentication",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        client_id=args.client_id,
        client_secret=args.client_secret,
        static_tokens=frozenset(args.static_token),
        token_ttl_seconds=args.token_ttl,
        require_organization_header=args.require_organization_header,
        seed=args.seed,
        candidates=args.candidates,
        applications=args.applications,
        jobs=args.jobs,
        latency_ms=args.latency_ms,
        get_result_shape=args.get_result_shape,
        workspace_name=args.workspace_name,
        faults=tuple(Fault.parse(spec) for spec in args.fault),
        enable_control=args.enable_control,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse command-line options and serve the sandbox until interrupted."""
    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        build_parser().error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logger.info(
        "sandbox starting on http://%s:%d with %d candidates (connector %s)",
        args.host, args.port, config.candidates, config.connector_id,
    )
    try:
        anyio.run(serve, config, args.host, args.port)
    except KeyboardInterrupt:
        logger.info("sandbox stopped by keyboard interrupt")
