"""Serving MCP over HTTP: the SSE and streamable-HTTP transports, locked down by default.

`options` contains the settings and the startup checks and imports nothing heavy, so
the CLI can build its parser without loading Starlette or uvicorn. `runner.serve_http`
starts the server; `app.build_http_app` builds the ASGI application it serves.
"""
