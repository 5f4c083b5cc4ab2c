"""How public review data leaves: CORS for any origin, a per-client rate limit, ETags, and a small TTL cache.

CORS: the answers are published reviews, meant for any page (the shop, a marketplace listing, a search
engine); the requests carry no key and no cookie, so `Access-Control-Allow-Origin: *` gives away nothing that
is not already public, and unlike echoing the shop's origin it needs no `Vary: Origin`, which would split
every CDN cache entry by origin. Errors carry the same headers, so a widget can read why it was refused.

Caching: `Cache-Control: public, max-age=N` with a strong ETag (a hash of the exact bytes), and 304 when the
browser already holds them. Within the process, answers are kept for the same N seconds in a bounded LRU keyed
by what was asked, so a popular product page costs no query at all until its entry expires; a newly
published review therefore shows within N seconds. Each server process keeps its own cache.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Hashable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, cast

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from goodword.config import Settings
from goodword.web.deps import get_session
from goodword.web.ratelimit import enforce, limiter_for

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After, X-Request-ID",
    # The JSON is data, never a page: no browser may sniff it into HTML.
    "X-Content-Type-Options": "nosniff",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, Accept, Accept-Language, Content-Language",
    "Access-Control-Max-Age": "86400",
}
_MAX_ENTRIES = 20_000
QueryModel = TypeVar("QueryModel", bound=BaseModel)


class PublicRoute(APIRoute):
    """A route whose every answer, errors included, carries the public CORS headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handle(request)
            except Exception as error:  # noqa: BLE001 - re-raised below when the app has no handler for it
                # Answered here, by the app's own handler for it, rather than further out, so that the
                # problem+json answer leaves with the CORS headers too.
                response = await _handled(request, error)
            response.headers.update(CORS_HEADERS)
            return response

        return with_cors


async def _handled(request: Request, error: Exception) -> Response:
    handlers = request.app.exception_handlers
    for kind in type(error).__mro__:
        handler = handlers.get(kind)
        if handler is not None:
            response: Response = await handler(request, error)
            return response
    raise error


def parse_query(model: type[QueryModel], request: Request) -> QueryModel:
    """The query string validated as `model`, in one step.

    FastAPI's own parsing of a query model walks its fields in Python, which costs more than the rest of a
    cached answer; pydantic validates the whole mapping at once. `openapi_query` documents the parameters.

    Raises:
        RequestValidationError: answered as a 422 problem, like FastAPI's own.
    """
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as error:
        raise RequestValidationError(
            [{**issue, "loc": ("query", *issue["loc"])} for issue in error.errors(include_url=False)]
        ) from None


def openapi_query(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting `model`'s fields as optional query parameters."""
    parameters = []
    for name, field in model.model_fields.items():
        annotated = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
        schema = TypeAdapter(cast(Any, annotated)).json_schema()
        if field.default is not None:
            schema["default"] = field.default
        parameter = {"name": name, "in": "query", "required": False, "schema": schema}
        if field.description:
            parameter["description"] = field.description
        parameters.append(parameter)
    return {"parameters": parameters}


@dataclass(frozen=True)
class Entry:
    body: bytes
    etag: str
    expires_at: float


class ResponseCache:
    """A bounded LRU of answers with a time to live. Used from the event loop only, so it needs no lock."""

    def __init__(self, *, ttl_seconds: float, max_entries: int = _MAX_ENTRIES) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()

    def get(self, key: Hashable) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.expires_at <= time.monotonic():
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, body: bytes) -> Entry:
        entry = Entry(body, strong_etag(body), time.monotonic() + self.ttl_seconds)
        if self.ttl_seconds > 0:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry


def strong_etag(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: If-None-Match compares weakly, so a `W/` prefix is ignored; `*` matches anything."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def reading_session(request: Request) -> AbstractContextManager[Session]:
    """A read-only unit of work, opened only when the answer is not cached.

    Resolved as `SessionDep` is, through the app's dependency overrides, so tests' transactions apply; a
    handler cannot declare `SessionDep` itself, since that would open a session even for a cached answer.
    """
    provider: Callable[[Request], Iterator[Session]] = request.app.dependency_overrides.get(
        get_session, get_session
    )
    return contextmanager(provider)(request)


def count_read(request: Request) -> None:
    """Raises:
    TooManyRequests: the client went over `public_reviews_reads_per_minute`.
    """
    settings: Settings = request.app.state.settings
    limiter = limiter_for(
        request, "public_reviews", limit=settings.public_reviews_reads_per_minute, window_seconds=60
    )
    enforce(limiter, request, what="review reads")


async def cached_answer(
    request: Request, *, key: Hashable, media_type: str, produce: Callable[[Session], bytes]
) -> Response:
    """The answer for `key`: from the cache while fresh, else `produce`d in a read-only session; 304 when the
    client's copy is current.

    Raises:
        TooManyRequests: the client went over its allowance.
    """
    count_read(request)
    settings: Settings = request.app.state.settings
    cache = _cache(request, settings)
    entry = cache.get(key)
    if entry is None:
        body = await run_in_threadpool(_produce, request, produce)
        entry = cache.put(key, body)
    headers = {
        "Cache-Control": f"public, max-age={settings.public_reviews_cache_seconds}",
        "ETag": entry.etag,
    }
    if etag_matches(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type=media_type, headers=headers)


def _produce(request: Request, produce: Callable[[Session], bytes]) -> bytes:
    with reading_session(request) as session:
        return produce(session)


def _cache(request: Request, settings: Settings) -> ResponseCache:
    cache: ResponseCache | None = getattr(request.app.state, "public_review_cache", None)
    if cache is None:
        cache = ResponseCache(ttl_seconds=settings.public_reviews_cache_seconds)
        request.app.state.public_review_cache = cache
    return cache
