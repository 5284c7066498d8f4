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


def _env(name: str, field_name: str) -> AliasChoices:
    # Only the prefixed variable: a bare name such as TOOLS or LOG_LEVEL in the
    # environment must not configure the server. Keyword arguments still work
    # by field name because populate_by_name is on.
    return AliasChoices(name)


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
    client_id: str | None = Field(None, validation_alias=_env("AIRBYTE_CLIENT_ID", "client_id"))
    client_secret: SecretStr | None = Field(None, validation_alias=_env("AIRBYTE_CLIENT_SECRET", "client_secret"))
    access_token: SecretStr | None = Field(None, validation_alias=_env("AIRBYTE_ACCESS_TOKEN", "access_token"))
    organization_id: str | None = Field(None, validation_alias=_env("AIRBYTE_ORGANIZATION_ID", "organization_id"))
    connector_id: str | None = Field(None, validation_alias=_env("AIRBYTE_CONNECTOR_ID", "connector_id"))
    workspace_name: str | None = Field(None, validation_alias=_env("AIRBYTE_WORKSPACE_NAME", "workspace_name"))
    api_url: str = Field(DEFAULT_API_URL, validation_alias=_env("AIRBYTE_API_URL", "api_url"))

    # Tools.
    demo: bool = Field(False, validation_alias=_env("ASHBY_MCP_DEMO", "demo"))
    tool_prefix: str = Field("", validation_alias=_env("ASHBY_MCP_TOOL_PREFIX", "tool_prefix"))
    tools: str = Field("", validation_alias=_env("ASHBY_MCP_TOOLS", "tools"))
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=100, validation_alias=_env("ASHBY_MCP_PAGE_SIZE", "page_size"))
    max_result_bytes: int = Field(
        DEFAULT_MAX_RESULT_BYTES,
        ge=MIN_RESULT_BYTES,
        validation_alias=_env("ASHBY_MCP_MAX_RESULT_BYTES", "max_result_bytes"),
    )
    list_view: Literal["summary", "full"] = Field(
        "summary", validation_alias=_env("ASHBY_MCP_LIST_VIEW", "list_view")
    )
    max_string_chars: int = Field(
        DEFAULT_MAX_STRING_CHARS, ge=20, validation_alias=_env("ASHBY_MCP_MAX_STRING_CHARS", "max_string_chars")
    )
    cursor_secret: SecretStr | None = Field(None, validation_alias=_env("ASHBY_MCP_CURSOR_SECRET", "cursor_secret"))

    # Upstream reliability; times are in seconds.
    connect_timeout: float = Field(5.0, gt=0, validation_alias=_env("ASHBY_MCP_CONNECT_TIMEOUT", "connect_timeout"))
    read_timeout: float = Field(30.0, gt=0, validation_alias=_env("ASHBY_MCP_READ_TIMEOUT", "read_timeout"))
    call_deadline: float = Field(60.0, gt=0, validation_alias=_env("ASHBY_MCP_CALL_DEADLINE", "call_deadline"))
    max_attempts: int = Field(4, ge=1, le=10, validation_alias=_env("ASHBY_MCP_MAX_ATTEMPTS", "max_attempts"))
    max_retry_after: float = Field(30.0, ge=0, validation_alias=_env("ASHBY_MCP_MAX_RETRY_AFTER", "max_retry_after"))
    max_concurrency: int = Field(16, ge=1, validation_alias=_env("ASHBY_MCP_MAX_CONCURRENCY", "max_concurrency"))
    max_body_bytes: int = Field(
        32 * 1024 * 1024, ge=1024, validation_alias=_env("ASHBY_MCP_MAX_BODY_BYTES", "max_body_bytes")
    )

    log_level: str = Field("INFO", validation_alias=_env("ASHBY_MCP_LOG_LEVEL", "log_level"))

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
                "Cannot reach Ashby:\n"
                f"{listed}\n"
                "Optional: AIRBYTE_ORGANIZATION_ID, AIRBYTE_API_URL.\n"
                "To try the server on built-in sample data instead, run: ashby-mcp serve --demo"
            )

    def safe_summary(self) -> dict[str, Any]:
        """Return the settings with every secret replaced by whether it is set."""
        summary = self.model_dump(exclude={"client_secret", "access_token", "cursor_secret"})
        for name in ("client_secret", "access_token", "cursor_secret"):
            summary[name] = "set" if getattr(self, name) else "unset"
        return summary
