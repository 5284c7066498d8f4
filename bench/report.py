"""Result rows and the Markdown page they are written to."""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from bench.common import Series

_DECIMALS = {"ms": 2, "s": 2, "records/s": 0, "calls/s": 0, "KB": 1, "MB": 1, "bytes/record": 0, "%": 1}


def format_value(value: float, unit: str) -> str:
    decimals = _DECIMALS.get(unit, 2)
    return f"{value:,.{decimals}f}"


def format_series(series: Series | None) -> str:
    if series is None or not series.samples:
        return "—"
    if len(set(series.samples)) == 1:
        return f"{format_value(series.samples[0], series.unit)} {series.unit}"
    parts = " / ".join(format_value(value, series.unit) for value in (series.min, series.median, series.max))
    return f"{parts} {series.unit}"


@dataclass
class Row:
    """One measure against its comparison point, with the target it is held to."""

    number: int
    measure: str
    ours: Series
    point: str
    theirs: Series | None
    ratio: str
    target: str
    met: bool | None
    """None when the row is shown for context and has no target."""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Free text per measure: what was run, and anything a reader must know to trust the row."""
    command: str = ""
    elapsed_s: float = 0.0

    def add(self, row: Row) -> None:
        self.rows.append(row)

    def missed(self) -> list[Row]:
        return [row for row in self.rows if row.met is False]


def machine() -> str:
    """Describe the machine: CPU count from nproc, CPU model from /proc/cpuinfo, kernel and Python."""
    try:
        cores = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        cores = "unknown"
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cores} cores (nproc), {model} (/proc/cpuinfo), Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def plural(count: int, word: str) -> str:
    """Return e.g. "1 run" or "3 runs"."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def render(report: Report, intro: str, findings: str, closing: str) -> str:
    """Render the whole benchmarks page."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        intro.strip(),
        "",
        f"- Command: `{report.command}`, from the repository root",
        f"- Machine: {machine()}",
        f"- Date: {now}; the whole run took {report.elapsed_s:.0f} s",
        f"- Versions: mcp {version('mcp')}, httpx {version('httpx')}, anyio {version('anyio')}, "
        f"uvicorn {version('uvicorn')}",
        "",
        "Each cell gives min / median / max over the repeated runs of this run (one value when the quantity "
        "does not vary). The ratio compares medians.",
        "",
        "| # | measure | ashby-mcp min / median / max | comparison point | its min / median / max | ratio | target | met? |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report.rows:
        met = "—"
        if row.met is not None:
            met = "yes" if row.met else "**no**"
        lines.append(
            f"| {row.number} | {row.measure} | {format_series(row.ours)} | {row.point} | "
            f"{format_series(row.theirs)} | {row.ratio} | {row.target} | {met} |"
        )
    lines += ["", "## How each measure runs", ""]
    lines += [f"- {note}" for note in report.notes]
    lines += ["", "## Profile and fixes", "", findings.strip()]
    lines += ["", "## Closing note", "", closing.strip(), ""]
    return "\n".join(lines)
