"""The app's routes, public pages included: no route hides another."""

from collections import Counter

from fastapi import FastAPI
from starlette.routing import Route


def test_no_two_routes_answer_the_same_method_and_path_pattern(app: FastAPI) -> None:
    # given: every route, including those left out of the OpenAPI document (public pages, redirects), with
    # parameters made anonymous so that /r/{code} and /r/{token} count as one pattern
    patterns = Counter(
        (method, _pattern(route.path))
        for route in app.routes
        if isinstance(route, Route)  # FastAPI's routes and plain Starlette ones, such as /r/{code}
        for method in route.methods or ()
    )
    # then: of two routes with one pattern, the one registered second would never be reached
    assert [key for key, count in patterns.items() if count > 1] == []


def _pattern(path: str) -> str:
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))
