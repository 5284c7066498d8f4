"""Soak run: many tool calls through one stdio MCP session, with upstream faults mixed in.

The sandbox runs as one subprocess and the server (`python -m ashby_mcp serve`) as
another, started by the MCP SDK's stdio client. Before a share of the calls
(--fault-rate) the script queues one fault through the sandbox's control endpoint
and records what the call should end in: the right records, or an is_error result
of a known cause. Every list result is checked against the sandbox dataset at the
paging position, and every get result against the record asked for.

The report counts results by outcome, lists unexplained ones (a wrong record, an
error that was not expected, a protocol error), and samples the server process's
resident memory every --sample-every calls from /proc/PID/status.

    python bench/soak.py --calls 10000 --fault-rate 0.05
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from ashby_mcp.sandbox import DEMO_CONNECTOR_ID, Dataset, SandboxConfig  # noqa: E402

CLIENT_ID = "soak-client"
CLIENT_SECRET = "soak-client-secret"
SANDBOX_CANDIDATES = 500
TOKEN_TTL_SECONDS = 60
"""Short token lifetime, so the run renews its token every 30 s."""
LIST_ENTITIES = ("candidates", "applications", "jobs", "users", "departments", "locations")
GET_TOOLS = {"candidates": ("candidates_get", "id"), "jobs": ("jobs_get", "id"), "users": ("users_get", "userId")}

# Server settings: short timeouts, so a faulted call costs seconds, not minutes.
SERVER_SETTINGS = {
    "ASHBY_MCP_READ_TIMEOUT": "1",
    "ASHBY_MCP_CALL_DEADLINE": "15",
    "ASHBY_MCP_MAX_ATTEMPTS": "4",
    "ASHBY_MCP_MAX_RETRY_AFTER": "2",
    "ASHBY_MCP_MAX_BODY_BYTES": "2000000",
    "ASHBY_MCP_LOG_LEVEL": "WARNING",
}
MAX_ATTEMPTS = int(SERVER_SETTINGS["ASHBY_MCP_MAX_ATTEMPTS"])


@dataclass(frozen=True)
class FaultPlan:
    """A fault to queue before one call, and the outcome that call must have."""

    fault: dict[str, Any]
    expected: str
    """"ok", or the cause of the expected error (see classify_error)."""
    list_only: bool = False


FAULT_PLANS = (
    FaultPlan({"fault": "latency", "ms": 100}, "ok"),
    FaultPlan({"fault": "429"}, "ok"),
    FaultPlan({"fault": "429", "retry_after": 1}, "ok"),
    FaultPlan({"fault": "429", "retry_after": 30}, "rate_limited"),
    FaultPlan({"fault": "500", "count": 2}, "ok"),
    FaultPlan({"fault": "502"}, "ok"),
    FaultPlan({"fault": "503"}, "ok"),
    FaultPlan({"fault": "504"}, "ok"),
    FaultPlan({"fault": "503", "count": MAX_ATTEMPTS}, "unavailable"),
    FaultPlan({"fault": "reset"}, "ok"),
    FaultPlan({"fault": "timeout", "ms": 3000}, "ok"),
    FaultPlan({"fault": "truncated"}, "ok"),
    FaultPlan({"fault": "malformed_json"}, "ok"),
    FaultPlan({"fault": "wrong_content_type"}, "ok"),
    FaultPlan({"fault": "huge_body", "megabytes": 0.5}, "ok"),
    FaultPlan({"fault": "huge_body", "megabytes": 4}, "body_too_large"),
    FaultPlan({"fault": "empty_page_has_more"}, "ok", list_only=True),
    FaultPlan({"fault": "repeat_cursor"}, "ok or repeat_cursor", list_only=True),
    FaultPlan({"fault": "success_false"}, "permission"),
    FaultPlan({"fault": "token_500"}, "ok"),
)


def classify_error(text: str) -> str:
    """Name the cause of an is_error result from its text."""
    causes = (
        ("rate_limited", "rate limiting"),
        ("body_too_large", "ASHBY_MCP_MAX_BODY_BYTES"),
        ("permission", "lacks permission"),
        ("repeat_cursor", "returned the same"),
        ("timed_out", "timed out"),
        ("unavailable", "Gave up after"),
        ("internal", "internal error"),
    )
    for cause, words in causes:
        if words in text:
            return cause
    return "other"


@dataclass
class Report:
    calls: int = 0
    ok: int = 0
    faulted: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    expected_errors: int = 0
    unexplained: list[str] = field(default_factory=list)
    rss_samples: list[tuple[int, int]] = field(default_factory=list)
    """(calls so far, VmRSS in KiB) of the server process."""
    peak_kib: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "ashby_mcp.sandbox", "--port", str(port), "--enable-control",
        "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
        "--candidates", str(SANDBOX_CANDIDATES), "--token-ttl", str(TOKEN_TTL_SECONDS),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_sandbox/faults", timeout=1).raise_for_status()
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the sandbox did not start within 30 s")


def child_pids() -> set[int]:
    pids: set[int] = set()
    for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        pids.update(int(pid) for pid in children.read_text().split())
    return pids


def memory_kib(pid: int) -> tuple[int, int]:
    """Return (VmRSS, VmHWM) of a process in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


