"""Error bodies in the shapes Airbyte's API uses, and Ashby's failure envelope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from starlette.responses import JSONResponse


@dataclass(frozen=True)
class FieldError:
    """One item of the `errors` array of a 400 response."""

    field: str
    message: str
    error_code: str
    details: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"field": self.field, "message": self.message, "error_code": self.error_code, "details": self.details}


class RequestRejected(Exception):
    """Stops request handling and carries the error response to send."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def detail_response(status_code: int, detail: object, headers: dict[str, str] | None = None) -> JSONResponse:
    """Return a `{"detail": ...}` response, the shape of 401, 404, 422 and 5xx errors."""
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


def field_errors_response(errors: list[FieldError]) -> JSONResponse:
    """Return a 400 `{"message", "errors"}` response listing every invalid field."""
    message = "; ".join(error.message for error in errors)
    return JSONResponse({"message": message, "errors": [error.to_json() for error in errors]}, status_code=400)


def body_error_response(location: list[str | int], message: str, error_type: str) -> JSONResponse:
    """Return a 422 response for a body that does not fit the endpoint's schema."""
    return detail_response(422, [{"loc": ["body", *location], "msg": message, "type": error_type}])


def ashby_failure(code: str, message: str) -> dict:
    """Return Ashby's failure envelope, which upstream sends with HTTP status 200."""
    return {
        "success": False,
        "errors": [code],
        "errorInfo": {"code": code, "message": message, "requestId": str(uuid.uuid4())},
    }
