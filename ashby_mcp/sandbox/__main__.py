"""Entry point for `python -m ashby_mcp.sandbox`."""

from ashby_mcp.sandbox.server import main

main()
