# ashby-mcp container image.
#
# Build:     docker build -t ashby-mcp .
# stdio:     docker run -i --rm -e AIRBYTE_CLIENT_ID -e AIRBYTE_CLIENT_SECRET -e AIRBYTE_CONNECTOR_ID ashby-mcp
# HTTP:      docker run --rm -p 8000:8000 -e ASHBY_MCP_HTTP_TOKEN -e AIRBYTE_CLIENT_ID -e AIRBYTE_CLIENT_SECRET \
#                -e AIRBYTE_CONNECTOR_ID ashby-mcp serve --transport streamable-http --host 0.0.0.0 --stateless
# docs/deployment.md has the details.

# Build stage: install the package and its dependencies into a virtual
# environment. Every dependency ships a wheel for this platform, so no compiler
# is needed; pip's isolated build environment holds the hatchling backend and
# is thrown away.
FROM python:3.11-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY ashby_mcp ./ashby_mcp
RUN python -m venv /opt/ashby-mcp \
    && /opt/ashby-mcp/bin/pip install --no-cache-dir /src

# Final stage: the same slim Python, the virtual environment and nothing else.
FROM python:3.11-slim-bookworm

RUN groupadd --system --gid 10001 ashby-mcp \
    && useradd --system --uid 10001 --gid ashby-mcp --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin ashby-mcp

COPY --from=build /opt/ashby-mcp /opt/ashby-mcp

ENV PATH=/opt/ashby-mcp/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

USER 10001:10001

# The HTTP transports listen here when the command sets --host 0.0.0.0; stdio uses no port.
EXPOSE 8000

# Passes in stdio mode, where no port listens; in HTTP mode it needs 200 from /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-m", "ashby_mcp.http.healthcheck"]

ENTRYPOINT ["ashby-mcp"]
CMD ["serve"]
