"""Every error leaves as RFC 9457 problem+json: a stable `code`, field-level `errors`, the request id."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from goodword import errors
from goodword.logs import request_id_var

logger = logging.getLogger(__name__)

_STATUS = {
    errors.Malformed: 400,
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.Gone: 410,
    errors.TooManyRequests: 429,
}
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    410: "Gone",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """RFC 9457 problem details: a stable `code`, field-level `errors` and the request id to quote."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    request_id: str
    instance: str | None = None
    errors: list[dict[str, str]] | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` documenting these statuses as problem+json, for a router's `responses=`."""
    # Inline rather than a $ref: FastAPI registers component schemas only for models its routes return.
    schema = Problem.model_json_schema()
    return {
        status: {"description": _TITLES[status], "content": {"application/problem+json": {"schema": schema}}}
        for status in statuses
    }


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    field_errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://goodword.dev/problems/{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
        "request_id": request_id_var.get(),
    }
    if instance is not None:
        body["instance"] = instance
    if field_errors:
        body["errors"] = field_errors
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.GoodwordError)
    async def domain_error(request: Request, error: errors.GoodwordError) -> JSONResponse:
        status = next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 400)
        issues = [{"field": i.field, "message": i.message, "code": i.code} for i in error.issues]
        headers = (
            {"Retry-After": str(error.retry_after_seconds)}
            if isinstance(error, errors.TooManyRequests)
            else None
        )
        return problem(
            status, error.code, error.message, instance=request.url.path, field_errors=issues, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        details = list(error.errors())
        if any(d.get("type") == "json_invalid" for d in details):
            return problem(
                400, "malformed_json", "the request body is not valid JSON", instance=request.url.path
            )
        issues = [
            {
                "field": _field_path(d.get("loc", ())),
                "message": str(d.get("msg", "")),
                "code": str(d.get("type", "")),
            }
            for d in details
        ]
        return problem(
            422,
            "invalid_input",
            f"{len(issues)} field(s) are invalid",
            instance=request.url.path,
            field_errors=issues,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        # FastAPI raises a bare 400 when it cannot decode the body at all (not UTF-8, nested too deep).
        code = {400: "malformed_json", 404: "not_found", 405: "method_not_allowed"}.get(
            error.status_code, "http_error"
        )
        return problem(
            error.status_code, code, str(error.detail), instance=request.url.path, headers=error.headers
        )

    @app.exception_handler(OperationalError)
    async def database_down(request: Request, error: OperationalError) -> JSONResponse:
        logger.error("database unavailable: %s", error.orig)
        return problem(503, "database_unavailable", "the database is not reachable; try again shortly")


def internal_error() -> JSONResponse:
    """The answer to an unexpected exception, sent by `UnhandledErrorMiddleware`."""
    return problem(
        500, "internal_error", "something went wrong on our side; quote the request id when reporting it"
    )


def _field_path(location: Any) -> str:
    # FastAPI prefixes body fields with "body"; the client knows its own body, so drop that part.
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"
