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

def _add_setting_flags(parser: argparse.ArgumentParser, *, demo: bool) -> None:
    """Add one flag per setting, derived from the Settings fields; secrets get none."""
    from typing import Literal, get_args, get_origin

    from ashby_mcp.config import SECRET_FIELDS, Settings

    group = parser.add_argument_group("settings (each overrides its environment variable)")
    for name, field in Settings.model_fields.items():
        if name in SECRET_FIELDS or name == "demo":
            continue
        choices = get_args(field.annotation) if get_origin(field.annotation) is Literal else None
        default = "" if field.default in (None, "") else f"; default {field.default}"
        group.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            default=None,
            choices=choices,
            help=f"{field.description} ({Settings.variable(name)}{default})",
        )
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

    serve_help = "serve MCP over stdio, SSE or streamable HTTP (the default command)"
    serve = commands.add_parser("serve", help=serve_help, description=serve_help)
    _add_setting_flags(serve, demo=True)
    from ashby_mcp.http.options import add_http_flags

    add_http_flags(serve)

    tools = commands.add_parser("tools", help="print the tool catalog", description="Print the tool catalog.")
    style = tools.add_mutually_exclusive_group()
    style.add_argument("--json", action="store_true", help="print the tools/list entries as JSON")
    style.add_argument("--markdown", action="store_true", help="print the README's tools table")
    _add_setting_flags(tools, demo=False)

    call_help = "call one tool through an MCP client session and print the result"
    call = commands.add_parser(
        "call",
        help=call_help,
        description=f"{call_help.capitalize()}: the structured result on stdout, the model's hint line on stderr.",
    )
    call.add_argument("tool", help="tool name, e.g. candidates_list")
    call.add_argument("arguments", nargs="?", default="{}", help="tool arguments as a JSON object")
    _add_setting_flags(call, demo=True)

    check_help = "verify credentials with one cheap upstream call (users list, limit 1)"
    check = commands.add_parser("check", help=check_help, description=check_help)
    _add_setting_flags(check, demo=True)

    # The sandbox has its own parser; `ashby-mcp sandbox --help` shows every option.
    commands.add_parser(
        "sandbox", help="serve the sample-data execute API on 127.0.0.1 (see `ashby-mcp sandbox --help`)", add_help=False
    )
    return parser


def load_settings(args: argparse.Namespace) -> Any:
    """Build Settings from the environment, with CLI flags taking precedence."""
    from pydantic import ValidationError

    from ashby_mcp.config import Settings
    from ashby_mcp.errors import ConfigurationError

    overrides = {
        name: getattr(args, name) for name in Settings.model_fields if getattr(args, name, None) is not None
    }
    if getattr(args, "demo", None):
        overrides["demo"] = True
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            location = ".".join(map(str, error["loc"]))
            problems.append(f"{location}: {message}" if location else message)
        raise ConfigurationError(f"Invalid settings: {'; '.join(problems)}") from None


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
    # The SDK logs "Terminating session" for every stateless HTTP request; the access log covers it.
    logging.getLogger("mcp.server.streamable_http").setLevel(max(logging.WARNING, logging.getLevelName(level)))


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
    if tool not in app.runner.by_name:
        await app.aclose()
        print(f"ashby-mcp: unknown tool {tool!r}; run `ashby-mcp tools` to list them", file=sys.stderr)
        return 2
    if settings.demo:
        print(DEMO_NOTICE, file=sys.stderr)
    try:
        async with Client(app.server) as client:
            result = await client.call_tool(tool, arguments)
    finally:
        await app.aclose()
    text = "\n".join(block.text for block in result.content if block.type == "text")
    if result.is_error:
        print(text, file=sys.stderr)
        return 1
    print(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
    # The text content ends in the line that shows a model how to go on.
    print(text.rsplit("\n", 1)[-1], file=sys.stderr)
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
    if argv[0] == "sandbox":
        args = argparse.Namespace(command="sandbox")  # the sandbox parses its own options
    else:
        args = parser.parse_args(argv)
    command = args.command

    if command == "sandbox":
        from ashby_mcp.sandbox import main as sandbox_main

        return sandbox_main(argv[1:]) or 0

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
