"""A local imitation of Airbyte's hosted execute API for the Ashby connector.

The sandbox serves the token, execute and connector lookup endpoints over a
deterministic generated Ashby dataset. The server's demo mode, the tests and the
benchmarks run against it.
"""

from ashby_mcp.sandbox.app import create_app
from ashby_mcp.sandbox.config import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_CONNECTOR_ID,
    DEMO_ORGANIZATION_ID,
    SandboxConfig,
)
from ashby_mcp.sandbox.dataset import Dataset
from ashby_mcp.sandbox.faults import FAULT_NAMES, Fault
from ashby_mcp.sandbox.server import main, serve, serving

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_CONNECTOR_ID",
    "DEMO_ORGANIZATION_ID",
    "Dataset",
    "FAULT_NAMES",
    "Fault",
    "SandboxConfig",
    "create_app",
    "main",
    "serve",
    "serving",
]
