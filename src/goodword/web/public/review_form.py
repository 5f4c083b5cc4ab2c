"""The pages behind links customers get: the review form of a request, question confirmation, the answer form,
and review photos.

The signed token in the URL is the capability (as for unsubscribe links), so there is no login. The pages are
small plain HTML written here with every customer-typed value escaped; storefronts that want their own form
post to `POST /api/v1/reviews` with the token instead.
"""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import ValidationError

from goodword.clock import utc_now
from goodword.errors import GoodwordError, NotFound
from goodword.reviews import photos, questions, submission
from goodword.reviews.submission import ReviewIn
from goodword.web.deps import SessionDep, SettingsDep
from goodword.web.public.review_schemas import MEDIA_PATH
from goodword.web.ratelimit import enforce, limiter_for

router = APIRouter(tags=["public"], include_in_schema=False)
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
_FILE_KEY = r"^[0-9a-f]{32}(\.thumb)?\.(jpg|png)$"
Token = Annotated[str, Path(max_length=128)]


@router.get("/review/{token}", response_class=HTMLResponse)
def review_form(token: Token, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    try:
        submission.open_request(session, secret_key=settings.secret_key, token=token, now=utc_now())
    except GoodwordError as error:
        return _page("This link cannot be used", html.escape(error.message), status=_status(error))
    stars = "".join(
        f'<label><input type="radio" name="rating" value="{n}" required> {n}★</label> '
        for n in range(5, 0, -1)
    )
    form = (
        f'<form method="post">{stars}'
        '<p><input name="title" maxlength="200" placeholder="Title"></p>'
        '<p><textarea name="body" maxlength="5000" required placeholder="Your review"></textarea></p>'
        "<p><label>How likely are you to recommend us (0-10)? "
        '<input type="number" name="recommend_score" min="0" max="10"></label></p>'
        '<p><button type="submit">Send review</button></p></form>'
    )
    return _page("Write a review", form)


@router.post("/review/{token}", response_class=HTMLResponse)
def submit_review_form(
    token: Token,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    rating: Annotated[int, Form()],
    body: Annotated[str, Form(max_length=5000)],
    title: Annotated[str | None, Form(max_length=200)] = None,
    recommend_score: Annotated[str | None, Form(max_length=2)] = None,
) -> HTMLResponse:
    limit = limiter_for(
        request, "review-submit", limit=settings.review_submit_limit_per_hour, window_seconds=3600
    )
    enforce(limit, request, what="reviews")
    try:
        review = ReviewIn(
            rating=rating,
            title=title or None,
            body=body,
            recommend_score=int(recommend_score) if recommend_score and recommend_score.isdigit() else None,
        )
    except ValidationError as error:
        return _page("Please check your review", html.escape(str(error.errors()[0]["msg"])), status=422)
    try:
        submission.submit_with_token(session, secret_key=settings.secret_key, token=token, review=review)
    except GoodwordError as error:
        return _page("This link cannot be used", html.escape(error.message), status=_status(error))
    return _page("Thank you", "Your review was received.")


@router.get("/q/confirm/{token}", response_class=HTMLResponse)
def confirm_question(token: Token, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    try:
        questions.confirm_question(
            session, secret_key=settings.secret_key, public_base_url=settings.public_base_url, token=token
        )
    except GoodwordError as error:
        return _page("This link cannot be used", html.escape(error.message), status=_status(error))
    return _page("Thank you", "Your question was confirmed.")


@router.get("/q/{question_id}/answer/{token}", response_class=HTMLResponse)
def answer_form(question_id: int, token: Token) -> HTMLResponse:
    form = (
        '<form method="post"><p><textarea name="body" maxlength="5000" required placeholder="Your answer">'
        '</textarea></p><p><button type="submit">Send answer</button></p></form>'
    )
    return _page("Answer a question", form)


@router.post("/q/{question_id}/answer/{token}", response_class=HTMLResponse)
def submit_answer_form(
    question_id: int,
    token: Token,
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[str, Form(min_length=1, max_length=5000)],
) -> HTMLResponse:
    try:
        questions.answer_by_invitation(
            session,
            secret_key=settings.secret_key,
            store_id=None,
            question_id=question_id,
            token=token,
            body=body,
            author_name=None,
        )
    except GoodwordError as error:
        return _page("This link cannot be used", html.escape(error.message), status=_status(error))
    return _page("Thank you", "Your answer was received.")


@router.get(MEDIA_PATH + "/{store_id}/{file_key}")
def review_photo(
    store_id: Annotated[str, Path(max_length=32)],
    file_key: Annotated[str, Path(pattern=_FILE_KEY)],
    session: SessionDep,
    settings: SettingsDep,
) -> FileResponse:
    """A photo or thumbnail of a published review; 404 for anything else."""
    found = photos.photo_file(session, media_dir=settings.media_dir, store_id=store_id, file_key=file_key)
    if found is None:
        raise NotFound(f"no photo {file_key!r}")
    path, content_type = found
    return FileResponse(path, media_type=content_type, headers={"Cache-Control": "public, max-age=86400"})


def _status(error: GoodwordError) -> int:
    return {"gone": 410, "link_used": 410, "link_expired": 410}.get(
        error.code, 404 if isinstance(error, NotFound) else 422
    )


def _page(title: str, content: str, *, status: int = 200) -> HTMLResponse:
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{content}</body></html>"
    )
    return HTMLResponse(page, status_code=status, headers=_HEADERS)
