"""Comparison points: a bare low-level MCP server with ashby-mcp's 19 tool names.

The floor server returns a fixed short text for every call. The floor forwarder
sends each call as one httpx POST to the execute endpoint and returns the raw
response body, without argument checks, validation or trimming. Both import
only the mcp SDK (and httpx for the forwarder), never ashby_mcp, so their start
time is the SDK's own.

Run over stdio: `python bench/floor.py [--forward]`. Run over streamable HTTP:
`python bench/floor.py --http --port N [--host H] [--stateless] [--forward]`.
The forwarder reads FLOOR_API_URL, FLOOR_TOKEN and FLOOR_CONNECTOR_ID from the
environment.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import mcp_types as types
from mcp.server import Server

# (entity, id parameter of its get action or None). The same names and order as
# ashby_mcp.catalog.ENTITIES; tests/test_bench.py checks that they match.
ENTITIES: tuple[tuple[str, str | None], ...] = (
    ("candidates", "id"),
    ("applications", "applicationId"),
    ("jobs", "id"),
    ("departments", "departmentId"),
    ("locations", "locationId"),
    ("users", "userId"),
    ("job_postings", "jobPostingId"),
    ("sources", None),
    ("archive_reasons", None),
    ("candidate_tags", None),
    ("custom_fields", None),
    ("feedback_form_definitions", None),
)
EXECUTE_PATH = "/api/v1/integrations/connectors/{connector_id}/execute"


def tool_names() -> list[str]:
    """Return the 19 tool names in catalog order."""
    names = []
    for entity, id_param in ENTITIES:
        names.append(f"{entity}_list")
        if id_param:
            names.append(f"{entity}_get")
    return names


def _tools() -> list[types.Tool]:
    tools = []
    for entity, id_param in ENTITIES:
        plural = entity.replace("_", " ")
        tools.append(
            types.Tool(
                name=f"{entity}_list",
                description=f"List Ashby {plural}.",
                input_schema={
                    "type": "object",
                    "properties": {"cursor": {"type": "string"}, "limit": {"type": "integer"}},
                },
            )
        )
        if id_param:
            tools.append(
                types.Tool(
                    name=f"{entity}_get",
                    description=f"Get one Ashby {plural.removesuffix('s')} by id.",
                    input_schema={
                        "type": "object",
                        "properties": {id_param: {"type": "string"}},
                        "required": [id_param],
                    },
                )
            )
    return tools


class Forwarder:
    """Sends one execute POST per call and returns the body as it came."""

    def __init__(self, api_url: str, token: str, connector_id: str) -> None:
        import httpx

        self._client = httpx.AsyncClient(
            base_url=api_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(30.0, connect=5.0),
        )
        self._path = EXECUTE_PATH.format(connector_id=connector_id)

    async def call(self, name: str, arguments: dict[str, Any]) -> str:
        entity, action = name.rsplit("_", 1)
        payload = {"entity": entity, "action": action, "params": arguments}
        response = await self._client.post(self._path, json=payload)
        return response.text

    async def aclose(self) -> None:
        await self._client.aclose()


def create_floor_server(forwarder: Forwarder | None = None) -> Server[Any]:
    """Build the floor server; with a forwarder, each call goes upstream."""
    listing = types.ListToolsResult(tools=_tools())
    names = set(tool_names())

    async def on_list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return listing

    async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        if params.name not in names:
            return types.CallToolResult(content=[types.TextContent(text=f"unknown tool {params.name}")], is_error=True)
        if forwarder is None:
            text = "ok"
        else:
            text = await forwarder.call(params.name, dict(params.arguments or {}))
        return types.CallToolResult(content=[types.TextContent(text=text)])

    return Server("floor", version="0", on_list_tools=on_list_tools, on_call_tool=on_call_tool)


def forwarder_from_env() -> Forwarder:
    return Forwarder(os.environ["FLOOR_API_URL"], os.environ["FLOOR_TOKEN"], os.environ["FLOOR_CONNECTOR_ID"])


async def _serve_stdio(forward: bool) -> None:
    from mcp.server.stdio import stdio_server

    forwarder = forwarder_from_env() if forward else None
    server = create_floor_server(forwarder)
    try:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        if forwarder is not None:
            await forwarder.aclose()


def _serve_http(forward: bool, host: str, port: int, stateless: bool) -> None:
    import uvicorn

    forwarder = forwarder_from_env() if forward else None
    server = create_floor_server(forwarder)
    app = server.streamable_http_app(stateless_http=stateless, host=host)
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")


def main(argv: list[str] | None = None) -> int:
    # Plain argv parsing: argparse would add its import time to the floor's start.
    args = list(sys.argv[1:] if argv is None else argv)
    forward = "--forward" in args
    if "--http" in args:
        host = args[args.index("--host") + 1] if "--host" in args else "127.0.0.1"
        port = int(args[args.index("--port") + 1])
        _serve_http(forward, host, port, "--stateless" in args)
        return 0
    import anyio

    anyio.run(_serve_stdio, forward)
    return 0


if __name__ == "__main__":
    sys.exit(main())
