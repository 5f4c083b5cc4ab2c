"""Public, keyless, cached review data for a store's pages: reviews, summaries, Q&A, JSON-LD, feeds.

Every route is a GET keyed by the store in its path, answers any origin (see `review_responses`), is counted
against the client's per-minute allowance, and is cached for `public_reviews_cache_seconds`.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from goodword.config import Settings
from goodword.reviews import public_queries
from goodword.reviews.google_feed import feed_chunks
from goodword.reviews.jsonld import dumps_jsonld, jsonld_script, product_jsonld
from goodword.web.problems import problem_responses
from goodword.web.public.review_responses import (
    PREFLIGHT_HEADERS,
    PublicRoute,
    cached_answer,
    count_read,
    openapi_query,
    parse_query,
    reading_session,
)
from goodword.web.public.review_schemas import (
    MEDIA_PATH,
    QuestionPageOut,
    ReviewPageOut,
    ReviewQuery,
    StoreRatingOut,
    SummaryOut,
    question_page_json,
    review_page_json,
    store_rating_json,
    summary_json,
)

router = APIRouter(
    tags=["public reviews"], route_class=PublicRoute, responses=problem_responses(404, 422, 429)
)
STORE = "/public/v1/stores/{store_id}"
PRODUCT = STORE + "/products/{sku}"
_JSON = "application/json"
Cursor = Annotated[str | None, Query(max_length=300, description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=public_queries.MAX_PAGE_SIZE)]


class JsonLdFormat(StrEnum):
    JSON = "json"  # the document, application/ld+json
    HTML = "html"  # a <script type="application/ld+json"> element to paste into a page


@router.get(
    PRODUCT + "/reviews",
    response_model=None,
    responses={200: {"model": ReviewPageOut}},
    openapi_extra=openapi_query(ReviewQuery),
)
async def product_reviews(request: Request, store_id: str, sku: str) -> Response:
    """A page of a product's published reviews, with the product's rating summary."""
    query = parse_query(ReviewQuery, request)
    media_base = _settings(request).public_base_url.rstrip("/") + f"{MEDIA_PATH}/{store_id}"

    def produce(session: Session) -> bytes:
        page = public_queries.product_reviews(
            session,
            store_id=store_id,
            sku=sku,
            sort=query.sort,
            rating=query.rating,
            with_photos=query.with_photos,
            language=query.language,
            cursor=query.cursor,
            limit=query.limit,
        )
        return review_page_json(page, media_base=media_base)

    return await cached_answer(
        request, key=("reviews", store_id, sku, query), media_type=_JSON, produce=produce
    )


@router.get(PRODUCT + "/summary", response_model=None, responses={200: {"model": SummaryOut}})
async def product_summary(request: Request, store_id: str, sku: str) -> Response:
    """A product's average rating, review count and 1-5 star histogram."""

    def produce(session: Session) -> bytes:
        return summary_json(*public_queries.product_summary(session, store_id=store_id, sku=sku))

    return await cached_answer(request, key=("summary", store_id, sku), media_type=_JSON, produce=produce)


@router.get(PRODUCT + "/questions", response_model=None, responses={200: {"model": QuestionPageOut}})
async def product_questions(
    request: Request, store_id: str, sku: str, cursor: Cursor = None, limit: Limit = 20
) -> Response:
    """A page of a product's published questions with their answers; the store's own answers are `official`."""

    def produce(session: Session) -> bytes:
        page = public_queries.product_questions(
            session, store_id=store_id, sku=sku, cursor=cursor, limit=limit
        )
        return question_page_json(page)

    key = ("questions", store_id, sku, cursor, limit)
    return await cached_answer(request, key=key, media_type=_JSON, produce=produce)


@router.get(
    PRODUCT + "/jsonld",
    response_model=None,
    responses={200: {"content": {"application/ld+json": {}, "text/html": {}}}},
)
async def product_jsonld_document(
    request: Request, store_id: str, sku: str, format: JsonLdFormat = JsonLdFormat.JSON
) -> Response:
    """schema.org `Product` structured data with its rating and newest reviews, as JSON-LD or as a script tag."""

    def produce(session: Session) -> bytes:
        page = public_queries.product_reviews(session, store_id=store_id, sku=sku)
        document = product_jsonld(page.product, page.aggregate, page.reviews)
        text = jsonld_script(document) if format is JsonLdFormat.HTML else dumps_jsonld(document)
        return text.encode()

    media_type = "text/html; charset=utf-8" if format is JsonLdFormat.HTML else "application/ld+json"
    return await cached_answer(
        request, key=("jsonld", store_id, sku, format), media_type=media_type, produce=produce
    )


@router.get(STORE + "/rating", response_model=None, responses={200: {"model": StoreRatingOut}})
async def store_rating(request: Request, store_id: str) -> Response:
    """The store's rating over all its products' published reviews."""

    def produce(session: Session) -> bytes:
        return store_rating_json(store_id, public_queries.store_rating(session, store_id=store_id))

    return await cached_answer(request, key=("rating", store_id), media_type=_JSON, produce=produce)


@router.get(
    STORE + "/feeds/google-product-ratings.xml",
    response_model=None,
    responses={200: {"content": {"application/xml": {}}}},
)
async def google_product_ratings_feed(request: Request, store_id: str) -> StreamingResponse:
    """Every published review in Google's Product Ratings feed format (schema 2.4), streamed."""
    count_read(request)
    name = await run_in_threadpool(_store_name, request, store_id)
    return StreamingResponse(
        _feed(request, store_id=store_id, publisher_name=name),
        media_type="application/xml",
        headers={"Cache-Control": f"public, max-age={_settings(request).public_reviews_cache_seconds}"},
    )


@router.options(STORE + "/{rest:path}", include_in_schema=False)
async def preflight(store_id: str, rest: str) -> Response:
    """The CORS preflight: any origin may GET these, sending If-None-Match."""
    return Response(status_code=204, headers=PREFLIGHT_HEADERS)


def _store_name(request: Request, store_id: str) -> str:
    with reading_session(request) as session:
        return public_queries.store_name(session, store_id=store_id)


def _feed(request: Request, *, store_id: str, publisher_name: str) -> Iterator[bytes]:
    # The response's own session, open while the body streams: the handler's would close before it starts.
    with reading_session(request) as session:
        reviews = public_queries.feed_reviews(session, store_id=store_id)
        yield from feed_chunks(publisher_name=publisher_name, reviews=reviews)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
