"""The command line: start-up checks, the tools table, and one-shot calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ashby_mcp.cli import main
from tests.support import REPO_ROOT


def _run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRBYTE_", "ASHBY_MCP_"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "ashby_mcp", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_serve_without_credentials_fails_with_guidance() -> None:
    completed = _run("serve")
    assert completed.returncode == 2
    assert completed.stdout == ""  # stdout belongs to the protocol
    for word in ("AIRBYTE_CLIENT_ID", "AIRBYTE_CLIENT_SECRET", "AIRBYTE_CONNECTOR_ID", "--demo"):
        assert word in completed.stderr


def test_serve_with_half_credentials_names_the_missing_one() -> None:
    completed = _run("serve", env_extra={"AIRBYTE_CLIENT_ID": "x", "AIRBYTE_CONNECTOR_ID": "c"})
    assert completed.returncode == 2
    assert "AIRBYTE_CLIENT_SECRET is missing" in completed.stderr


def test_invalid_setting_is_named() -> None:
    completed = _run("tools", "--page-size", "500")
    assert completed.returncode == 2
    assert "page_size" in completed.stderr


def test_tools_json_lists_19(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "--json"]) == 0
    tools = json.loads(capsys.readouterr().out)
    assert len(tools) == 19
    assert tools[0]["name"] == "candidates_list"


def test_tools_table_honours_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "--tools", "jobs", "--tool-prefix", "ashby_"]) == 0
    out = capsys.readouterr().out
    assert "ashby_jobs_list" in out
    assert "candidates_list" not in out


def test_call_demo_prints_structured_result() -> None:
    completed = _run("call", "--demo", "candidates_list", '{"limit": 2}')
    assert completed.returncode == 0, completed.stderr
    page = json.loads(completed.stdout)
    assert len(page["records"]) == 2
    assert "DEMO MODE" in completed.stderr


def test_call_demo_error_exits_1() -> None:
    completed = _run("call", "--demo", "candidates_get", "{}")
    assert completed.returncode == 1
    assert "missing required argument 'id'" in completed.stderr


def test_call_rejects_bad_json() -> None:
    completed = _run("call", "--demo", "candidates_list", "{limit: 2}")
    assert completed.returncode == 2
    assert "ARGS_JSON is not valid JSON" in completed.stderr


def test_check_demo() -> None:
    completed = _run("check", "--demo")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("OK:")


def test_bare_environment_names_are_ignored() -> None:
    completed = _run("tools", env_extra={"TOOLS": "nonexistent", "API_URL": "ftp://x", "PAGE_SIZE": "0"})
    assert completed.returncode == 0, completed.stderr
    assert "19 tools" in completed.stdout
