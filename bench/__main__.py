"""Run every benchmark and write docs/benchmarks.md: `python -m bench [--quick] [--output PATH]`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import anyio

from bench.common import REPO_ROOT, Logs, sandbox_process
from bench.findings import FINDINGS, MISS_REASONS
from bench.report import Report, Row, render

DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"
SLOW_LATENCY_MS = 50.0


@dataclass(frozen=True)
class Plan:
    """Sizes of one run. The full run makes at least 7 starts and 500 calls per round; `--quick` only checks that everything runs."""

    candidates: int
    start_runs: int
    latency_calls: int
    latency_rounds: int
    burst_runs: int
    crawl_runs: int
    memory_calls: int
    memory_runs: int
    http_calls: int
    http_runs: int


FULL = Plan(
    candidates=100_000,
    start_runs=11,
    latency_calls=500,
    latency_rounds=3,
    burst_runs=3,
    crawl_runs=3,
    memory_calls=10_000,
    memory_runs=1,
    http_calls=25,
    http_runs=3,
)
QUICK = Plan(
    candidates=1_000,
    start_runs=1,
    latency_calls=10,
    latency_rounds=1,
    burst_runs=1,
    crawl_runs=1,
    memory_calls=100,
    memory_runs=1,
    http_calls=3,
    http_runs=1,
)

INTRO = """
ashby-mcp measured against two comparison points in one run. The **floor server** is a bare low-level
MCP server (mcp SDK only) with the same 19 tool names and handlers that return a fixed text. The **floor
forwarder** is the same server, but each call is one httpx POST to the execute endpoint whose raw body it
returns, without checks, validation or trimming. Both live in `bench/floor.py`. Upstream is the sandbox
(`python -m ashby_mcp.sandbox`), a local imitation of Airbyte's execute API, on 127.0.0.1. Absolute times
on shared 2-core machines drift by about 30 %, so every target is a ratio of two sides measured in the same
run, with their runs interleaved. `python -m bench` writes this whole page; only the profile section is fixed
text, with numbers from one-off timings taken while fixing.
"""


def configure_logging(logs: Logs) -> None:
    """Log to the bench log file at INFO, as `ashby-mcp serve` logs to stderr, so in-memory servers pay the same."""
    handler = logging.StreamHandler(logs.file)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    logging.getLogger("httpcore2").setLevel(logging.WARNING)


def closing_note(report: Report) -> str:
    """Say whether every target was met; for each miss, by how much, and why once per measure."""
    missed = report.missed()
    if not missed:
        return "Every target was met in this run."
    lines = ["Targets missed in this run:", ""]
    for number in sorted({row.number for row in missed}):
        for row in missed:
            if row.number == number:
                lines.append(f"- **{number}.** {row.measure}: {row.ratio} against a target of {row.target}.")
        reason = MISS_REASONS.get(number)
        if reason:
            lines.append(f"  Why: {reason}")
    return "\n".join(lines)


async def run(plan: Plan, logs: Logs, report: Report, only: set[int] | None) -> None:
    from bench import concurrency, crawl, latency, memory, payload, startup, throughput

    def wanted(number: int) -> bool:
        return only is None or number in only

    started = time.perf_counter()

    def record(result: tuple[list[Row], str]) -> None:
        nonlocal started
        rows, note = result
        for row in rows:
            report.add(row)
        elapsed = time.perf_counter() - started
        report.notes.append(f"{note} This measure took {elapsed:.0f} s.")
        print(f"   took {elapsed:.0f} s", file=sys.stderr)
        started = time.perf_counter()

    with sandbox_process(logs, candidates=plan.candidates) as api_url:
        started = time.perf_counter()
        if wanted(1):
            print("1. cold start", file=sys.stderr)
            record(await startup.measure(api_url, logs, plan.start_runs))
        if wanted(2):
            print("2. sequential latency", file=sys.stderr)
            record(await latency.measure(api_url, logs, plan.latency_calls, plan.latency_rounds))
        if wanted(3):
            print("3. concurrency", file=sys.stderr)
            with sandbox_process(logs, candidates=1000, latency_ms=SLOW_LATENCY_MS) as slow_url:
                record(await concurrency.measure(slow_url, logs, plan.burst_runs, SLOW_LATENCY_MS))
        if wanted(4):
            print("4. crawl", file=sys.stderr)
            record(await crawl.measure(api_url, plan.candidates, plan.crawl_runs))
        if wanted(5):
            print("5. payload", file=sys.stderr)
            record(await payload.measure(api_url))
        if wanted(6):
            print("6. memory", file=sys.stderr)
            record(await memory.measure(api_url, logs, plan.memory_calls, plan.memory_runs))
        if wanted(7):
            print("7. HTTP throughput", file=sys.stderr)
            record(await throughput.measure(api_url, logs, plan.http_calls, plan.http_runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes that only check that every measure runs")
    parser.add_argument("--output", type=Path, default=None, help=f"Markdown file to write (default {DEFAULT_OUTPUT})")
    parser.add_argument("--log", type=Path, default=None, help="file for the servers' logs (default /tmp/ashby-mcp-bench-PID.log)")
    parser.add_argument("--only", default="", help="comma-separated measure numbers to run, e.g. 1,2")
    args = parser.parse_args(argv)

    output = args.output or (Path("/tmp/ashby-mcp-bench-quick.md") if args.quick else DEFAULT_OUTPUT)
    log_path = args.log or Path("/tmp") / f"ashby-mcp-bench-{os.getpid()}.log"
    only = {int(item) for item in args.only.split(",") if item.strip()} or None
    # Settings built in this process must not pick up the developer's configuration.
    for key in [key for key in os.environ if key.startswith(("AIRBYTE_", "ASHBY_MCP_"))]:
        del os.environ[key]

    plan = QUICK if args.quick else FULL
    command = "python -m bench"
    if args.quick:
        command += " --quick"
    if only:
        command += f" --only {args.only}"
    report = Report(command=command)
    logs = Logs(log_path)
    configure_logging(logs)
    started = time.perf_counter()
    try:
        anyio.run(run, plan, logs, report, only)
    finally:
        logs.close()
    report.elapsed_s = time.perf_counter() - started
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(report, INTRO, FINDINGS, closing_note(report)), encoding="utf-8")
    print(f"wrote {output} in {report.elapsed_s:.0f} s; server logs in {log_path}", file=sys.stderr)
    return 1 if report.missed() else 0


if __name__ == "__main__":
    sys.exit(main())