class Workload:
    """Chooses calls and checks the records each one returns."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        dataset = Dataset(SandboxConfig(candidates=SANDBOX_CANDIDATES))
        self.ids = {entity: list(dataset.ids(entity)) for entity in LIST_ENTITIES}
        self.cursors: dict[str, tuple[str | None, int]] = {entity: (None, 0) for entity in LIST_ENTITIES}

    def next_call(self) -> tuple[str, str, dict[str, Any]]:
        """Return (entity, tool, arguments) for the next call."""
        if self.random.random() < 0.25:
            entity = self.random.choice(list(GET_TOOLS))
            tool, parameter = GET_TOOLS[entity]
            return entity, tool, {parameter: self.random.choice(self.ids[entity])}
        entity = self.random.choice(LIST_ENTITIES)
        cursor, _ = self.cursors[entity]
        arguments: dict[str, Any] = {"limit": self.random.randint(1, 25)}
        if cursor:
            arguments["cursor"] = cursor
        return entity, f"{entity}_list", arguments

    def check(self, entity: str, tool: str, arguments: dict[str, Any], structured: dict[str, Any]) -> str | None:
        """Return why a successful result is wrong, or None; advance the paging position."""
        if tool.endswith("_get"):
            wanted = next(iter(arguments.values()))
            return None if structured.get("id") == wanted else f"{tool} returned {structured.get('id')}, not {wanted}"
        _, position = self.cursors[entity]
        got = [record["id"] for record in structured["records"]]
        expected = self.ids[entity][position : position + len(got)]
        cursor = structured["next_cursor"]
        problem = None
        if got != expected:
            problem = f"{tool} at position {position} returned {got[:3]}..., expected {expected[:3]}..."
        elif cursor is None and position + len(got) != len(self.ids[entity]):
            problem = f"{tool} ended paging at {position + len(got)} of {len(self.ids[entity])} records"
        if problem or cursor is None:
            # After a wrong page the listing starts over, so one fault is reported once.
            self.cursors[entity] = (None, 0)
        else:
            self.cursors[entity] = (cursor, position + len(got))
        return problem


async def soak(calls: int, fault_rate: float, sample_every: int, seed: int, server_log: Path) -> Report:
    port = free_port()
    sandbox = start_sandbox(port)
    url = f"http://127.0.0.1:{port}"
    report = Report()
    workload = Workload(seed)
    chooser = random.Random(seed + 1)
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("AIRBYTE_", "ASHBY_MCP_"))},
        **SERVER_SETTINGS,
        "PYTHONPATH": str(REPO_ROOT),
        "AIRBYTE_API_URL": url,
        "AIRBYTE_CLIENT_ID": CLIENT_ID,
        "AIRBYTE_CLIENT_SECRET": CLIENT_SECRET,
        "AIRBYTE_CONNECTOR_ID": DEMO_CONNECTOR_ID,
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "ashby_mcp", "serve"], env=env, cwd=str(REPO_ROOT))
    try:
        with server_log.open("w") as errlog, httpx.Client(base_url=url) as control:
            async with Client(stdio_client(params, errlog=errlog), cache=None) as client:
                (server_pid,) = child_pids() - {sandbox.pid}
                for number in range(1, calls + 1):
                    entity, tool, arguments = workload.next_call()
                    plan = None
                    if chooser.random() < fault_rate:
                        plans = [plan for plan in FAULT_PLANS if tool.endswith("_list") or not plan.list_only]
                        plan = chooser.choice(plans)
                        control.post("/_sandbox/faults", json=plan.fault).raise_for_status()
                        report.faulted += 1
                    await run_call(client, report, workload, entity, tool, arguments, plan)
                    if plan is not None:
                        control.delete("/_sandbox/faults").raise_for_status()
                    if number % sample_every == 0:
                        rss, peak = memory_kib(server_pid)
                        report.rss_samples.append((number, rss))
                        report.peak_kib = peak
                        print(f"{number:>6} calls  server RSS {rss / 1024:6.1f} MiB", file=sys.stderr, flush=True)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    return report


async def run_call(
    client: Client,
    report: Report,
    workload: Workload,
    entity: str,
    tool: str,
    arguments: dict[str, Any],
    plan: FaultPlan | None,
) -> None:
    report.calls += 1
    label = f"call {report.calls} {tool} {sorted(arguments)}" + (f" with {plan.fault}" if plan else "")
    try:
        result = await client.call_tool(tool, arguments)
    except Exception as exc:  # noqa: BLE001 - a protocol error is an unexplained outcome, not a reason to stop
        report.unexplained.append(f"{label}: protocol error {type(exc).__name__}: {exc}")
        return
    expected = plan.expected if plan else "ok"
    if result.is_error:
        text = result.content[0].text
        cause = classify_error(text)
        report.errors[cause] += 1
        if cause in expected.split(" or "):
            report.expected_errors += 1
            if cause == "repeat_cursor":
                return  # the model would retry the same cursor; the paging position stays
        else:
            report.unexplained.append(f"{label}: unexpected error ({cause}): {text[:300]}")
        return
    if "ok" not in expected.split(" or "):
        report.unexplained.append(f"{label}: expected an error ({expected}) but got records")
    problem = workload.check(entity, tool, arguments, result.structured_content)
    if problem:
        report.unexplained.append(f"{label}: {problem}")
        return
    report.ok += 1


def print_report(report: Report, elapsed: float, server_log: Path, fault_rate: float) -> None:
    print(f"calls               {report.calls}")
    print(f"faulted calls       {report.faulted} (fault rate {fault_rate:g})")
    print(f"ok                  {report.ok}")
    print(f"is_error            {sum(report.errors.values())}", end="")
    print("  (" + ", ".join(f"{cause} {count}" for cause, count in sorted(report.errors.items())) + ")")
    print(f"expected errors     {report.expected_errors}")
    print(f"unexplained         {len(report.unexplained)}")
    for line in report.unexplained[:20]:
        print(f"  {line}")
    print(f"elapsed             {elapsed:.1f} s ({report.calls / elapsed:.0f} calls/s)")
    print("server RSS samples  " + ", ".join(f"{calls}: {rss / 1024:.1f}" for calls, rss in report.rss_samples) + " MiB")
    print(f"server peak RSS     {report.peak_kib / 1024:.1f} MiB (VmHWM)")
    if len(report.rss_samples) >= 3:
        warm = report.rss_samples[1][1]
        last = report.rss_samples[-1][1]
        print(
            f"growth after warm-up {(last - warm) / 1024:+.1f} MiB from call {report.rss_samples[1][0]} "
            f"to call {report.rss_samples[-1][0]}"
        )
    log = server_log.read_text(errors="replace")
    print(f"server log          {server_log} ({len(log.splitlines())} lines, {log.count('Traceback')} tracebacks)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10_000, help="tool calls to make (default: 10000)")
    parser.add_argument(
        "--fault-rate", type=float, default=0.05, help="share of calls preceded by a fault, 0-1 (default: 0.05)"
    )
    parser.add_argument(
        "--sample-every", type=int, default=1000, help="calls between memory samples (default: 1000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the call and fault choices (default: 1)")
    parser.add_argument("--server-log", type=Path, default=None, help="file for the server's stderr (default: a temp file)")
    args = parser.parse_args()
    if not 0 <= args.fault_rate <= 1:
        parser.error(f"--fault-rate must be between 0 and 1, got {args.fault_rate}")
    if args.calls < 1 or args.sample_every < 1:
        parser.error("--calls and --sample-every must be at least 1")
    server_log = args.server_log or Path(tempfile.mkstemp(prefix="ashby-mcp-soak-", suffix=".log")[1])

    started = time.monotonic()
    report = anyio.run(soak, args.calls, args.fault_rate, args.sample_every, args.seed, server_log)
    print_report(report, time.monotonic() - started, server_log, args.fault_rate)
    return 1 if report.unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
