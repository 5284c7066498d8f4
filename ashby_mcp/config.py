"""Settings, read from environment variables and overridden by CLI flags."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ashby_mcp.catalog import ENTITIES
from ashby_mcp.errors import ConfigurationError

DEFAULT_API_URL = "https://api.airbyte.ai"
DEFAULT_PAGE_SIZE = 20
# About 10,000 tokens of JSON: well under the ~25,000-token cut that hosts apply
# to one tool result, and leaves room for the rest of a conversation.
DEFAULT_MAX_RESULT_BYTES = 40_000
MIN_RESULT_BYTES = 2_000
DEFAULT_MAX_STRING_CHARS = 500
# A cut marker is about 80 characters, so shorter limits would make strings longer.
MIN_STRING_CHARS = 100


SECRET_FIELDS = frozenset({"client_secret", "access_token", "cursor_secret"})
"""Settings read only from the environment, so they never show in process listings."""


def _setting(default: Any, variable: str, description: str, **constraints: Any) -> Any:
    # The alias is the only environment name a field reads: a bare name such as
    # TOOLS must not configure the server. Keyword arguments still work by field
    # name because populate_by_name is on.
    return Field(default, validation_alias=AliasChoices(variable), description=description, **constraints)


class Settings(BaseSettings):
    """Everything the server can be configured with; secrets are `SecretStr` so reprs hide them."""

    model_config = SettingsConfigDict(
        # Field names are not environment names: each field reads only its alias.
        # The prefix keeps pydantic-settings from also reading bare names such as TOOLS.
        env_prefix="ASHBY_MCP_FIELD_",
        case_sensitive=False,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )

    # Upstream: Airbyte's hosted execute API.
    client_id: str | None = _setting(None, "AIRBYTE_CLIENT_ID", "Airbyte application client id")
    client_secret: SecretStr | None = _setting(None, "AIRBYTE_CLIENT_SECRET", "Airbyte application client secret")
    access_token: SecretStr | None = _setting(
        None, "AIRBYTE_ACCESS_TOKEN", "ready bearer token, instead of the client id and secret"
    )
    organization_id: str | None = _setting(None, "AIRBYTE_ORGANIZATION_ID", "sent as X-Organization-Id")
    connector_id: str | None = _setting(None, "AIRBYTE_CONNECTOR_ID", "id of the Ashby connector")
    workspace_name: str | None = _setting(
        None, "AIRBYTE_WORKSPACE_NAME", "look the connector id up in this Airbyte workspace"
    )
    api_url: str = _setting(DEFAULT_API_URL, "AIRBYTE_API_URL", "Airbyte API base URL")

    # Tools.
    demo: bool = _setting(False, "ASHBY_MCP_DEMO", "serve the built-in sample data instead of a real Ashby account")
    tool_prefix: str = _setting("", "ASHBY_MCP_TOOL_PREFIX", "prefix for every tool name")
    tools: str = _setting("", "ASHBY_MCP_TOOLS", "expose only these entities or tools, comma-separated")
    page_size: int = _setting(
        DEFAULT_PAGE_SIZE, "ASHBY_MCP_PAGE_SIZE", "records per page when a call sets no limit", ge=1, le=100
    )
    max_result_bytes: int = _setting(
        DEFAULT_MAX_RESULT_BYTES, "ASHBY_MCP_MAX_RESULT_BYTES", "byte budget of one tool result", ge=MIN_RESULT_BYTES
    )
    list_view: Literal["summary", "full"] = _setting(
        "summary", "ASHBY_MCP_LIST_VIEW", "summary: list results show summary fields; full: every field"
    )
    max_string_chars: int = _setting(
        DEFAULT_MAX_STRING_CHARS,
        "ASHBY_MCP_MAX_STRING_CHARS",
        "list results cut longer strings to this many characters",
        ge=MIN_STRING_CHARS,
    )
    cursor_secret: SecretStr | None = _setting(
        None, "ASHBY_MCP_CURSOR_SECRET", "key that signs cursors; set one value on every replica"
    )

    # Upstream reliability; times are in seconds.
    connect_timeout: float = _setting(5.0, "ASHBY_MCP_CONNECT_TIMEOUT", "seconds to open an upstream connection", gt=0)
    read_timeout: float = _setting(30.0, "ASHBY_MCP_READ_TIMEOUT", "seconds to wait for upstream data", gt=0)
    call_deadline: float = _setting(
        60.0, "ASHBY_MCP_CALL_DEADLINE", "seconds one tool call may spend upstream, retries included", gt=0
    )
    max_attempts: int = _setting(4, "ASHBY_MCP_MAX_ATTEMPTS", "upstream attempts per request", ge=1, le=10)
    max_retry_after: float = _setting(
        30.0, "ASHBY_MCP_MAX_RETRY_AFTER", "longest Retry-After, in seconds, the server waits", ge=0
    )
    max_concurrency: int = _setting(16, "ASHBY_MCP_MAX_CONCURRENCY", "upstream requests in flight at once", ge=1)
    max_body_bytes: int = _setting(
        32 * 1024 * 1024, "ASHBY_MCP_MAX_BODY_BYTES", "largest upstream response read into memory, in bytes", ge=1024
    )

    log_level: str = _setting("INFO", "ASHBY_MCP_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR; logs go to stderr")

    @classmethod
    def variable(cls, field_name: str) -> str:
        """Return the environment variable that sets a field."""
        alias = cls.model_fields[field_name].validation_alias
        assert isinstance(alias, AliasChoices)
        return str(alias.choices[0])

    @field_validator("api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"AIRBYTE_API_URL must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"ASHBY_MCP_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {value!r}")
        return level

    @model_validator(mode="after")
    def _check_tool_filter(self) -> Settings:
        self.enabled_tool_keys()  # raises on an unknown name
        return self

    def enabled_tool_keys(self) -> set[tuple[str, str]] | None:
        """Parse `tools` into (entity, action) pairs; None means every tool.

        Items are entity names (`candidates`) or tool names without the prefix
        (`candidates_get`), separated by commas or spaces.
        """
        items = [item for item in self.tools.replace(",", " ").split() if item]
        if not items:
            return None
        every: dict[str, set[tuple[str, str]]] = {}
        for entity in ENTITIES:
            every[entity.name] = {(entity.name, action) for action in entity.actions}
            for action in entity.actions:
                every[f"{entity.name}_{action}"] = {(entity.name, action)}
        selected: set[tuple[str, str]] = set()
        for item in items:
            name = item.removeprefix(self.tool_prefix) if self.tool_prefix else item
            if name not in every:
                raise ValueError(
                    f"ASHBY_MCP_TOOLS names unknown entity or tool {item!r}; use entity names "
                    f"such as 'candidates' or tool names such as 'candidates_get' (see `ashby-mcp tools`)"
                )
            selected |= every[name]
        return selected

    def check_credentials(self) -> None:
        """Raise ConfigurationError unless the execute API can be reached with these settings."""
        if self.demo:
            return
        problems = []
        has_pair = bool(self.client_id and self.client_secret)
        if not has_pair and not self.access_token:
            if self.client_id and not self.client_secret:
                problems.append("AIRBYTE_CLIENT_SECRET is missing (AIRBYTE_CLIENT_ID is set)")
            elif self.client_secret and not self.client_id:
                problems.append("AIRBYTE_CLIENT_ID is missing (AIRBYTE_CLIENT_SECRET is set)")
            else:
                problems.append(
                    "no credentials: set AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET "
                    "(from your Airbyte organisation settings), or AIRBYTE_ACCESS_TOKEN"
                )
        if not self.connector_id and not self.workspace_name:
            problems.append(
                "no connector: set AIRBYTE_CONNECTOR_ID to your Ashby connector's id, "
                "or AIRBYTE_WORKSPACE_NAME to look it up"
            )
        if problems:
            listed = "\n".join(f"  - {problem}" for problem in problems)
            raise ConfigurationError(
                "Missing settings for the Airbyte execute API:\n"
                f"{listed}\n"
                "Optional: AIRBYTE_ORGANIZATION_ID, AIRBYTE_API_URL.\n"
                "To try ashby-mcp on built-in sample data instead, add --demo "
                "(ashby-mcp serve --demo, call --demo or check --demo)."
            )

    def safe_summary(self) -> dict[str, Any]:
        """Return the settings with every secret replaced by whether it is set."""
        summary = self.model_dump(exclude={"client_secret", "access_token", "cursor_secret"})
        for name in ("client_secret", "access_token", "cursor_secret"):
            summary[name] = "set" if getattr(self, name) else "unset"
        return summary
