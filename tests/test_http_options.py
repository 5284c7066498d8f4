"""Transport settings: environment parsing, startup checks and the Host/Origin allowlists."""

from __future__ import annotations

import pytest

from ashby_mcp.cli import build_parser
from ashby_mcp.errors import ConfigurationError
from ashby_mcp.http.options import (
    HTTPOptions,
    allowed_host_patterns,
    allowed_origin_patterns,
    check_startup,
    is_loopback,
    load_http_options,
)

TOKEN = "a" * 64


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ASHBY_MCP_TRANSPORT",
        "ASHBY_MCP_HOST",
        "ASHBY_MCP_PORT",
        "ASHBY_MCP_HTTP_PATH",
        "ASHBY_MCP_STATELESS",
        "ASHBY_MCP_HTTP_TOKEN",
        "ASHBY_MCP_ALLOW_UNAUTHENTICATED",
        "ASHBY_MCP_ALLOWED_HOSTS",
        "ASHBY_MCP_ALLOWED_ORIGINS",
        "ASHBY_MCP_MAX_REQUEST_BYTES",
        "ASHBY_MCP_SHUTDOWN_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("mcp.example.com", False),
        ("", False),
    ],
)
def test_loopback_detection(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_options_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASHBY_MCP_TRANSPORT", "streamable-http")
    monkeypatch.setenv("ASHBY_MCP_PORT", "9001")
    monkeypatch.setenv("ASHBY_MCP_STATELESS", "true")
    monkeypatch.setenv("ASHBY_MCP_ALLOWED_HOSTS", "mcp.example.com, ashby-mcp.default.svc")
    monkeypatch.setenv("ASHBY_MCP_HTTP_TOKEN", TOKEN)

    options = HTTPOptions()

    assert options.transport == "streamable-http"
    assert options.port == 9001
    assert options.stateless is True
    assert options.allowed_hosts == ["mcp.example.com", "ashby-mcp.default.svc"]
    assert options.http_token is not None
    assert options.http_token.get_secret_value() == TOKEN


def test_options_ignore_shell_path_and_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("HOST", "build-machine")

    options = HTTPOptions()

    assert options.http_path is None
    assert options.host == "127.0.0.1"


def test_flags_override_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASHBY_MCP_PORT", "9001")
    args = build_parser().parse_args(
        ["serve", "--transport", "sse", "--port", "9100", "--path", "/events", "--allowed-hosts", "a.example"]
    )

    options = load_http_options(args)

    assert options.transport == "sse"
    assert options.port == 9100
    assert options.mcp_path == "/events"
    assert options.allowed_hosts == ["a.example"]


def test_default_paths_follow_transport() -> None:
    assert HTTPOptions(transport="streamable-http").mcp_path == "/mcp"
    assert HTTPOptions(transport="sse").mcp_path == "/sse"


def test_invalid_flag_value_names_the_field() -> None:
    args = build_parser().parse_args(["serve", "--transport", "sse", "--path", "events"])

    with pytest.raises(ConfigurationError, match="http_path"):
        load_http_options(args)


def test_token_has_no_command_line_flag() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--http-token", TOKEN])


def test_wildcard_host_without_token_is_rejected() -> None:
    options = HTTPOptions(transport="streamable-http", host="0.0.0.0")

    with pytest.raises(ConfigurationError) as error:
        check_startup(options)

    message = str(error.value)
    assert "0.0.0.0" in message
    assert "ASHBY_MCP_HTTP_TOKEN" in message
    assert "ASHBY_MCP_ALLOW_UNAUTHENTICATED" in message
    assert "--host 127.0.0.1" in message


def test_explicit_opt_out_allows_unauthenticated() -> None:
    options = HTTPOptions(transport="sse", host="0.0.0.0", allow_unauthenticated=True, allowed_hosts=["x.example"])

    warnings = check_startup(options)

    assert any("without authentication" in warning for warning in warnings)


def test_loopback_without_token_warns() -> None:
    warnings = check_startup(HTTPOptions(transport="streamable-http"))

    assert any("ASHBY_MCP_HTTP_TOKEN is not set" in warning for warning in warnings)


def test_stdio_needs_no_token() -> None:
    assert check_startup(HTTPOptions(transport="stdio", host="0.0.0.0")) == []


@pytest.mark.parametrize("token", ["has space inside the token value 0123456789", 'quote"0123456789012345678901234567'])
def test_token_with_invalid_characters_is_rejected(token: str) -> None:
    options = HTTPOptions(transport="streamable-http", http_token=token)

    with pytest.raises(ConfigurationError) as error:
        check_startup(options)

    assert token not in str(error.value)


def test_short_token_warns_without_showing_it() -> None:
    options = HTTPOptions(transport="streamable-http", host="0.0.0.0", http_token="short-token", allowed_hosts=["a"])

    warnings = check_startup(options)

    assert any("shorter than" in warning for warning in warnings)
    assert not any("short-token" in warning for warning in warnings)


def test_empty_token_counts_as_missing() -> None:
    options = HTTPOptions(transport="streamable-http", host="0.0.0.0", http_token="  ")

    assert options.http_token is None
    with pytest.raises(ConfigurationError):
        check_startup(options)


def test_stateless_sse_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="streamable-http"):
        check_startup(HTTPOptions(transport="sse", stateless=True))


def test_health_paths_are_reserved() -> None:
    with pytest.raises(ConfigurationError, match="health"):
        check_startup(HTTPOptions(transport="streamable-http", http_path="/healthz"))


def test_wildcard_host_without_allowlist_warns() -> None:
    warnings = check_startup(HTTPOptions(transport="streamable-http", host="0.0.0.0", http_token=TOKEN))

    assert any("ASHBY_MCP_ALLOWED_HOSTS" in warning for warning in warnings)


def test_host_patterns_cover_loopback_bind_address_and_extras() -> None:
    options = HTTPOptions(
        transport="streamable-http", host="10.1.2.3", allowed_hosts=["mcp.example.com", "lb.example:8443", "fd00::5"]
    )

    patterns = allowed_host_patterns(options)

    for expected in (
        "127.0.0.1",
        "127.0.0.1:*",
        "localhost:*",
        "[::1]:*",
        "10.1.2.3",
        "10.1.2.3:*",
        "mcp.example.com",
        "mcp.example.com:*",
        "lb.example:8443",
        "[fd00::5]:*",
    ):
        assert expected in patterns
    assert "lb.example:8443:*" not in patterns


def test_host_patterns_skip_wildcard_bind_address() -> None:
    patterns = allowed_host_patterns(HTTPOptions(transport="streamable-http", host="0.0.0.0"))

    assert not any(pattern.startswith("0.0.0.0") for pattern in patterns)


def test_origin_patterns_extend_loopback() -> None:
    options = HTTPOptions(transport="sse", allowed_origins=["https://agents.example.com/"])

    patterns = allowed_origin_patterns(options)

    assert "http://localhost:*" in patterns
    assert "https://agents.example.com" in patterns
    assert "https://agents.example.com:*" in patterns


def test_origin_with_path_is_rejected() -> None:
    with pytest.raises(ValueError, match="not an origin"):
        HTTPOptions(allowed_origins=["https://agents.example.com/app"])
