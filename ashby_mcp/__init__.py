"""MCP server that gives LLM agents read access to the Ashby applicant-tracking system."""

__version__ = "0.1.0"
