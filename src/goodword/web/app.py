"""The application factory: routers, middleware and the error handler, around one Database."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import text

import goodword
from goodword.config import Settings
from goodword.db.session import Database
from goodword.web.api.v1 import (
    api_keys,
    bounces,
    consent,
    customers,
    messages,
    orders,
    products,
    questions,
    referral_ops,
    referrals,
    reviews,
    rewards,
    share,
    ties,
    webhook_endpoints,
    webhooks,
)
from goodword.web.deps import SessionDep
from goodword.web.middleware import (
    BodySizeLimitMiddleware,
    RequestIdMiddleware,
    UnhandledErrorMiddleware,
)
from goodword.web.problems import install_problem_handlers, problem, problem_responses
from goodword.web.public import referral_redirect, review_form
from goodword.web.public import reviews as public_reviews
from goodword.web.public import unsubscribe as public_unsubscribe

_TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


@dataclass(frozen=True)
class DemoInfo:
    """What the home page tells a newcomer about the demo store `goodword demo` built."""

    store_name: str
    store_id: str
    customers: int
    orders: int
    credentials_file: str


def create_app(
    settings: Settings, *, database: Database | None = None, demo: DemoInfo | None = None
) -> FastAPI:
    owns_database = database is None
    database = database or Database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything built at start-up (routes, models, compiled SQL) lives as long as the process; frozen, the
        # collector stops walking it at each full collection, which otherwise stalled every request for 100+ ms
        # under load (p99 of /r/{code} fell from about 150 ms to 40 ms).
        gc.freeze()
        yield
        referral_redirect.close_click_writer(_app)
        if owns_database:  # whoever handed us a database closes it
            database.dispose()

    app = FastAPI(
        title="Goodword",
        version=goodword.__version__,
        summary="A self-hosted word-of-mouth engine for online stores.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.demo = demo
    install_problem_handlers(app)
    # Added innermost first: the request id wraps everything, so every answer and log line carries it.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)

    api = APIRouter(prefix="/api/v1", responses=problem_responses(400, 401, 403, 404, 409, 413, 422))
    for module in (
        customers,
        consent,
        products,
        orders,
        ties,
        webhooks,
        api_keys,
        messages,
        webhook_endpoints,
        bounces,
        share,
        rewards,
        referrals,
        referral_ops,
        reviews,
        questions,
    ):
        api.include_router(module.router)
    # Routes are matched in order, and each miss costs a pattern match: the storefront's hot public paths
    # (referral links, review widgets) come before the API's many routes. tests/api/test_routes.py checks
    # that no route can hide another, so the order changes speed only.
    for public in (referral_redirect, public_reviews, review_form, public_unsubscribe):
        app.include_router(public.router)
    app.include_router(api)
    app.include_router(_operations)
    return app


_operations = APIRouter(tags=["operations"])


@_operations.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    return _TEMPLATES.TemplateResponse(
        request, "home.html", {"demo": request.app.state.demo, "version": goodword.__version__}
    )


@_operations.get("/healthz")
async def healthz() -> dict[str, str]:  # async: a probe must not queue behind the thread pool
    """The process is up."""
    return {"status": "ok"}


@_operations.get("/readyz", response_model=None)
def readyz(session: SessionDep) -> dict[str, str] | JSONResponse:
    """The process is up and its database answers."""
    try:
        session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure here means "not ready", which is the answer
        return problem(503, "database_unavailable", "the database does not answer")
    return {"status": "ready", "database": session.get_bind().dialect.name}
