"""Rewrite tools.json from the catalog: run `python -m tests.snapshots` from the repository root."""

import json
from pathlib import Path

from tests.support import make_settings
from ashby_mcp.tools import build_tool_specs

tools = [spec.to_mcp().model_dump(by_alias=True, exclude_none=True) for spec in build_tool_specs(make_settings())]
path = Path(__file__).with_name("tools.json")
path.write_text(json.dumps(tools, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {len(tools)} tools to {path}")
