"""MCP wiring: the low-level server, its handlers, and the stdio transport."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from mcp.server import Server
from mcp.shared.exceptions import MCPError

from ashby_mcp import __version__
from ashby_mcp.backends.base import Backend
from ashby_mcp.config import Settings
from ashby_mcp.cursors import CursorCodec, derive_cursor_key
from ashby_mcp.tools import ToolRunner, error_result

logger = logging.getLogger("ashby_mcp.server")

SERVER_NAME = "ashby-mcp"

INSTRUCTIONS = (
    "Read-only access to the Ashby applicant-tracking system: candidates, applications, jobs, "
    "job postings, departments, locations, users and hiring metadata. List tools return "
    "{records, next_cursor, has_more}; pass next_cursor back as cursor to read on, and stop when "
    "has_more is false. Records are trimmed: empty values are left out, list results show summary "
    "fields, and long text is cut with a marker saying how to get it whole. Get tools return one "
    "whole record; fields selects the fields or dot paths each record returns."
)
DEMO_NOTICE = (
    "DEMO MODE: every record comes from ashby-mcp's built-in sample data, not from a real Ashby "
    "account. Names, emails and ids are generated."
)


@dataclass
class AshbyServer:
    """The MCP server and the parts it owns for its whole life."""

    server: Server[Any]
    runner: ToolRunner
    backend: Backend

    async def aclose(self) -> None:
        await self.backend.aclose()


def cursor_codec(settings: Settings) -> CursorCodec:
    if settings.cursor_secret:
        key = derive_cursor_key("explicit", settings.cursor_secret.get_secret_value())
    else:
        secret = settings.client_secret.get_secret_value() if settings.client_secret else None
        key = derive_cursor_key(settings.api_url, settings.connector_id, settings.workspace_name, secret)
    return CursorCodec(key)


def create_server(settings: Settings, backend: Backend) -> AshbyServer:
    """Build the MCP server around a backend; the caller closes it with `aclose()`."""
    runner = ToolRunner(settings, backend, cursor_codec(settings))
    names = ", ".join(runner.by_name)

    async def on_list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return runner.list_tools()

    async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        if params.name not in runner.by_name:
            raise MCPError(
                code=types.INVALID_PARAMS,
                message=f"Unknown tool {params.name!r}. Available tools: {names}",
            )
        try:
            return await runner.call(params.name, params.arguments)
        except Exception as exc:  # noqa: BLE001 - a request must never take the server down
            # No traceback: it could carry upstream text, and it helps no model.
            logger.error("tool %s crashed: %s", params.name, type(exc).__name__)
            logger.debug("tool %s crash detail", params.name, exc_info=True)
            return error_result(
                f"{params.name} failed with an internal error ({type(exc).__name__}). "
                "Try again; if it repeats, report it with the server's log."
            )

    instructions = f"{DEMO_NOTICE} {INSTRUCTIONS}" if settings.demo else INSTRUCTIONS
    server: Server[Any] = Server(
        SERVER_NAME,
        version=__version__,
        title="Ashby ATS (read-only)",
        instructions=instructions,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
        get_tool_input_schema=lambda name: runner.by_name[name].input_schema if name in runner.by_name else None,
    )
    return AshbyServer(server=server, runner=runner, backend=backend)


async def serve_stdio(app: AshbyServer) -> None:
    """Serve one MCP session over stdin/stdout until the client closes it."""
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read_stream, write_stream):
        await app.server.run(read_stream, write_stream, app.server.create_initialization_options())
