"""Reviews: written from a request link (token) or by staff, listed, moderated, replied to, voted on; settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from goodword.config import Settings
from goodword.errors import NotFound, Unauthorized
from goodword.reviews import moderation, photos, queries, replies, submission, votes
from goodword.reviews.links import voter_key
from goodword.reviews.models import ReplyVisibility, ReviewStatus, Subject
from goodword.reviews.moderation import ModerationAction
from goodword.reviews.settings import ReviewSettingsIn, get_review_settings, put_review_settings
from goodword.reviews.submission import ReviewEditIn, ReviewIn, StaffReviewIn
from goodword.stores.inputs import Email, ExternalId, Sku
from goodword.web.api.v1.common import Cursor, Limit, OutModel, PageOut, RowIdPath
from goodword.web.deps import Caller, ReaderDep, SessionDep, SettingsDep, WriterDep, get_caller, require_write
from goodword.web.ratelimit import client_address, enforce, limiter_for

router = APIRouter(tags=["reviews"])
Text5000 = Annotated[str, Field(min_length=1, max_length=5000)]


class TokenReviewIn(ReviewIn):
    token: str = Field(max_length=128, description="The token of the review request link.")


class ReviewOut(OutModel):
    id: int
    product_id: int
    rating: int
    title: str | None
    body: str
    language: str
    author_name: str
    status: ReviewStatus
    verified_buyer: bool
    incentivized: bool
    imported_from: str | None
    helpful_count: int
    unhelpful_count: int
    photo_count: int
    created_at: datetime
    published_at: datetime | None
    updated_at: datetime


class RevisionOut(OutModel):
    revision: int
    rating: int
    title: str | None
    body: str
    edited_by: str
    reason: str | None
    created_at: datetime


class DecisionOut(OutModel):
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    note: str | None
    created_at: datetime


class ReplyOut(OutModel):
    id: int
    review_id: int
    visibility: ReplyVisibility
    body: str
    author: str
    created_at: datetime


class PhotoOut(OutModel):
    id: int
    position: int
    file_key: str
    thumbnail_key: str
    content_type: str
    width: int
    height: int
    size_bytes: int


class ReviewDetailOut(ReviewOut):
    product_sku: str
    revisions: list[RevisionOut]
    decisions: list[DecisionOut]
    replies: list[ReplyOut]
    photos: list[PhotoOut]


class ModerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: ModerationAction
    reason: str | None = Field(default=None, max_length=64, description="A code: profanity, spam, off_topic…")
    note: str | None = Field(default=None, max_length=2000)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Text5000
    visibility: ReplyVisibility = ReplyVisibility.PUBLIC


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    helpful: bool
    customer_external_id: ExternalId | None = Field(
        default=None, description="The storefront's signed-in customer."
    )
    email: Email | None = Field(
        default=None, description="Else the voter's email; else their address counts."
    )


class VoteOut(BaseModel):
    helpful_count: int
    unhelpful_count: int


class NpsOut(BaseModel):
    responses: int
    promoters: int
    passives: int
    detractors: int
    score: float | None


def optional_caller(
    session: SessionDep, authorization: Annotated[str | None, Header()] = None
) -> Caller | None:
    """The API key's store when one is sent; storefront calls send none."""
    return None if authorization is None else get_caller(session, authorization)


OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]


@router.post("/reviews", response_model=ReviewOut, status_code=201)
def post_review(
    body: TokenReviewIn | StaffReviewIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: OptionalCallerDep,
) -> ReviewOut:
    """Write a review: with a request link's `token` (no API key), or as staff with a write key."""
    if isinstance(body, TokenReviewIn):
        limit = limiter_for(
            request, "review-submit", limit=settings.review_submit_limit_per_hour, window_seconds=3600
        )
        enforce(limit, request, what="reviews")
        review = ReviewIn.model_validate(body.model_dump(exclude={"token"}))
        written = submission.submit_with_token(
            session, secret_key=settings.secret_key, token=body.token, review=review
        )
        return ReviewOut.model_validate(written)
    writer = require_write(required_caller(caller))
    written = submission.submit_as_staff(
        session, store_id=writer.store_id, review=body, actor=f"api-key:{writer.api_key_id}"
    )
    return ReviewOut.model_validate(written)


@router.get("/reviews", response_model=PageOut[ReviewOut])
def list_reviews(
    session: SessionDep,
    caller: ReaderDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    status: ReviewStatus | None = None,
    product_sku: Annotated[Sku | None, Query()] = None,
    rating: Annotated[int | None, Query(ge=1, le=5)] = None,
    verified_buyer: bool | None = None,
) -> PageOut[ReviewOut]:
    """The store's reviews, newest first; `status=pending` is the moderation queue."""
    filters = queries.ReviewFilter(
        status=status, product_sku=product_sku, rating=rating, verified_buyer=verified_buyer
    )
    page = queries.list_reviews(
        session, store_id=caller.store_id, filters=filters, cursor=cursor, limit=limit
    )
    return PageOut(data=[ReviewOut.model_validate(r) for r in page.items], next_cursor=page.next_cursor)


@router.get("/reviews/{review_id}", response_model=ReviewDetailOut)
def get_review(review_id: RowIdPath, session: SessionDep, caller: ReaderDep) -> ReviewDetailOut:
    """One review with its revisions, moderation decisions, replies and photos."""
    detail = queries.get_review(session, store_id=caller.store_id, review_id=review_id)
    return ReviewDetailOut.model_validate(
        {
            **ReviewOut.model_validate(detail.review).model_dump(),
            "product_sku": detail.product_sku,
            "revisions": detail.revisions,
            "decisions": detail.decisions,
            "replies": detail.replies,
            "photos": detail.photos,
        }
    )


