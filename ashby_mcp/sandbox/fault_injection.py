"""Behaviour of each fault on an execute or token response.

A fault acts at one of three points. Some replace the response before the dataset
is read (latency, 429, 5xx, timeout, reset). Some change the page that is returned
(empty_page_has_more, repeat_cursor, success_false). The rest change how the
success body is sent (huge_body, truncated, malformed_json, wrong_content_type).
"""

from __future__ import annotations

import dataclasses
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ashby_mcp.sandbox.cursors import CursorCodec
from ashby_mcp.sandbox.execute import ExecuteCall, ExecuteOutcome
from ashby_mcp.sandbox.fault_responses import ResetConnection, TruncatedBody, sleep_unless_disconnected
from ashby_mcp.sandbox.faults import (
    DEFAULT_FAILURE_CODE,
    DEFAULT_LATENCY_MS,
    DEFAULT_MEGABYTES,
    DEFAULT_TIMEOUT_MS,
    Fault,
)
from ashby_mcp.sandbox.responses import ashby_failure, detail_response

_STATUS_DETAILS = {
    500: "Internal Server Error",
    502: "Bad Gateway: the connector did not respond",
    503: "Service Unavailable: try again later",
    504: "Gateway Timeout: the connector took too long to respond",
}

MAINTENANCE_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Scheduled maintenance</title></head>"
    "<body><h1>We'll be back soon</h1><p>The API is under maintenance.</p></body></html>\n"
)

PADDING_FIELD = "_sandbox_padding"
"""Record field that carries huge_body's filler text."""


async def respond_before_run(fault: Fault, request: Request) -> Response | None:
    """Apply a fault that acts before the dataset is read; return its response, or None to go on."""
    if fault.name == "latency":
        await sleep_unless_disconnected(request.receive, _milliseconds(fault, DEFAULT_LATENCY_MS) / 1000)
        return None
    if fault.name == "429":
        headers = None if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        return detail_response(429, "Too Many Requests: rate limit exceeded", headers)
    if fault.name in ("500", "502", "503", "504", "token_500"):
        status = 500 if fault.name == "token_500" else int(fault.name)
        return detail_response(status, _STATUS_DETAILS[status])
    if fault.name == "timeout":
        await sleep_unless_disconnected(request.receive, _milliseconds(fault, DEFAULT_TIMEOUT_MS) / 1000)
        return detail_response(504, _STATUS_DETAILS[504])
    if fault.name == "reset":
        return ResetConnection()
    return None


def _milliseconds(fault: Fault, default: float) -> float:
    return default if fault.ms is None else fault.ms


def alter_outcome(fault: Fault, call: ExecuteCall, outcome: ExecuteOutcome, codec: CursorCodec) -> ExecuteOutcome:
    """Apply a fault that changes the returned page or record."""
    if fault.name == "empty_page_has_more":
        # The cursor points at the page that was requested, so paging loses nothing.
        cursor = codec.encode(call.entity.name, call.offset, call.repeat + 1)
        return ExecuteOutcome([], cursor, True)
    if fault.name == "repeat_cursor":
        sent = call.params.get("cursor") or codec.encode(call.entity.name, call.offset, call.repeat)
        return ExecuteOutcome(outcome.result, sent, True)
    if fault.name == "success_false":
        code = fault.code or DEFAULT_FAILURE_CODE
        return dataclasses.replace(outcome, result=ashby_failure(code, f"Sandbox fault: {code}"), cursor=None,
                                   has_more=False)
    return outcome


def _pad(body: dict, megabytes: float) -> None:
    size = int(megabytes * 1024 * 1024)
    result = body["result"]
    if isinstance(result, list) and result:
        share = size // len(result) + 1
        for record in result:
            if isinstance(record, dict):
                record[PADDING_FIELD] = "x" * share
    elif isinstance(result, dict):
        result[PADDING_FIELD] = "x" * size
    else:
        body["warning"] = "x" * size


def render(fault: Fault | None, body: dict) -> Response:
    """Send a success body, changed by a fault that acts on the response's bytes."""
    if fault is None:
        return JSONResponse(body)
    if fault.name == "huge_body":
        _pad(body, DEFAULT_MEGABYTES if fault.megabytes is None else fault.megabytes)
        return JSONResponse(body)
    if fault.name == "wrong_content_type":
        return HTMLResponse(MAINTENANCE_PAGE)
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    if fault.name == "truncated":
        return TruncatedBody(encoded)
    if fault.name == "malformed_json":
        # A trailing comma before the final brace: a complete message that strict JSON parsers reject.
        return Response(encoded[:-1] + b",}", media_type="application/json")
    return JSONResponse(body)
