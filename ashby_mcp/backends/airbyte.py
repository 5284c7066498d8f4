"""Client for Airbyte's hosted execute API, the default backend.

Every call is `POST {api_url}/api/v1/integrations/connectors/{connector_id}/execute`
with `{"entity", "action", "params"}` and a bearer token. Tokens come from
the token endpoint in exchange for client credentials, or from the settings.
Transient failures (429, 5xx, timeouts, connection errors, unreadable bodies)
are retried with backoff inside one per-call deadline; everything else maps
onto the `ashby_mcp.errors` tree.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio

from ashby_mcp import __version__
from ashby_mcp.backends.auth import TokenProvider
from ashby_mcp.backends.base import Page
from ashby_mcp.backends.retry import RETRYABLE_STATUS, RetryPolicy, parse_retry_after
from ashby_mcp.config import Settings
from ashby_mcp.errors import (
    ConfigurationError,
    CredentialsError,
    NotFoundError,
    RateLimitedError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamRequestError,
    UpstreamUnavailableError,
    cap_text,
)

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("ashby_mcp.upstream")

TOKEN_PATH = "/api/v1/account/applications/token"
CONNECTORS_PATH = "/api/v1/integrations/connectors"
ASHBY_DEFINITION_ID = "4e8c9fa0-3634-499b-b948-11581b5c3efa"
USER_AGENT = f"ashby-mcp/{__version__}"
RETRY_OR_REPORT = " Try again later; if it repeats, report it to your Airbyte administrator."


class _Retryable(Exception):
    """An attempt failed in a way that another attempt may fix."""

    def __init__(self, error: UpstreamError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _describe_body(body: Any, redact: Callable[[str], str]) -> str:
    """Pull the human message out of an Airbyte error body, with secrets redacted, length-capped."""
    if isinstance(body, dict):
        parts = []
        for key in ("message", "detail", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                parts.append(value)
            elif value is not None and key == "detail":
                parts.append(_compact_json(value))
        errors = body.get("errors")
        if isinstance(errors, list):
            for item in errors[:5]:
                if isinstance(item, dict):
                    field = item.get("field")
                    message = item.get("message") or item.get("error_code") or ""
                    parts.append(f"{field}: {message}" if field else str(message))
                elif isinstance(item, str):
                    parts.append(item)
        if parts:
            return cap_text(redact("; ".join(parts)))
    if isinstance(body, str) and body.strip():
        return cap_text(redact(body))
    return "no message"


def _compact_json(value: Any) -> str:
    try:
        return json.dumps(value)
    except (ValueError, RecursionError):
        return "unreadable detail"


def _unreadable_list(entity: str, problem: str) -> UpstreamProtocolError:
    return UpstreamProtocolError(f"The upstream returned a {entity} list with {problem}.{RETRY_OR_REPORT}")


class AirbyteExecuteBackend:
    """Backend that forwards each action to Airbyte's execute endpoint."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        self._base_url = settings.api_url
        self._connector_id = settings.connector_id
        self.policy = RetryPolicy(
            max_attempts=settings.max_attempts,
            max_retry_after=settings.max_retry_after,
            deadline=settings.call_deadline,
        )
        self._transport = transport
        # Built on the first request: importing httpx and loading the TLS trust store
        # take about 40 ms, which `tools/list` at start-up does not need.
        self._client: httpx.AsyncClient | None = None
        self._limiter = anyio.CapacityLimiter(settings.max_concurrency)
        static = settings.access_token.get_secret_value() if settings.access_token else None
        has_pair = bool(settings.client_id and settings.client_secret)
        self.tokens = TokenProvider(self._fetch_token if has_pair else None, None if has_pair else static)
        self._connector_lock = anyio.Lock()

    # Backend interface

    async def list(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> Page:
        body = await self.execute(entity, "list", params, select_fields)
        result = body["result"]
        metadata = body.get("connector_metadata") or {}
        if isinstance(result, dict) and "success" in result:
            result, metadata = self._unwrap_ashby_list(entity, result)

        if not isinstance(result, list) or not all(isinstance(record, dict) for record in result):
            raise _unreadable_list(entity, "a result that is not a list of records")
        if not isinstance(metadata, dict):
            raise _unreadable_list(entity, "unreadable connector_metadata")
        cursor = metadata.get("cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise _unreadable_list(entity, "a cursor that is not a string")
        has_more = metadata.get("has_more")
        if has_more is None:
            has_more = cursor is not None
        if not isinstance(has_more, bool):
            raise _unreadable_list(entity, "has_more that is not a boolean")
        if has_more and not cursor:
            raise _unreadable_list(entity, "has_more set but no cursor to fetch the next page")

        return Page(records=result, cursor=cursor if has_more else None, has_more=has_more)

    async def get(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> dict[str, Any]:
        body = await self.execute(entity, "get", params, select_fields)
        result = body["result"]
        if isinstance(result, dict) and "success" in result:
            # Ashby's raw envelope passed through: {"success": true, "results": {...}}.
            self._raise_for_ashby_failure(entity, result)
            result = result.get("results")
        if not isinstance(result, dict):
            raise UpstreamProtocolError(
                f"The upstream returned {entity} get with a result that is not a record.{RETRY_OR_REPORT}"
            )
        return result

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _http_client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            settings = self._settings
            self._client = httpx.AsyncClient(
                base_url=self._base_url,
                transport=self._transport,
                timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                follow_redirects=False,
            )
        return self._client

    def _redact(self, text: str) -> str:
        """Replace the client secret and recent tokens in upstream text, which may echo them."""
        secret = self._settings.client_secret
        for value in (secret.get_secret_value() if secret else None, *self.tokens.recent()):
            if value and value in text:
                text = text.replace(value, "[redacted]")
        return text

    # Execute

    async def execute(
        self,
        entity: str,
        action: str,
        params: dict[str, Any],
        select_fields: list[str] | None = None,
    ) -> dict[str, Any]:
        """Send one execute request, retrying transient failures, and return the parsed body."""
        connector_id = await self._resolve_connector_id()
        payload: dict[str, Any] = {"entity": entity, "action": action, "params": params}
        if select_fields:
            payload["select_fields"] = select_fields
        path = f"{CONNECTORS_PATH}/{connector_id}/execute"
        label = f"{entity} {action}"

        async def attempt() -> dict[str, Any]:
            token = await self.tokens.get()
            response = await self._post(path, payload, token)
            if response.status_code == 401:
                token = await self.tokens.reject(token)
                response = await self._post(path, payload, token)
            return self._parse_execute(response, label)

        return await self._with_retries(attempt, label)

    async def _post(self, path: str, payload: dict[str, Any], token: str) -> _Response:
        headers = {"Authorization": f"Bearer {token}"}
        if self._settings.organization_id:
            headers["X-Organization-Id"] = self._settings.organization_id
        return await self._request("POST", path, json=payload, headers=headers)

    async def _request(self, method: str, path: str, **kwargs: Any) -> _Response:
        """Send one request and read at most `max_body_bytes` of its body."""
        import httpx

        limit = self._settings.max_body_bytes
        async with self._limiter:
            try:
                async with self._http_client().stream(method, path, **kwargs) as response:
                    chunks = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise UpstreamProtocolError(
                                f"The upstream response exceeded {limit} bytes (ASHBY_MCP_MAX_BODY_BYTES). "
                                "Request a smaller page with limit or fewer fields with fields, or raise "
                                "ASHBY_MCP_MAX_BODY_BYTES."
                            )
                        chunks.append(chunk)
            except httpx.TimeoutException as exc:
                raise _Retryable(
                    UpstreamUnavailableError(f"The request to {self._base_url} timed out ({type(exc).__name__}).")
                ) from None
            except (httpx.TransportError, httpx.StreamError) as exc:
                # Connection refused or reset, body cut short, protocol violations.
                raise _Retryable(
                    UpstreamUnavailableError(
                        f"The upstream connection failed ({type(exc).__name__}) for {self._base_url}."
                        + (" Check AIRBYTE_API_URL and the network." if isinstance(exc, httpx.ConnectError) else "")
                    )
                ) from None
        return _Response(response.status_code, response.headers, b"".join(chunks))

    async def _with_retries(self, attempt: Any, label: str) -> Any:
        policy = self.policy
        started = time.monotonic()
        deadline = started + policy.deadline
        last: _Retryable | None = None
        for number in range(1, policy.max_attempts + 1):
            attempt_started = time.monotonic()
            try:
                with anyio.fail_after(max(0.0, deadline - attempt_started)):
                    result = await attempt()
            except _Retryable as retryable:
                last = retryable
                logger.warning(
                    "upstream %s failed (attempt %d of %d): %s", label, number, policy.max_attempts, retryable
                )
            except TimeoutError:
                raise UpstreamUnavailableError(
                    f"The upstream did not respond to {label} within the {policy.deadline:g} s call deadline "
                    "(ASHBY_MCP_CALL_DEADLINE). Try again later."
                ) from None
            else:
                logger.info(
                    "upstream %s ok in %.0f ms (attempt %d)", label, (time.monotonic() - attempt_started) * 1000, number
                )
                return result

            if number == policy.max_attempts:
                break
            wait = policy.backoff(number)
            if last.retry_after is not None:
                if last.retry_after > policy.max_retry_after:
                    raise RateLimitedError(
                        f"The upstream is rate limiting {label} and asked to retry after "
                        f"{last.retry_after:g} s, longer than the {policy.max_retry_after:g} s this server "
                        f"waits (ASHBY_MCP_MAX_RETRY_AFTER). Retry after {last.retry_after:g} s.",
                        retry_after=last.retry_after,
                    )
                wait = max(wait, last.retry_after)
            if time.monotonic() + wait >= deadline:
                break
            await anyio.sleep(wait)

        assert last is not None
        error = last.error
        attempts = f"after {number} attempt{'s' if number > 1 else ''}"
        if isinstance(error, RateLimitedError):
            when = "Wait a minute" if error.retry_after is None else f"Wait {error.retry_after:g} s"
            raise RateLimitedError(f"{error} Gave up {attempts}. {when}, then retry.", retry_after=error.retry_after)
        raise type(error)(f"{error} Gave up {attempts}; try again later.", status_code=error.status_code)

    def _parse_execute(self, response: _Response, label: str) -> dict[str, Any]:
        status = response.status_code
        if status == 200:
            body = response.json_or_none()
            if not isinstance(body, dict) or "result" not in body:
                raise _Retryable(
                    UpstreamProtocolError(f"The upstream returned {label} with an unreadable body (HTTP 200).")
                )
            if body.get("status") not in (None, "success"):
                raise UpstreamRequestError(
                    f"The upstream returned {label} with status {cap_text(self._redact(str(body.get('status'))), 40)}: "
                    f"{_describe_body(body, self._redact)}"
                )
            if body.get("warning"):
                logger.info("upstream %s warning: %s", label, cap_text(self._redact(str(body["warning"]))))
            return body
        raise self._status_error(response, label)

    def _status_error(self, response: _Response, label: str) -> Exception:
        status = response.status_code
        detail = _describe_body(response.json_or_none() or response.text_or_empty(), self._redact)
        if status in (400, 422):
            hint = ""
            if "organization" in detail.lower():
                hint = " Set AIRBYTE_ORGANIZATION_ID to the organisation that owns the connector."
            return UpstreamRequestError(
                f"The upstream rejected {label} (HTTP {status}): {detail}.{hint}", status_code=status
            )
        if status in (401, 403):
            return CredentialsError(
                f"The upstream rejected the credentials for {label} (HTTP {status}): {detail}. "
                "Check AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET (or AIRBYTE_ACCESS_TOKEN) and "
                "AIRBYTE_ORGANIZATION_ID.",
                status_code=status,
            )
        if status == 404:
            return NotFoundError(
                f"Not found for {label} (HTTP 404): {detail}. If this repeats for every call, check "
                "AIRBYTE_CONNECTOR_ID and that the connector is enabled for agents.",
                status_code=404,
            )
        if status in RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status == 429:
                error: UpstreamError = RateLimitedError(
                    f"The upstream is rate limiting {label} (HTTP 429).", retry_after=retry_after
                )
            else:
                error = UpstreamUnavailableError(
                    f"The upstream failed on {label} (HTTP {status}): {detail}.", status_code=status
                )
            return _Retryable(error, retry_after)
        return UpstreamProtocolError(f"The upstream returned {label} with unexpected HTTP {status}: {detail}.")

    # Ashby envelopes passed through by the connector

    def _raise_for_ashby_failure(self, entity: str, envelope: dict[str, Any]) -> None:
        if envelope.get("success") is not False:
            return
        info = envelope.get("errorInfo") if isinstance(envelope.get("errorInfo"), dict) else {}
        codes = [str(code) for code in envelope.get("errors") or [] if isinstance(code, str | int)]
        code = str(info.get("code") or (codes[0] if codes else "unknown_error"))
        code = cap_text(self._redact(code), 80)
        message = cap_text(self._redact(str(info.get("message") or ", ".join(codes) or "no message")))
        if code.endswith("_not_found") or any(item.endswith("_not_found") for item in codes):
            raise NotFoundError(
                f"Ashby has no {entity} record with that id ({code}): {message}. Check the id; "
                f"the {entity} list tool returns valid ids."
            )
        if code == "missing_endpoint_permission":
            raise CredentialsError(
                f"The Ashby API key behind the connector lacks permission for {entity} ({code}): {message}. "
                f"Ask an Ashby admin to give that key read access to {entity}, then retry."
            )
        raise UpstreamRequestError(
            f"Ashby rejected the {entity} request ({code}): {message}. Check the arguments; if they are "
            "right, report it to your Airbyte administrator."
        )

    def _unwrap_ashby_list(self, entity: str, envelope: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        self._raise_for_ashby_failure(entity, envelope)
        more = envelope.get("moreDataAvailable")
        return envelope.get("results"), {"cursor": envelope.get("nextCursor") if more else None, "has_more": bool(more)}

    # Tokens and connector lookup

    async def _fetch_token(self) -> tuple[str, float]:
        settings = self._settings
        assert settings.client_id and settings.client_secret
        payload = {"client_id": settings.client_id, "client_secret": settings.client_secret.get_secret_value()}

        async def attempt() -> tuple[str, float]:
            response = await self._request("POST", TOKEN_PATH, json=payload)
            if response.status_code == 200:
                body = response.json_or_none()
                token = body.get("access_token") if isinstance(body, dict) else None
                lifetime = body.get("expires_in", 900) if isinstance(body, dict) else None
                if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
                    raise UpstreamProtocolError("The token endpoint returned with an unreadable body.")
                return token, float(lifetime)
            if response.status_code in (400, 401, 403, 422):
                raise CredentialsError(
                    f"The token endpoint rejected AIRBYTE_CLIENT_ID/AIRBYTE_CLIENT_SECRET "
                    f"(HTTP {response.status_code}). Check both values in your Airbyte organisation settings.",
                    status_code=response.status_code,
                )
            if response.status_code in RETRYABLE_STATUS:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                raise _Retryable(
                    UpstreamUnavailableError(
                        f"The token endpoint failed (HTTP {response.status_code}).", status_code=response.status_code
                    ),
                    retry_after,
                )
            raise UpstreamProtocolError(f"The token endpoint returned unexpected HTTP {response.status_code}.")

        try:
            return await self._with_retries(attempt, "token request")
        except UpstreamUnavailableError as exc:
            if exc.status_code != 500:
                raise  # a timeout or a refused connection is no sign of wrong credentials
            # The token endpoint has been seen returning 500 for wrong credentials.
            raise CredentialsError(
                f"{exc} The token endpoint also returns 500 for wrong credentials: check "
                "AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET."
            ) from None

    async def _resolve_connector_id(self) -> str:
        if self._connector_id:
            return self._connector_id
        async with self._connector_lock:
            if self._connector_id:
                return self._connector_id
            name = self._settings.workspace_name
            if not name:
                raise ConfigurationError("Set AIRBYTE_CONNECTOR_ID or AIRBYTE_WORKSPACE_NAME.")
            query = {"workspace_name": name, "definition_id": ASHBY_DEFINITION_ID}

            async def attempt() -> Any:
                token = await self.tokens.get()
                response = await self._request(
                    "GET", CONNECTORS_PATH, params=query, headers={"Authorization": f"Bearer {token}"}
                )
                if response.status_code != 200:
                    raise self._status_error(response, "connector lookup")
                return response.json_or_none()

            body = await self._with_retries(attempt, "connector lookup")
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise UpstreamProtocolError("The connector lookup returned with an unreadable body.")
            ids = [item.get("id") for item in data if isinstance(item, dict) and isinstance(item.get("id"), str)]
            if len(ids) != 1:
                found = "no Ashby connector" if not ids else f"{len(ids)} Ashby connectors"
                raise ConfigurationError(
                    f"Workspace {name!r} has {found}; set AIRBYTE_CONNECTOR_ID to pick one explicitly."
                )
            self._connector_id = ids[0]
            logger.info("resolved connector id for workspace %r", name)
            return ids[0]


class _Response:
    """A fully read response, so that the connection returns to the pool at once."""

    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code: int, headers: httpx.Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    def json_or_none(self) -> Any:
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: nesting deeper than the parser's limit of about 1,000 levels.
            return None

    def text_or_empty(self) -> str:
        return self.content.decode("utf-8", errors="replace")
