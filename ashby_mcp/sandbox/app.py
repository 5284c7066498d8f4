"""The sandbox ASGI app: Airbyte's token, execute and connector lookup endpoints."""

from __future__ import annotations

import hmac
import json
import logging
import time

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ashby_mcp.sandbox.config import ASHBY_DEFINITION_ID, COUNTED_ENTITIES, SandboxConfig
from ashby_mcp.sandbox.cursors import CursorCodec
from ashby_mcp.sandbox.dataset import Dataset
from ashby_mcp.sandbox.execute import (
    ExecuteCall,
    ExecuteOutcome,
    parse_execute_body,
    run_get,
    run_list,
    validate_call,
)
from ashby_mcp.sandbox.fault_injection import alter_outcome, render, respond_before_run
from ashby_mcp.sandbox.faults import Fault, FaultQueue
from ashby_mcp.sandbox.responses import RequestRejected, body_error_response, detail_response
from ashby_mcp.sandbox.tokens import TokenStatus, TokenStore

logger = logging.getLogger(__name__)

TOKEN_PATH = "/api/v1/account/applications/token"
EXECUTE_PATH = "/api/v1/integrations/connectors/{connector_id}/execute"
CONNECTORS_PATH = "/api/v1/integrations/connectors"
CONTROL_PATH = "/_sandbox/faults"


