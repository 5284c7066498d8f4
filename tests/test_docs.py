"""The README's generated parts stay in step with the catalog and the settings."""

from __future__ import annotations

import pytest

from ashby_mcp.cli import main
from ashby_mcp.config import Settings
from tests.support import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_tools_table_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "--markdown"]) == 0
    table = capsys.readouterr().out.strip()
    start = README.index("<!-- tools-table")
    end = README.index("<!-- end tools-table -->")
    documented = README[start:end].split("\n", 1)[1].strip()
    assert documented == table, "run `ashby-mcp tools --markdown` and paste it into the README"


def test_readme_documents_every_variable() -> None:
    for name, field in Settings.model_fields.items():
        aliases = field.validation_alias.choices  # type: ignore[union-attr]
        variable = aliases[0]
        assert f"`{variable}`" in README, f"{variable} ({name}) is missing from the README configuration table"
