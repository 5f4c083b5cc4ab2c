"""Checks that many API tests share."""

from httpx2 import Response

PROBLEM_FIELDS = {"type", "title", "status", "code", "detail", "request_id"}


def assert_problem(response: Response, status: int, code: str) -> None:
    """An RFC 9457 problem with this status and stable code, carrying the request id it echoes."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_FIELDS, body
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["type"].endswith(f"/{code}")
    assert body["request_id"] == response.headers["x-request-id"]