class Sandbox:
    """State and request handlers of one sandbox app."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.dataset = Dataset(config)
        counts = ",".join(str(config.count(name)) for name in COUNTED_ENTITIES)
        self.cursors = CursorCodec(f"{config.seed}:{config.connector_id}:{counts}")
        self.tokens = TokenStore(config.token_ttl_seconds, config.static_tokens)
        self.faults = FaultQueue(config.faults)

    async def token(self, request: Request) -> Response:
        """Exchange client credentials for a bearer token."""
        fault = self.faults.take("token")
        if fault is not None:
            logger.info("injecting fault %s into a token request", fault.name)
            response = await respond_before_run(fault, request)
            if response is not None:
                return response
        raw = await request.body()
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            return body_error_response([0], "JSON decode error", "json_invalid")
        if not isinstance(body, dict):
            return body_error_response([], "Input should be a valid dictionary or object", "model_attributes_type")
        for name in ("client_id", "client_secret"):
            if name not in body:
                return body_error_response([name], "Field required", "missing")
            if not isinstance(body[name], str):
                return body_error_response([name], "Input should be a valid string", "string_type")

        id_matches = hmac.compare_digest(body["client_id"].encode(), self.config.client_id.encode())
        secret_matches = hmac.compare_digest(body["client_secret"].encode(), self.config.client_secret.encode())
        if not (id_matches and secret_matches):
            # The real endpoint has been seen to respond with 500 to bad credentials.
            logger.warning("token request rejected: invalid credentials for client_id %r", body["client_id"])
            return detail_response(500, "failed to authenticate application: invalid client_id or client_secret")

        return JSONResponse({
            "access_token": self.tokens.issue(),
            "token_type": "bearer",
            "expires_in": self.config.token_ttl_seconds,
            "organization_id": self.config.organization_id,
        })

    def authenticate(self, request: Request) -> None:
        """Raise RequestRejected with a 401 unless the request carries a valid bearer token."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        challenge = {"WWW-Authenticate": "Bearer"}
        if scheme.lower() != "bearer" or not token:
            raise RequestRejected(
                detail_response(401, "missing bearer token; send 'Authorization: Bearer <access_token>'", challenge)
            )
        status = self.tokens.check(token)
        if status is TokenStatus.EXPIRED:
            raise RequestRejected(detail_response(401, "token expired; request a new access token", challenge))
        if status is TokenStatus.UNKNOWN:
            raise RequestRejected(detail_response(401, "invalid token; request a new access token", challenge))

    def check_organization(self, request: Request) -> None:
        """Raise RequestRejected when X-Organization-Id is missing while required, or names another org."""
        organization = request.headers.get("x-organization-id")
        if organization is None:
            if self.config.require_organization_header:
                raise RequestRejected(detail_response(400, "specify target organization"))
            return
        if organization != self.config.organization_id:
            raise RequestRejected(
                detail_response(403, f"organization {organization!r} is not accessible with this token")
            )

    async def execute(self, request: Request) -> Response:
        """Run one entity action against the dataset."""
        started = time.perf_counter()
        if self.config.latency_ms:
            await anyio.sleep(self.config.latency_ms / 1000)
        try:
            self.authenticate(request)
            if request.path_params["connector_id"] != self.config.connector_id:
                return detail_response(404, "Connector not found or not enabled for agents")
            self.check_organization(request)
            body = parse_execute_body(await request.body())
            call = validate_call(body, self.dataset, self.cursors)
        except RequestRejected as rejected:
            logger.info(
                "execute request rejected with HTTP %d: %s",
                rejected.response.status_code,
                bytes(rejected.response.body)[:300].decode(errors="replace"),
            )
            return rejected.response

        fault = self.faults.take("execute", call.entity.name, call.action)
        if fault is not None:
            logger.info("injecting fault %s into %s %s", fault.name, call.entity.name, call.action)
            response = await respond_before_run(fault, request)
            if response is not None:
                return response
        outcome = self.run(call, fault)
        return render(fault, self.success_body(outcome, started))

    def run(self, call: ExecuteCall, fault: Fault | None = None) -> ExecuteOutcome:
        if call.action == "list":
            outcome = run_list(self.dataset, self.cursors, call)
        else:
            outcome = run_get(self.dataset, call, self.config.get_result_shape)
        return outcome if fault is None else alter_outcome(fault, call, outcome, self.cursors)

    def success_body(self, outcome: ExecuteOutcome, started: float) -> dict:
        return {
            "status": "success",
            "result": outcome.result,
            "connector_metadata": {"cursor": outcome.cursor, "has_more": outcome.has_more},
            "execution_metadata": {
                "connector_instance_id": self.config.connector_id,
                "execution_time_ms": round((time.perf_counter() - started) * 1000),
            },
        }

    async def list_connectors(self, request: Request) -> Response:
        """Return the Ashby connector of a workspace, found by workspace name."""
        try:
            self.authenticate(request)
        except RequestRejected as rejected:
            return rejected.response
        workspace = request.query_params.get("workspace_name")
        if workspace is None:
            return detail_response(
                422, [{"loc": ["query", "workspace_name"], "msg": "Field required", "type": "missing"}]
            )
        definition = request.query_params.get("definition_id", ASHBY_DEFINITION_ID)
        if workspace == self.config.workspace_name and definition == ASHBY_DEFINITION_ID:
            return JSONResponse({"data": [{"id": self.config.connector_id}]})
        return JSONResponse({"data": []})

    async def control_faults(self, request: Request) -> Response:
        """Queue a fault (POST), list pending faults (GET) or clear the queued ones (DELETE)."""
        if request.method == "GET":
            return JSONResponse({"faults": self.faults.describe()})
        if request.method == "DELETE":
            cleared = self.faults.clear()
            logger.info("cleared %d queued faults", cleared)
            return JSONResponse({"cleared": cleared})
        try:
            fault = Fault.from_json(json.loads(await request.body()))
        except (UnicodeDecodeError, ValueError) as exc:
            return detail_response(422, f"invalid fault: {exc}")
        self.faults.push(fault)
        logger.info("queued fault %s", fault.to_json())
        return JSONResponse({"queued": fault.to_json(), "faults": self.faults.describe()})


async def _http_exception_as_json(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return detail_response(exc.status_code, exc.detail, exc.headers)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """Build the sandbox app. `app.state.sandbox` is its Sandbox (dataset, tokens, config)."""
    sandbox = Sandbox(config or SandboxConfig())
    routes = [
        Route(TOKEN_PATH, sandbox.token, methods=["POST"]),
        Route(EXECUTE_PATH, sandbox.execute, methods=["POST"]),
        Route(CONNECTORS_PATH, sandbox.list_connectors, methods=["GET"]),
    ]
    if sandbox.config.enable_control:
        routes.append(Route(CONTROL_PATH, sandbox.control_faults, methods=["GET", "POST", "DELETE"]))
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_exception_as_json})
    app.state.sandbox = sandbox
    return app
