"""The unsubscribe page behind the link in every marketing email, and the RFC 8058 one-click endpoint.

GET only asks (mail scanners open links, and must not unsubscribe anyone); POST unsubscribes, from the page's
button or from a mail client's own "Unsubscribe" (body `List-Unsubscribe=One-Click`). The signed token in the
URL is the capability, so there is no login and no CSRF token: a forged POST could only do what the link does.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from goodword.errors import NotFound
from goodword.messaging.unsubscribe import (
    FROM_LINK,
    FROM_ONE_CLICK,
    Subscription,
    subscription_for,
    unsubscribe_by_token,
)
from goodword.web.deps import RawBodyDep, SessionDep, SettingsDep
from goodword.web.public.language import preferred_language

router = APIRouter(tags=["public"], include_in_schema=False)
_TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
# The token is in the URL: keep it out of Referer headers (the logo, any link), caches and search engines.
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
# RFC 8058 clients send `List-Unsubscribe=One-Click`, form-encoded or as multipart/form-data; the page sends
# `confirm=yes`. Only the recorded source depends on telling them apart.
_ONE_CLICK_MARK = b"One-Click"


@router.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(
    token: str, request: Request, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    try:
        subscription = subscription_for(session, secret_key=settings.secret_key, token=token)
    except NotFound:
        return _page(request, "invalid", None, status_code=404)
    return _page(request, "confirm", subscription)


@router.post("/u/{token}", response_class=HTMLResponse)
def confirm_unsubscribe(
    token: str, request: Request, body: RawBodyDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    source = FROM_ONE_CLICK if _ONE_CLICK_MARK in body else FROM_LINK
    try:
        subscription = unsubscribe_by_token(
            session, secret_key=settings.secret_key, token=token, source=source
        )
    except NotFound:
        return _page(request, "invalid", None, status_code=404)
    return _page(request, "done", subscription)


def _page(
    request: Request, state: str, subscription: Subscription | None, *, status_code: int = 200
) -> HTMLResponse:
    language = preferred_language(request.headers.get("accept-language"))
    return _TEMPLATES.TemplateResponse(
        request,
        "unsubscribe.html",
        {"state": state, "subscription": subscription, "lang": language},
        status_code=status_code,
        headers=_HEADERS,
    )
