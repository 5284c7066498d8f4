"""The sandbox's building blocks (ids, links, cursors, projection) and its command line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ashby_mcp.sandbox import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxConfig, serving
from ashby_mcp.sandbox.cursors import CursorCodec, CursorError
from ashby_mcp.sandbox.ids import make_id, parse_id
from ashby_mcp.sandbox.links import BlockLinks
from ashby_mcp.sandbox.projection import build_path_tree, exclude_paths, project, select_paths
from ashby_mcp.sandbox.server import build_parser, config_from_args


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# Ids


@given(st.integers(min_value=0, max_value=(1 << 48) - 1), st.integers(min_value=0, max_value=1000))
def test_id_round_trips(index: int, seed: int) -> None:
    record_id = make_id(seed, "candidates", index)
    assert parse_id(seed, "candidates", record_id) == index


def test_id_rejects_other_kind_and_seed() -> None:
    record_id = make_id(0, "candidates", 12)
    assert parse_id(0, "applications", record_id) is None
    assert parse_id(1, "candidates", record_id) is None
    assert parse_id(0, "candidates", "00000000-0000-4000-8000-000000000000") is None


def test_consecutive_ids_differ_everywhere() -> None:
    first = make_id(0, "users", 1)
    second = make_id(0, "users", 2)
    assert first[:8] != second[:8]
    assert first[-12:] != second[-12:]


def test_id_rejects_index_out_of_range() -> None:
    with pytest.raises(ValueError):
        make_id(0, "users", -1)
    with pytest.raises(ValueError):
        make_id(0, "users", 1 << 48)


# Parent-to-children links


@pytest.mark.parametrize(("parents", "children"), [(1, 0), (1, 5), (5, 1), (7, 13), (100, 200), (40, 40), (3, 1000)])
def test_block_links_cover_children_once(parents: int, children: int) -> None:
    links = BlockLinks(0, "test", parents, children)
    owned = [child for parent in range(parents) for child in links.children_of(parent)]
    assert owned == list(range(children))
    for parent in range(parents):
        for child in links.children_of(parent):
            assert links.parent_of(child) == parent


def test_block_links_vary_block_sizes() -> None:
    links = BlockLinks(0, "test", 500, 1000)
    sizes = {len(links.children_of(parent)) for parent in range(500)}
    assert len(sizes) >= 3


def test_block_links_reject_children_without_parents() -> None:
    with pytest.raises(ValueError):
        BlockLinks(0, "test", 0, 3)
    with pytest.raises(IndexError):
        BlockLinks(0, "test", 2, 3).parent_of(3)


# Cursors


def test_cursor_round_trips() -> None:
    codec = CursorCodec("key")
    assert codec.decode("users", codec.encode("users", 40)) == (40, 0)
    assert codec.decode("users", codec.encode("users", 40, repeat=2)) == (40, 2)


def test_cursor_repeat_changes_string() -> None:
    codec = CursorCodec("key")
    assert codec.encode("users", 40) != codec.encode("users", 40, repeat=1)


@pytest.mark.parametrize("bad", ["", "x", "e30", "bm90IGpzb24", "W10", "\u00e9\u00e9\u00e9\u00e9"])
def test_cursor_rejects_malformed(bad: str) -> None:
    with pytest.raises(CursorError):
        CursorCodec("key").decode("users", bad)


def test_cursor_rejects_other_key_and_entity() -> None:
    cursor = CursorCodec("key").encode("users", 10)
    with pytest.raises(CursorError):
        CursorCodec("other key").decode("users", cursor)
    with pytest.raises(CursorError, match="belongs to entity 'users'"):
        CursorCodec("key").decode("jobs", cursor)


# Projection


RECORD = {
    "id": "1",
    "name": "Zoë",
    "emailAddresses": [{"value": "zoe@example.com", "type": "Work"}, {"value": "z@example.org", "type": "Other"}],
    "source": None,
    "job": {"id": "j", "title": "Engineer", "extra": {"deep": 1}},
}


def test_select_paths_walks_arrays_and_objects() -> None:
    tree = build_path_tree(["name", "emailAddresses.value", "job.extra.deep", "source.title"])
    assert select_paths(RECORD, tree) == {
        "name": "Zoë",
        "emailAddresses": [{"value": "zoe@example.com"}, {"value": "z@example.org"}],
        "source": None,
        "job": {"extra": {"deep": 1}},
    }


def test_whole_field_path_wins_over_deeper_path() -> None:
    assert build_path_tree(["job.title", "job"]) == {"job": True}
    assert build_path_tree(["job", "job.title"]) == {"job": True}


def test_exclude_paths_keeps_the_rest() -> None:
    tree = build_path_tree(["emailAddresses.type", "job"])
    assert exclude_paths(RECORD, tree) == {
        "id": "1",
        "name": "Zoë",
        "emailAddresses": [{"value": "zoe@example.com"}, {"value": "z@example.org"}],
        "source": None,
    }


def test_project_prefers_select_and_leaves_input_untouched() -> None:
    before = repr(RECORD)
    assert project(RECORD, ["id"], ["id"]) == {"id": "1"}
    assert project(RECORD, None, ["job", "emailAddresses", "source", "name"]) == {"id": "1"}
    assert project(RECORD, None, None) is RECORD
    assert repr(RECORD) == before


# Configuration and command line


def test_config_rejects_inconsistent_counts() -> None:
    with pytest.raises(ValueError, match="candidate"):
        SandboxConfig(candidates=0, applications=5)
    with pytest.raises(ValueError, match="jobs"):
        SandboxConfig(jobs=0)
    with pytest.raises(ValueError):
        SandboxConfig(users=-1)
    assert SandboxConfig(candidates=0, applications=0).count("applications") == 0


def test_config_applications_default_to_twice_candidates() -> None:
    assert SandboxConfig(candidates=7).count("applications") == 14
    assert SandboxConfig(candidates=7, applications=3).count("applications") == 3


def test_command_line_builds_config() -> None:
    args = build_parser().parse_args(
        ["--port", "9000", "--candidates", "123", "--latency-ms", "25", "--static-token", "a",
         "--static-token", "b", "--get-result-shape", "envelope", "--require-organization-header"]
    )
    config = config_from_args(args)
    assert args.port == 9000
    assert config.candidates == 123
    assert config.count("applications") == 246
    assert config.latency_ms == 25
    assert config.static_tokens == frozenset({"a", "b"})
    assert config.get_result_shape == "envelope"
    assert config.require_organization_header is True


# Real sockets


@pytest.mark.anyio
async def test_serving_responds_over_tcp() -> None:
    async with serving(SandboxConfig(candidates=20)) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=base_url) as client:
            response = await client.post(
                "/api/v1/account/applications/token",
                json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET},
            )
    assert response.status_code == 200
    assert "access_token" in response.json()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_module_entry_point_serves_and_keeps_stdout_empty() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ashby_mcp.sandbox", "--port", str(port), "--candidates", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        response = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/api/v1/account/applications/token",
                    json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET},
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, "sandbox did not start within 15 s"
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=15)
    assert stdout == b""
    assert b"sandbox starting" in stderr
