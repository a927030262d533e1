"""One error shape for the whole API: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from flask import Response, jsonify, request
from pydantic import ValidationError

from crm.api.schemas import ErrorBody, ErrorOut

API_PREFIX = "/api/"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "server_error",
}


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, *, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(
    status: int, message: str, *, fields: dict[str, list[str]] | None = None
) -> Response:
    body = ErrorOut(
        error=ErrorBody(code=CODES.get(status, "error"), message=message, fields=fields or {})
    )
    response = jsonify(body.model_dump(mode="json"))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="twinning"'
    return response


def from_validation_error(error: ValidationError) -> ApiError:
    """Pydantic's complaint as our error: 400 for JSON that does not parse, else 422 per field."""
    problems = error.errors(include_url=False)
    if any(problem["type"] == "json_invalid" for problem in problems):
        return ApiError(400, "The request body is not valid JSON.")
    fields: dict[str, list[str]] = {}
    for problem in problems:
        location, message = _located(problem["loc"], problem["msg"])
        fields.setdefault(location, []).append(message)
    return ApiError(422, "Some fields are not valid.", fields=fields)


def _located(location: tuple[int | str, ...], message: str) -> tuple[str, str]:
    """Pydantic's location as a field name. A bad key of an object is named by pydantic as
    `(..., key, "[key]")`: the field is the object, and the message says which key."""
    if location and location[-1] == "[key]":
        *parent, key = location[:-1]
        return ".".join(str(part) for part in parent) or "body", f"The key {key!r}: {message}"
    return ".".join(str(part) for part in location) or "body", message
