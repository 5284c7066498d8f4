"""Client authentication with a shared bearer token, and the SDK's Host/Origin settings."""

from __future__ import annotations

import hashlib
import hmac
import json

from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from ashby_mcp.http.options import HTTPOptions, allowed_host_patterns, allowed_origin_patterns

REALM = "ashby-mcp"
REJECT_REASON_KEY = "ashby_mcp.reject_reason"
"""ASGI scope key where a middleware states why it rejected a request, for the access log."""


def transport_security(options: HTTPOptions) -> TransportSecuritySettings:
    """Return DNS-rebinding protection settings: always on, with the configured allowlists.

    The SDK rejects a Host outside the list with 421 and an Origin outside it
    with 403. It turns the protection off when it gets no settings and binds a
    non-loopback address, which is why this always passes them.
    """
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=allowed_host_patterns(options),
        allowed_origins=allowed_origin_patterns(options),
    )


def _digest(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


class BearerTokenMiddleware:
    """Reject HTTP requests that lack `Authorization: Bearer <token>` with the configured token.

    The comparison runs on SHA-256 digests with `hmac.compare_digest`, so its
    time depends on neither the token's length nor the position of the first
    wrong character. Rejections are 401 with a `WWW-Authenticate` header as
    RFC 6750 section 3 describes.
    """

    def __init__(self, app: ASGIApp, token: SecretStr) -> None:
        self.app = app
        self._expected_digest = _digest(token.get_secret_value().encode("ascii"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # uvicorn runs with ws="none", so this is a second line of defence.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        values = [value for name, value in scope["headers"] if name == b"authorization"]
        if not values:
            await self._reject(scope, send, reason="missing bearer token", invalid=False)
            return
        scheme, _, credentials = values[0].partition(b" ")
        credentials = credentials.strip(b" ")
        if len(values) > 1 or scheme.lower() != b"bearer" or not credentials:
            await self._reject(scope, send, reason="malformed Authorization header", invalid=True)
            return
        if not hmac.compare_digest(_digest(credentials), self._expected_digest):
            await self._reject(scope, send, reason="invalid bearer token", invalid=True)
            return
        await self.app(scope, receive, send)

    async def _reject(self, scope: Scope, send: Send, *, reason: str, invalid: bool) -> None:
        scope[REJECT_REASON_KEY] = reason
        if invalid:
            challenge = f'Bearer realm="{REALM}", error="invalid_token", error_description="{reason}"'
            body = {"error": "invalid_token", "error_description": f"{reason}; send the server's token"}
        else:
            # RFC 6750 section 3.1: no error code when the request carried no credentials.
            challenge = f'Bearer realm="{REALM}"'
            body = {
                "error": "unauthorized",
                "error_description": "send 'Authorization: Bearer <token>' with the server's ASHBY_MCP_HTTP_TOKEN",
            }
        payload = json.dumps(body).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode("ascii")),
                    (b"www-authenticate", challenge.encode("ascii")),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