@router.patch("/reviews/{review_id}", response_model=ReviewOut)
def edit_review(
    review_id: RowIdPath, body: ReviewEditIn, session: SessionDep, caller: WriterDep
) -> ReviewOut:
    """Correct a review's rating, title, body, language or disclosure; the `reason` is kept with the revision."""
    review = submission.edit_review(
        session,
        store_id=caller.store_id,
        review_id=review_id,
        edit=body,
        editor=f"api-key:{caller.api_key_id}",
    )
    return ReviewOut.model_validate(review)


@router.post("/reviews/{review_id}/moderate", response_model=ReviewOut)
def moderate_review(
    review_id: RowIdPath, body: ModerateIn, session: SessionDep, caller: WriterDep
) -> ReviewOut:
    """Approve, reject or hide a review; rejecting and hiding need a reason code."""
    review = moderation.moderate_review(
        session,
        store_id=caller.store_id,
        review_id=review_id,
        action=body.action,
        actor=f"api-key:{caller.api_key_id}",
        reason=body.reason,
        note=body.note,
    )
    return ReviewOut.model_validate(review)


@router.post("/reviews/{review_id}/replies", response_model=ReplyOut, status_code=201)
def reply_to_review(review_id: RowIdPath, body: ReplyIn, session: SessionDep, caller: WriterDep) -> ReplyOut:
    """Reply publicly (shown under the review) or privately (emailed to the reviewer only)."""
    reply = replies.reply_to_review(
        session,
        store_id=caller.store_id,
        review_id=review_id,
        body=body.body,
        visibility=body.visibility,
        author=f"api-key:{caller.api_key_id}",
    )
    return ReplyOut.model_validate(reply)


@router.post("/reviews/{review_id}/votes", response_model=VoteOut)
def vote_on_review(
    review_id: RowIdPath,
    body: VoteIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: OptionalCallerDep,
) -> VoteOut:
    """Helpful or not: one vote per person (customer, else email, else address); voting again changes it."""
    return cast_vote(session, settings, Subject.REVIEW, review_id, body, request, caller)


@router.post("/reviews/{review_id}/photos", response_model=PhotoOut, status_code=201)
async def add_photo(
    review_id: RowIdPath,
    session: SessionDep,
    settings: SettingsDep,
    caller: OptionalCallerDep,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP image.")],
    token: Annotated[str | None, Form(max_length=128)] = None,
) -> PhotoOut:
    """Attach a photo: staff with a write key, or the reviewer with the token their review was written with."""
    if token is not None and caller is None:
        store_id = submission.review_for_token(
            session, secret_key=settings.secret_key, token=token, review_id=review_id
        )
    else:
        store_id = require_write(required_caller(caller)).store_id
    data = await file.read(settings.review_photo_max_bytes + 1)
    limits = photos.PhotoLimits(
        settings.review_photo_max_bytes, settings.review_photo_max_pixels, settings.review_photos_per_review
    )
    photo = photos.add_photo(
        session,
        store_id=store_id,
        review_id=review_id,
        data=data,
        media_dir=settings.media_dir,
        limits=limits,
    )
    return PhotoOut.model_validate(photo)


@router.get("/review-settings", response_model=ReviewSettingsIn)
def read_review_settings(session: SessionDep, caller: ReaderDep) -> ReviewSettingsIn:
    """The store's review settings (defaults until first set)."""
    return get_review_settings(session, store_id=caller.store_id)


@router.put("/review-settings", response_model=ReviewSettingsIn)
def replace_review_settings(
    body: ReviewSettingsIn, session: SessionDep, caller: WriterDep
) -> ReviewSettingsIn:
    """Replace the store's review settings as a whole."""
    return put_review_settings(session, store_id=caller.store_id, settings=body)


@router.get("/nps", response_model=NpsOut)
def net_promoter_score(
    session: SessionDep,
    caller: ReaderDep,
    since: datetime | None = None,
    until: datetime | None = None,
) -> NpsOut:
    """Net Promoter Score from the 0-10 answers given with reviews."""
    nps = queries.net_promoter_score(session, store_id=caller.store_id, since=since, until=until)
    return NpsOut(responses=nps.responses, promoters=nps.promoters, passives=nps.passives,
                  detractors=nps.detractors, score=nps.score)  # fmt: skip


def cast_vote(
    session: SessionDep,
    settings: Settings,
    subject: Subject,
    subject_id: int,
    body: VoteIn,
    request: Request,
    caller: Caller | None,
) -> VoteOut:
    """Shared by review and answer votes, under one rate limit: find the subject's store, identify the voter, vote."""
    limiter = limiter_for(request, "votes", limit=settings.vote_limit_per_minute, window_seconds=60)
    enforce(limiter, request, what="votes")
    store_id = votes.store_of(session, subject=subject, subject_id=subject_id)
    if store_id is None or (caller is not None and caller.store_id != store_id):
        raise NotFound(f"no published {subject.value} {subject_id}")
    customer_id = None
    if body.customer_external_id is not None:
        customer_id = submission.customer_id_of(
            session, store_id=store_id, external_id=body.customer_external_id
        )
    voter = voter_key(
        settings.secret_key, customer_id=customer_id, email=body.email, ip=client_address(request)
    )
    counts = votes.vote(
        session, store_id=store_id, subject=subject, subject_id=subject_id, voter=voter, helpful=body.helpful
    )
    return VoteOut(helpful_count=counts.helpful_count, unhelpful_count=counts.unhelpful_count)


def required_caller(caller: Caller | None) -> Caller:
    if caller is None:
        raise Unauthorized(
            "send a request link's token, or an API key with write scope as 'Authorization: Bearer <key>'",
            code="missing_api_key",
        )
    return caller
