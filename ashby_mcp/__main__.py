import sys

from ashby_mcp.cli import main

sys.exit(main())
