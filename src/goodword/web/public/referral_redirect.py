"""The public referral link: `GET /r/{code}` records the click and redirects to the shop.

The click is committed before the redirect leaves (see `click_writer`), so every visitor who reached the shop
with a token has a row behind it. The shop receives the token as the query parameter `gw_ref`; Goodword also
sets it as a cookie for shops served from the same site. An unknown, retired or expired code (no program
running) redirects without a token. Guessing codes is rate-limited, unknown codes far more strictly.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from goodword.clock import utc_now
from goodword.config import Settings
from goodword.db.session import Database
from goodword.messaging.share import CHANNEL_PARAMETER
from goodword.referrals.clicks import ClickIn, new_click_token
from goodword.referrals.codes import CodeOwner, find_code_owner
from goodword.referrals.links import INVITATION_PARAMETER
from goodword.referrals.programs import running_programs
from goodword.stores.models import Store
from goodword.web.public.click_writer import ClickWriter
from goodword.web.ratelimit import SlidingWindowLimiter, enforce, limiter_for

router = APIRouter(tags=["referral links"], include_in_schema=False)
TOKEN_PARAMETER = "gw_ref"  # noqa: S105 - a parameter name
COOKIE_DAYS = 30
_COOKIE_SECONDS = COOKIE_DAYS * 86400
# How long a code's owner and its store's shop URL and programs are remembered; a program ended or a code
# retired takes at most this long to stop attributing.
CACHE_SECONDS = 10.0
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True, slots=True)
class _Target:
    owner: CodeOwner | None
    shop_url: str | None
    attributes: bool  # a live code of a store with a running program
    # The shop URL split around where the token goes, computed once per cached target, not per click.
    token_prefix: str = ""
    token_suffix: str = ""


async def follow_referral_link(request: Request) -> Response:
    """A plain Starlette endpoint: the hottest public path skips FastAPI's parameter machinery."""
    code: str = request.path_params["code"]
    settings: Settings = request.app.state.settings
    target = await _target(request, code)
    if target.owner is None:
        enforce(_unknown_limiter(request, settings), request, what="unknown referral codes")
        return _redirect(settings.public_base_url)
    enforce(
        limiter_for(request, "referral-links", limit=settings.referral_click_limit_per_minute,
                    window_seconds=60),
        request, what="referral link visits",
    )  # fmt: skip
    if not target.attributes:
        return _redirect(target.shop_url or settings.public_base_url)
    token = new_click_token()
    query = request.query_params
    click = ClickIn(
        store_id=target.owner.store_id,
        code_id=target.owner.code_id,
        referrer_customer_id=target.owner.customer_id,
        token=token,
        clicked_at=utc_now(),
        channel=_bounded(query.get(CHANNEL_PARAMETER), 32),
        invitation_token=_bounded(query.get(INVITATION_PARAMETER), 64),
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    await _writer(request.app).record(click)
    return _redirect(target.token_prefix + token + target.token_suffix, token=token)


router.add_route("/r/{code}", follow_referral_link, methods=["GET"], include_in_schema=False)


def _bounded(value: str | None, length: int) -> str | None:
    """A query value the click may keep; an over-long one is dropped, not an error: the visitor still gets in."""
    return value if value is not None and len(value) <= length else None


def _unknown_limiter(request: Request, settings: Settings) -> SlidingWindowLimiter:
    return limiter_for(
        request, "referral-unknown-codes", limit=settings.referral_unknown_code_limit_per_minute,
        window_seconds=60,
    )  # fmt: skip


def _redirect(url: str, *, token: str | None = None) -> Response:
    headers = {"location": url, **_HEADERS}
    if token is not None:
        # Written by hand: the token is URL-safe base64, and http.cookies costs more than the rest of the click.
        headers["set-cookie"] = (
            f"{TOKEN_PARAMETER}={token}; HttpOnly; Max-Age={_COOKIE_SECONDS}; Path=/; SameSite=lax"
        )
    return Response(status_code=302, headers=headers)


def _split_for_token(url: str) -> tuple[str, str]:
    """`url` cut where `gw_ref=<token>` goes: after its own query (less any old token), before its fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != TOKEN_PARAMETER]
    kept = urlencode(query)
    prefix = urlunsplit(parts._replace(query="", fragment="")) + "?" + (kept + "&" if kept else "")
    suffix = f"#{parts.fragment}" if parts.fragment else ""
    return prefix + f"{TOKEN_PARAMETER}=", suffix


async def _target(request: Request, code: str) -> _Target:
    cache = _cache(request.app)
    found = cache.get(code)
    if found is None:
        database: Database = request.app.state.database
        found = await run_in_threadpool(
            _load_target, database, code, request.app.state.settings.public_base_url
        )
        cache.put(code, found)
    return found


def _load_target(database: Database, code: str, public_base_url: str) -> _Target:
    if not code.isascii() or not code.isalnum() or len(code) > 32:
        return _Target(None, None, False)
    with database.unit_of_work(write=False) as session:
        owner = find_code_owner(session, code=code)
        if owner is None:
            return _Target(None, None, False)
        store = session.get_one(Store, owner.store_id)
        running = bool(running_programs(session, store_id=owner.store_id, now=utc_now()))
    prefix, suffix = _split_for_token(store.shop_url or public_base_url)
    return _Target(owner, store.shop_url, running and not owner.retired, prefix, suffix)


class _TargetCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, _Target]] = {}

    def get(self, code: str) -> _Target | None:
        entry = self._entries.get(code)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, code: str, target: _Target) -> None:
        with self._lock:
            if len(self._entries) > 100_000:
                self._entries.clear()
            self._entries[code] = (time.monotonic() + CACHE_SECONDS, target)


_state_lock = threading.Lock()


def _cache(app: FastAPI) -> _TargetCache:
    cache = app.state.__dict__.get("referral_target_cache")
    if cache is None:
        with _state_lock:
            cache = app.state.__dict__.setdefault("referral_target_cache", _TargetCache())
    return cache  # type: ignore[no-any-return]


def _writer(app: FastAPI) -> ClickWriter:
    writer = app.state.__dict__.get("click_writer")
    if writer is None:
        with _state_lock:
            writer = app.state.__dict__.get("click_writer")
            if writer is None:
                writer = ClickWriter(app.state.database, secret_key=app.state.settings.secret_key)
                # Beside the rate limiters, in the state's own __dict__ (see web/ratelimit.py).
                app.state.__dict__["click_writer"] = writer
    return writer


def close_click_writer(app: FastAPI) -> None:
    """Stop the app's click writer, if it started; clicks already queued are written first."""
    writer = app.state.__dict__.pop("click_writer", None)
    if writer is not None:
        writer.close()
