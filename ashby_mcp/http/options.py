"""HTTP transport settings: environment variables, CLI flags and the startup checks."""

from __future__ import annotations

import argparse
import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ashby_mcp.errors import ConfigurationError

Transport = Literal["stdio", "sse", "streamable-http"]
TRANSPORTS: tuple[str, ...] = ("stdio", "sse", "streamable-http")

DEFAULT_PORT = 8000
DEFAULT_STREAMABLE_HTTP_PATH = "/mcp"
DEFAULT_SSE_PATH = "/sse"
DEFAULT_SSE_MESSAGES_PATH = "/messages/"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# Tool arguments are ids, filters and cursors of at most a few KiB, so 1 MiB
# leaves a wide margin and still stops a client from making the server buffer
# large bodies. The mcp SDK's own default is 4 MiB.
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
# Kubernetes sends SIGKILL 30 s after SIGTERM unless the pod sets
# terminationGracePeriodSeconds, so 25 s leaves time to close the upstream client.
DEFAULT_SHUTDOWN_TIMEOUT = 25.0

LOOPBACK_HOST_NAMES = ("127.0.0.1", "localhost", "[::1]")
LOOPBACK_ORIGINS = ("http://127.0.0.1", "http://localhost", "http://[::1]")
# RFC 6750 section 2.1, b64token: the characters a bearer token may contain.
_BEARER_TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
_ORIGIN = re.compile(r"^https?://[^/?#\s]+$")
MIN_TOKEN_CHARS = 32


def _split_list(value: Any) -> Any:
    if isinstance(value, str):
        return [item for item in re.split(r"[,\s]+", value) if item]
    return value


