"""Command-line interface: `ashby-mcp serve | tools | call | check | sandbox`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from typing import Any

from ashby_mcp import __version__

logger = logging.getLogger("ashby_mcp")

# CLI flag -> Settings field. Secrets have no flag so they stay out of process listings.
_SETTING_FLAGS: dict[str, tuple[str, type, str]] = {
    "--api-url": ("api_url", str, "Airbyte API base URL (AIRBYTE_API_URL)"),
    "--connector-id": ("connector_id", str, "Ashby connector id (AIRBYTE_CONNECTOR_ID)"),
    "--workspace-name": ("workspace_name", str, "look up the connector in this workspace (AIRBYTE_WORKSPACE_NAME)"),
    "--organization-id": ("organization_id", str, "sent as X-Organization-Id (AIRBYTE_ORGANIZATION_ID)"),
    "--client-id": ("client_id", str, "Airbyte client id (AIRBYTE_CLIENT_ID); the secret is env-only"),
    "--tool-prefix": ("tool_prefix", str, "prefix for every tool name (ASHBY_MCP_TOOL_PREFIX)"),
    "--tools": ("tools", str, "expose only these entities or tools, comma-separated (ASHBY_MCP_TOOLS)"),
    "--page-size": ("page_size", int, "records per page when a call sets no limit, 1-100 (ASHBY_MCP_PAGE_SIZE)"),
    "--max-result-bytes": ("max_result_bytes", int, "byte budget of one tool result (ASHBY_MCP_MAX_RESULT_BYTES)"),
    "--max-string-chars": (
        "max_string_chars",
        int,
        "list results cut longer strings to this many characters (ASHBY_MCP_MAX_STRING_CHARS)",
    ),
    "--call-deadline": ("call_deadline", float, "seconds one call may spend upstream (ASHBY_MCP_CALL_DEADLINE)"),
    "--log-level": ("log_level", str, "DEBUG, INFO, WARNING or ERROR (ASHBY_MCP_LOG_LEVEL)"),
}


def _add_setting_flags(parser: argparse.ArgumentParser, *, demo: bool) -> None:
    group = parser.add_argument_group("settings (each overrides its environment variable)")
    for flag, (dest, kind, help_text) in _SETTING_FLAGS.items():
        group.add_argument(flag, dest=dest, type=kind, default=None, help=help_text)
    if demo:
        parser.add_argument(
            "--demo",
            action="store_true",
            default=None,
            help="serve the built-in sample data instead of a real Ashby account (ASHBY_MCP_DEMO)",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ashby-mcp",
        description="MCP server with read access to the Ashby applicant-tracking system.",
    )
    parser.add_argument("--version", action="version", version=f"ashby-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve MCP over stdio, SSE or streamable HTTP (the default command)")
    _add_setting_flags(serve, demo=True)
    from ashby_mcp.http.options import add_http_flags

    add_http_flags(serve)

    tools = commands.add_parser("tools", help="print the tool catalog")
    tools.add_argument("--json", action="store_true", help="print the tools/list entries as JSON")
    tools.add_argument("--markdown", action="store_true", help="print the README's tools table")
    _add_setting_flags(tools, demo=False)

    call = commands.add_parser("call", help="call one tool through an MCP client session and print the result")
    call.add_argument("tool", help="tool name, e.g. candidates_list")
    call.add_argument("arguments", nargs="?", default="{}", help="tool arguments as a JSON object")
    _add_setting_flags(call, demo=True)

    check = commands.add_parser("check", help="verify credentials with one cheap upstream call")
    _add_setting_flags(check, demo=True)

    sandbox = commands.add_parser("sandbox", help="serve the sample-data execute API on 127.0.0.1")
    sandbox.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    sandbox.add_argument("--candidates", type=int, default=None, help="number of candidates to generate")
    sandbox.add_argument("--latency-ms", type=float, default=0.0, help="milliseconds of delay added to every execute response")
    return parser


def load_settings(args: argparse.Namespace) -> Any:
    """Build Settings from the environment, with CLI flags taking precedence."""
    from pydantic import ValidationError

    from ashby_mcp.config import Settings
    from ashby_mcp.errors import ConfigurationError

    overrides = {dest: getattr(args, dest) for dest, _, _ in _SETTING_FLAGS.values() if getattr(args, dest, None)}
    if getattr(args, "demo", None):
        overrides["demo"] = True
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"Invalid settings: {problems}") from None


def configure_logging(level: str) -> None:
    """Log to stderr: in stdio mode stdout carries the protocol."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; the upstream logger already records each call.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("httpcore").setLevel(max(logging.INFO, logging.getLevelName(level)))