class HTTPOptions(BaseSettings):
    """Listening settings of `ashby-mcp serve`: transport, address, authentication and limits."""

    # Each field is read from ASHBY_MCP_<FIELD NAME>. No aliases: with
    # populate_by_name, pydantic-settings would also read a bare `PATH` or `HOST`.
    model_config = SettingsConfigDict(
        env_prefix="ASHBY_MCP_",
        case_sensitive=False,
        extra="ignore",
        frozen=True,
    )

    transport: Transport = "stdio"
    host: str = "127.0.0.1"
    port: int = Field(DEFAULT_PORT, ge=0, le=65535)
    http_path: str | None = None
    """URL path of the MCP endpoint. None picks /mcp (streamable HTTP) or /sse (SSE)."""
    sse_messages_path: str = DEFAULT_SSE_MESSAGES_PATH
    stateless: bool = False

    http_token: SecretStr | None = None
    allow_unauthenticated: bool = False
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_request_bytes: int = Field(DEFAULT_MAX_REQUEST_BYTES, ge=1024)
    shutdown_timeout: float = Field(DEFAULT_SHUTDOWN_TIMEOUT, ge=0)
    """Seconds that in-flight requests get to finish after SIGTERM or SIGINT."""

    _split_hosts = field_validator("allowed_hosts", "allowed_origins", mode="before")(_split_list)

    @field_validator("http_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("http_path", "sse_messages_path")
    @classmethod
    def _check_path(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith("/") or "?" in value or "#" in value):
            raise ValueError(f"must be a URL path starting with '/', got {value!r}")
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        origins = [origin.rstrip("/") for origin in value]
        for origin in origins:
            if not _ORIGIN.match(origin):
                raise ValueError(
                    f"{origin!r} is not an origin. Write scheme://host[:port] with no path, "
                    "e.g. https://agents.example.com"
                )
        return origins

    @property
    def mcp_path(self) -> str:
        """The URL path of the MCP endpoint (the SSE stream's path for `sse`)."""
        if self.http_path:
            return self.http_path
        return DEFAULT_SSE_PATH if self.transport == "sse" else DEFAULT_STREAMABLE_HTTP_PATH


def is_loopback(host: str) -> bool:
    """Return whether binding `host` keeps the server reachable from this machine only."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """Return whether `host` binds every interface (0.0.0.0, :: or an empty string)."""
    name = host.strip().strip("[]")
    if not name:
        return True
    try:
        return ipaddress.ip_address(name).is_unspecified
    except ValueError:
        return False


def _host_header_name(host: str) -> str:
    """Write `host` the way it appears in a Host header: IPv6 addresses in brackets."""
    name = host.strip()
    try:
        if ipaddress.ip_address(name.strip("[]")).version == 6:
            return f"[{name.strip('[]')}]"
    except ValueError:
        pass
    return name.lower()


def _has_port(host: str) -> bool:
    if host.startswith("["):
        return "]:" in host
    return ":" in host


def allowed_host_patterns(options: HTTPOptions) -> list[str]:
    """List the Host header values the MCP endpoint accepts.

    Loopback names, the address the server binds (unless it binds every
    interface) and ASHBY_MCP_ALLOWED_HOSTS. A name given without a port is
    accepted with any port, in the `name:*` form the mcp SDK matches.
    """
    names = list(LOOPBACK_HOST_NAMES)
    if not is_wildcard(options.host):
        names.append(_host_header_name(options.host))
    names.extend(_host_header_name(name) for name in options.allowed_hosts)
    patterns: list[str] = []
    for name in names:
        candidates = [name] if _has_port(name) else [name, f"{name}:*"]
        patterns.extend(candidate for candidate in candidates if candidate not in patterns)
    return patterns


def allowed_origin_patterns(options: HTTPOptions) -> list[str]:
    """List the Origin header values the MCP endpoint accepts: loopback pages and ASHBY_MCP_ALLOWED_ORIGINS."""
    patterns: list[str] = []
    for origin in [*LOOPBACK_ORIGINS, *options.allowed_origins]:
        port_given = _has_port(origin.split("://", 1)[1])
        candidates = [origin] if port_given else [origin, f"{origin}:*"]
        patterns.extend(candidate for candidate in candidates if candidate not in patterns)
    return patterns


def check_startup(options: HTTPOptions) -> list[str]:
    """Raise ConfigurationError for an unsafe or contradictory setup, and return warnings to log.

    The token's value never appears in a message.
    """
    if options.transport == "stdio":
        return []
    if options.stateless and options.transport != "streamable-http":
        raise ConfigurationError(
            "--stateless (ASHBY_MCP_STATELESS) applies only to --transport streamable-http: "
            "an SSE session lives on the replica that holds its event stream."
        )
    if options.transport == "sse" and options.mcp_path.rstrip("/") == options.sse_messages_path.rstrip("/"):
        raise ConfigurationError(
            f"The SSE stream path and the messages path are both {options.mcp_path!r}. "
            "Give them different values with --path and --messages-path."
        )

    paths = [("--path", options.mcp_path)]
    if options.transport == "sse":
        paths.append(("--messages-path", options.sse_messages_path))
    for label, value in paths:
        if value.rstrip("/") in (HEALTH_PATH, READY_PATH):
            raise ConfigurationError(f"{label} {value!r} is taken by the health checks; choose another path.")

    warnings: list[str] = []
    token = options.http_token.get_secret_value() if options.http_token else None
    if token is not None:
        if not _BEARER_TOKEN.match(token):
            raise ConfigurationError(
                "ASHBY_MCP_HTTP_TOKEN contains characters that a bearer token cannot carry "
                "(whitespace, quotes, commas or other punctuation). Use letters, digits and - . _ ~ + / "
                "with optional trailing '=', for example the output of `openssl rand -hex 32`."
            )
        if len(token) < MIN_TOKEN_CHARS:
            warnings.append(
                f"ASHBY_MCP_HTTP_TOKEN is shorter than {MIN_TOKEN_CHARS} characters. "
                "Use a long random value, for example `openssl rand -hex 32`."
            )
    elif not is_loopback(options.host):
        if not options.allow_unauthenticated:
            raise ConfigurationError(
                f"Serving on {options.host!r} requires authentication, because any client that can "
                "reach this address could read your Ashby data. Do one of:\n"
                "  - set ASHBY_MCP_HTTP_TOKEN to a long random secret, for example\n"
                '      export ASHBY_MCP_HTTP_TOKEN="$(openssl rand -hex 32)"\n'
                "    and have clients send 'Authorization: Bearer <token>';\n"
                "  - set ASHBY_MCP_ALLOW_UNAUTHENTICATED=true (or pass --allow-unauthenticated) when a "
                "proxy in front of this server authenticates every client;\n"
                "  - bind a loopback address instead: --host 127.0.0.1."
            )
        warnings.append(
            f"Serving on {options.host!r} without authentication because ASHBY_MCP_ALLOW_UNAUTHENTICATED "
            "is set: every client that can reach this address can call the tools."
        )
    else:
        warnings.append(
            "ASHBY_MCP_HTTP_TOKEN is not set: every process on this machine can call the tools. "
            "Set it to require 'Authorization: Bearer <token>'."
        )

    if is_wildcard(options.host) and not options.allowed_hosts:
        warnings.append(
            f"Serving on {options.host!r} but ASHBY_MCP_ALLOWED_HOSTS is empty, so only requests whose "
            "Host header is a loopback name are accepted, and others get 421. Add the names clients use, "
            "e.g. ASHBY_MCP_ALLOWED_HOSTS=mcp.example.com,ashby-mcp.default.svc."
        )
    return warnings


# CLI flag -> (HTTPOptions field, type, help). None as a default lets the environment apply.
_HTTP_FLAGS: dict[str, tuple[str, type, str]] = {
    "--host": ("host", str, "interface to bind for sse and streamable-http (ASHBY_MCP_HOST, default 127.0.0.1)"),
    "--port": ("port", int, f"TCP port; 0 picks a free one (ASHBY_MCP_PORT, default {DEFAULT_PORT})"),
    "--path": (
        "http_path",
        str,
        f"URL path of the MCP endpoint (ASHBY_MCP_HTTP_PATH, default {DEFAULT_STREAMABLE_HTTP_PATH} "
        f"for streamable-http, {DEFAULT_SSE_PATH} for sse)",
    ),
    "--messages-path": (
        "sse_messages_path",
        str,
        "URL path that SSE clients POST messages to "
        f"(ASHBY_MCP_SSE_MESSAGES_PATH, default {DEFAULT_SSE_MESSAGES_PATH})",
    ),
    "--allowed-hosts": (
        "allowed_hosts",
        str,
        "extra Host header names to accept, comma-separated; loopback names are always accepted "
        "(ASHBY_MCP_ALLOWED_HOSTS)",
    ),
    "--allowed-origins": (
        "allowed_origins",
        str,
        "extra Origin values to accept, comma-separated, e.g. https://agents.example.com (ASHBY_MCP_ALLOWED_ORIGINS)",
    ),
    "--max-request-bytes": (
        "max_request_bytes",
        int,
        f"largest request body in bytes; larger ones get 413 (ASHBY_MCP_MAX_REQUEST_BYTES, "
        f"default {DEFAULT_MAX_REQUEST_BYTES})",
    ),
    "--shutdown-timeout": (
        "shutdown_timeout",
        float,
        f"seconds in-flight requests get to finish after SIGTERM or SIGINT (ASHBY_MCP_SHUTDOWN_TIMEOUT, "
        f"default {DEFAULT_SHUTDOWN_TIMEOUT:g})",
    ),
}


def add_http_flags(parser: argparse.ArgumentParser) -> None:
    """Add the transport flags to the `serve` parser. The bearer token has no flag because it is env-only."""
    group = parser.add_argument_group(
        "transport (each overrides its environment variable; the bearer token is read from "
        "ASHBY_MCP_HTTP_TOKEN only, so it stays out of process listings)"
    )
    group.add_argument(
        "--transport",
        choices=TRANSPORTS,
        default=None,
        help="stdio (default), sse or streamable-http (ASHBY_MCP_TRANSPORT)",
    )
    for flag, (dest, kind, help_text) in _HTTP_FLAGS.items():
        group.add_argument(flag, dest=dest, type=kind, default=None, help=help_text)
    group.add_argument(
        "--stateless",
        action="store_true",
        default=None,
        help="streamable-http only: keep no session between requests, so any replica can serve any "
        "request (ASHBY_MCP_STATELESS)",
    )
    group.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        default=None,
        help="allow serving a non-loopback address without ASHBY_MCP_HTTP_TOKEN, for a proxy that "
        "authenticates clients itself (ASHBY_MCP_ALLOW_UNAUTHENTICATED)",
    )


def load_http_options(args: argparse.Namespace) -> HTTPOptions:
    """Build HTTPOptions from the environment, with the `serve` flags taking precedence."""
    dests = ["transport", "stateless", "allow_unauthenticated", *(dest for dest, _, _ in _HTTP_FLAGS.values())]
    overrides = {dest: getattr(args, dest) for dest in dests if getattr(args, dest, None) is not None}
    try:
        return HTTPOptions(**overrides)
    except ValidationError as exc:
        # e["msg"] only: the input value of a failed field could be the token.
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'options'}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"Invalid transport settings: {problems}") from None