async def _serve(settings: Any) -> None:
    from ashby_mcp.backends import create_backend
    from ashby_mcp.server import DEMO_NOTICE, create_server, serve_stdio

    app = create_server(settings, create_backend(settings))
    if settings.demo:
        logger.warning("%s", DEMO_NOTICE)
    logger.info("ashby-mcp %s serving over stdio with %d tools", __version__, len(app.runner.specs))
    try:
        await serve_stdio(app)
    finally:
        await app.aclose()


async def _call(settings: Any, tool: str, arguments: dict[str, Any]) -> int:
    from mcp import Client

    from ashby_mcp.backends import create_backend
    from ashby_mcp.server import DEMO_NOTICE, create_server

    app = create_server(settings, create_backend(settings))
    if settings.demo:
        print(DEMO_NOTICE, file=sys.stderr)
    from mcp.shared.exceptions import MCPError

    try:
        async with Client(app.server) as client:
            result = await client.call_tool(tool, arguments)
    except MCPError as exc:
        print(f"ashby-mcp: {exc}", file=sys.stderr)
        return 2
    finally:
        await app.aclose()
    if result.is_error:
        text = "\n".join(block.text for block in result.content if block.type == "text")
        print(text, file=sys.stderr)
        return 1
    print(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
    return 0


async def _check(settings: Any) -> int:
    from ashby_mcp.backends import create_backend

    backend = create_backend(settings)
    started = time.monotonic()
    try:
        page = await backend.list("users", {"limit": 1})
    finally:
        await backend.aclose()
    elapsed = (time.monotonic() - started) * 1000
    source = "the built-in sandbox" if settings.demo else settings.api_url
    print(f"OK: {source} answered users list in {elapsed:.0f} ms ({len(page.records)} record).")
    return 0


def _print_tools(settings: Any, style: str) -> None:
    from ashby_mcp.tools import build_tool_specs

    specs = build_tool_specs(settings)
    if style == "json":
        tools = [spec.to_mcp().model_dump(by_alias=True, exclude_none=True) for spec in specs]
        print(json.dumps(tools, indent=2))
        return
    if style == "markdown":
        print("| tool | arguments (* required) | description |")
        print("|---|---|---|")
        for spec in specs:
            print(f"| `{spec.name}` | {_argument_list(spec, '`')} | {spec.description} |")
        return
    width = max(len(spec.name) for spec in specs)
    for spec in specs:
        print(f"{spec.name:<{width}}  ({_argument_list(spec, '')})")
    print(f"\n{len(specs)} tools; * marks a required argument.")


def _argument_list(spec: Any, quote: str) -> str:
    required = set(spec.input_schema.get("required", []))
    return ", ".join(f"{quote}{name}{quote}{'*' if name in required else ''}" for name in spec.input_schema["properties"])


def main(argv: Sequence[str] | None = None) -> int:
    import anyio

    from ashby_mcp.errors import AshbyMCPError, ConfigurationError

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["serve", *argv]  # serve is the default command
    args = parser.parse_args(argv)
    command = args.command

    if command == "sandbox":
        from ashby_mcp.sandbox import main as sandbox_main

        sandbox_argv = ["--host", args.host, "--port", str(args.port), "--latency-ms", str(args.latency_ms)]
        if args.candidates is not None:
            sandbox_argv += ["--candidates", str(args.candidates)]
        return sandbox_main(sandbox_argv) or 0

    try:
        settings = load_settings(args)
        configure_logging(settings.log_level)
        if command == "tools":
            style = "text"
            if args.json:
                style = "json"
            elif args.markdown:
                style = "markdown"
            _print_tools(settings, style)
            return 0
        if command == "serve":
            from ashby_mcp.http.options import load_http_options

            options = load_http_options(args)
            if not settings.demo:
                settings.check_credentials()
            if options.transport == "stdio":
                anyio.run(_serve, settings)
            else:
                from ashby_mcp.http.runner import serve_http

                anyio.run(serve_http, settings, options)
            return 0
        if command == "call":
            try:
                arguments = json.loads(args.arguments)
            except json.JSONDecodeError as exc:
                raise ConfigurationError(f"ARGS_JSON is not valid JSON: {exc}") from None
            if not isinstance(arguments, dict):
                raise ConfigurationError('ARGS_JSON must be a JSON object, e.g. \'{"limit": 5}\'')
            return anyio.run(_call, settings, args.tool, arguments)
        if command == "check":
            return anyio.run(_check, settings)
    except AshbyMCPError as exc:
        print(f"ashby-mcp: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigurationError) else 1
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
