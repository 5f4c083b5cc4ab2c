"""Writing a review: from a request link, or by staff through the API, and editing it afterwards.

A review is *verified* only when its customer has a paid order that contains its product; it is *incentivized*
when a reward was given for it (staff say so, or the store's settings say its program rewards reviews).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Select, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import Conflict, FieldIssue, Gone, InvalidInput, NotFound
from goodword.messaging.events import publish_event
from goodword.reviews import links
from goodword.reviews.models import RecommendationScore, Review, ReviewRequest, ReviewRevision, ReviewStatus
from goodword.reviews.moderation import InitialStatus, change_status, get_review_for_update, initial_status
from goodword.reviews.payloads import review_data
from goodword.reviews.screening import detect_language, screen
from goodword.reviews.settings import get_review_settings
from goodword.reviews.summaries import apply_rating_changes
from goodword.stores.inputs import Email, ExternalId, Moment, Sku, Text200
from goodword.stores.models import Customer, Order, OrderLine, OrderStatus, Product

_PAID = (OrderStatus.PAID, OrderStatus.FULFILLED)
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Rating = Annotated[int, Field(ge=1, le=5, strict=True)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]


class ReviewIn(BaseModel):
    """What a customer writes through a request link."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rating: Rating
    title: Text200 | None = None
    body: Body
    language: Language | None = Field(default=None, description="Detected (en or zh) when not given.")
    author_name: Text200 | None = Field(
        default=None, description="Shown with the review; else the first name."
    )
    recommend_score: Annotated[int, Field(ge=0, le=10, strict=True)] | None = Field(
        default=None, description="How likely the customer is to recommend the store, 0-10 (NPS)."
    )


class StaffReviewIn(BaseModel):
    """A review the store sends in itself (collected elsewhere); moderated like any other."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    product_sku: Sku
    rating: Rating
    title: Text200 | None = None
    body: Body
    language: Language | None = None
    author_name: Text200
    author_email: Email | None = None
    customer_external_id: ExternalId | None = None
    order_external_id: ExternalId | None = None
    incentivized: bool = False
    created_at: Moment | None = None
    external_id: ExternalId | None = Field(
        default=None, description="Your id for it: sending it twice is one review."
    )


class ReviewEditIn(BaseModel):
    """Staff correcting a review (a typo the reviewer asked to fix, a wrong rating, a missed disclosure)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rating: Rating | None = None
    title: Text200 | None = None
    body: Body | None = None
    language: Language | None = None
    incentivized: bool | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        description="Why it was changed; kept with the revision."
    )


@dataclass(frozen=True, slots=True)
class NewReview:
    """Everything `create_review` needs, resolved to ids."""

    store_id: str
    product_id: int
    rating: int
    title: str | None
    body: str
    language: str | None
    author_name: str
    author_email: str | None
    customer_id: int | None
    order_id: int | None
    order_line_id: int | None
    request_id: int | None
    verified_buyer: bool
    incentivized: bool
    imported_from: str | None
    external_id: str | None
    created_at: datetime
    # Set only for a review that was published elsewhere first (an import): its original publication date.
    published_at: datetime | None = None


def submit_with_token(
    session: Session, *, secret_key: str, token: str, review: ReviewIn, now: datetime | None = None
) -> Review:
    """Write the review a request link asks for; the link works once, until it expires.

    Raises:
        NotFound: the link is not valid.
        Gone: the link was already used (`link_used`) or has expired (`link_expired`).
        Conflict: the customer already reviewed this product for this order.
    """
    now = now or utc_now()
    request = open_request(session, secret_key=secret_key, token=token, now=now)
    # Conditional on still being unused: of two simultaneous submissions, one wins and the other is told.
    claimed = session.execute(
        update(ReviewRequest)
        .where(ReviewRequest.id == request.id, ReviewRequest.used_at.is_(None))
        .values(used_at=now, reminder_due_at=None)
        .returning(ReviewRequest.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        raise Gone("this review link was already used", code="link_used")
    settings = get_review_settings(session, store_id=request.store_id)
    customer = session.get(Customer, request.customer_id)
    created = create_review(
        session,
        review=NewReview(
            store_id=request.store_id,
            product_id=request.product_id,
            rating=review.rating,
            title=review.title,
            body=review.body,
            language=review.language,
            author_name=review.author_name or _first_name(customer),
            author_email=customer.email if customer else None,
            customer_id=request.customer_id,
            order_id=request.order_id,
            order_line_id=request.order_line_id,
            request_id=request.id,
            verified_buyer=is_verified_buyer(
                session,
                store_id=request.store_id,
                customer_id=request.customer_id,
                product_id=request.product_id,
                order_id=request.order_id,
            ),
            incentivized=settings.rewards_reviews,
            imported_from=None,
            external_id=None,
            created_at=now,
        ),
        actor="customer",
        now=now,
    )
    session.execute(
        update(ReviewRequest)
        .where(ReviewRequest.id == request.id)
        .values(review_id=created.id)
        .execution_options(synchronize_session=False)
    )
    if review.recommend_score is not None and settings.ask_recommendation:
        record_recommendation(
            session,
            store_id=request.store_id,
            order_id=request.order_id,
            customer_id=request.customer_id,
            score=review.recommend_score,
            now=now,
        )
    return created


def open_request(session: Session, *, secret_key: str, token: str, now: datetime) -> ReviewRequest:
    """The request a link names, if it can still be answered.

    Raises:
        NotFound: the link is not valid.
        Gone: the link was already used (`link_used`) or has expired (`link_expired`).
    """
    target = links.read_token(secret_key, token, purpose=links.REVIEW_REQUEST)
    request = session.scalars(
        select(ReviewRequest).where(
            ReviewRequest.store_id == target.store_id, ReviewRequest.id == target.row_id
        )
    ).one_or_none()
    if request is None:
        raise NotFound(f"this review link is not valid: {token[:40]!r}", code="invalid_link")
    if request.used_at is not None:
        raise Gone(f"this review link was already used on {request.used_at:%Y-%m-%d}", code="link_used")
    if request.expires_at <= now:
        raise Gone(f"this review link expired on {request.expires_at:%Y-%m-%d}", code="link_expired")
    return request


def review_for_token(
    session: Session, *, secret_key: str, token: str, review_id: int, now: datetime | None = None
) -> str:
    """The store of the review a request link wrote, while the link is unexpired: lets the reviewer add photos.

    Raises:
        NotFound: the link is not valid, or did not write this review.
        Gone: the link has expired (`link_expired`).
    """
    now = now or utc_now()
    target = links.read_token(secret_key, token, purpose=links.REVIEW_REQUEST)
    request = session.scalars(
        select(ReviewRequest).where(
            ReviewRequest.store_id == target.store_id, ReviewRequest.id == target.row_id
        )
    ).one_or_none()
    if request is None or request.review_id != review_id:
        raise NotFound(f"no review {review_id} written with this link", code="invalid_link")
    if request.expires_at <= now:
        raise Gone(f"this review link expired on {request.expires_at:%Y-%m-%d}", code="link_expired")
    return request.store_id


def customer_id_of(session: Session, *, store_id: str, external_id: str) -> int:
    """Raises:
    InvalidInput: the store has no such customer.
    """
    return _id_of(
        session,
        select(Customer.id).where(Customer.store_id == store_id, Customer.external_id == external_id),
        field="customer_external_id",
        value=external_id,
    )


def submit_as_staff(
    session: Session, *, store_id: str, review: StaffReviewIn, actor: str, now: datetime | None = None
) -> Review:
    """Write a review the store collected itself: verified only if it matches a paid order of the product.

    Raises:
        InvalidInput: the product, customer or order does not exist in the store.
        Conflict: the customer already reviewed this product for this order.
    """
    now = now or utc_now()
    if review.external_id is not None:
        existing = session.scalars(
            select(Review).where(
                Review.store_id == store_id,
                Review.imported_from == "api",
                Review.external_id == review.external_id,
            )
        ).one_or_none()
        if existing is not None:
            return existing
    product_id = _id_of(
        session,
        select(Product.id).where(Product.store_id == store_id, Product.sku == review.product_sku),
        field="product_sku",
        value=review.product_sku,
    )
    customer_id = None
    if review.customer_external_id is not None:
        customer_id = _id_of(
            session,
            select(Customer.id).where(
                Customer.store_id == store_id, Customer.external_id == review.customer_external_id
            ),
            field="customer_external_id",
            value=review.customer_external_id,
        )
    elif review.author_email is not None:
        customer_id = customer_by_email(session, store_id=store_id, email=review.author_email)
    order_id = None
    if review.order_external_id is not None:
        order_id = _id_of(
            session,
            select(Order.id).where(Order.store_id == store_id, Order.external_id == review.order_external_id),
            field="order_external_id",
            value=review.order_external_id,
        )
    return create_review(
        session,
        review=NewReview(
            store_id=store_id,
            product_id=product_id,
            rating=review.rating,
            title=review.title,
            body=review.body,
            language=review.language,
            author_name=review.author_name,
            author_email=review.author_email,
            customer_id=customer_id,
            order_id=order_id,
            order_line_id=None,
            request_id=None,
            verified_buyer=customer_id is not None
            and is_verified_buyer(
                session, store_id=store_id, customer_id=customer_id, product_id=product_id, order_id=order_id
            ),
            incentivized=review.incentivized,
            imported_from="api",
            external_id=review.external_id,
            created_at=review.created_at or now,
        ),
        actor=actor,
        now=now,
    )


def create_review(
    session: Session, *, review: NewReview, actor: str, now: datetime, start: InitialStatus | None = None
) -> Review:
    """Insert a review with its first revision, screen it, set its first status and publish its events.

    `start` overrides the first status the store's rules and the screen would give (an import keeps the status
    the review had where it came from).

    Raises:
        Conflict: the customer already reviewed this product for this order.
    """
    settings = get_review_settings(session, store_id=review.store_id)
    row = Review(
        store_id=review.store_id,
        product_id=review.product_id,
        customer_id=review.customer_id,
        order_id=review.order_id,
        order_line_id=review.order_line_id,
        request_id=review.request_id,
        rating=review.rating,
        title=review.title,
        body=review.body,
        language=review.language or detect_language(f"{review.title or ''} {review.body}"),
        author_name=review.author_name,
        author_email=review.author_email,
        status=ReviewStatus.PENDING,
        verified_buyer=review.verified_buyer,
        incentivized=review.incentivized,
        imported_from=review.imported_from,
        external_id=review.external_id,
        helpful_count=0,
        unhelpful_count=0,
        photo_count=0,
        created_at=review.created_at,
        published_at=review.published_at,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"customer {review.customer_id} already reviewed product {review.product_id} for order {review.order_id}",
            code="already_reviewed",
        ) from None
    session.add(
        ReviewRevision(
            store_id=row.store_id,
            review_id=row.id,
            revision=1,
            rating=row.rating,
            title=row.title,
            body=row.body,
            edited_by=actor,
            reason=None,
            created_at=now,
        )
    )
    start = start or initial_status(
        settings=settings,
        rating=row.rating,
        verified_buyer=row.verified_buyer,
        findings=screen(row.title, row.body),
        actor=actor,
    )
    sku = session.scalars(select(Product.sku).where(Product.id == row.product_id)).one()
    publish_event(
        session,
        store_id=row.store_id,
        event_type="review.created",
        data=review_data(row, product_sku=sku),
        event_id=f"review.created.{row.id}",
        now=now,
    )
    change_status(
        session,
        review=row,
        to_status=start.status,
        actor=start.actor,
        reason=start.reason,
        note=start.note,
        now=now,
    )
    return row


def edit_review(
    session: Session,
    *,
    store_id: str,
    review_id: int,
    edit: ReviewEditIn,
    editor: str,
    now: datetime | None = None,
) -> Review:
    """Change what a review says (the fields `edit` was given), keeping what it said before as a revision.

    A published review's rating change moves the product's summary in the same transaction. An edit that
    changes nothing appends nothing.

    Raises:
        NotFound: the store has no such review.
        InvalidInput: the edit names no field to change.
    """
    now = now or utc_now()
    given = edit.model_fields_set - {"reason"}
    if not given:
        raise InvalidInput(
            "say what to change: rating, title, body, language or incentivized",
            [FieldIssue("body", "at least one field to change", "missing")],
        )
    review = get_review_for_update(session, store_id=store_id, review_id=review_id)
    # None for a field that cannot be empty means "unchanged"; a title may be cleared with null.
    changes = {
        name: value
        for name in sorted(given)
        if ((value := getattr(edit, name)) is not None or name == "title") and getattr(review, name) != value
    }
    if not changes:
        return review
    rating = changes.get("rating", review.rating)
    if review.status is ReviewStatus.PUBLISHED and rating != review.rating:
        apply_rating_changes(
            session,
            store_id=store_id,
            changes=[(review.product_id, review.rating, -1), (review.product_id, rating, 1)],
            now=now,
        )
    last = session.scalars(
        select(ReviewRevision.revision)
        .where(ReviewRevision.store_id == store_id, ReviewRevision.review_id == review_id)
        .order_by(ReviewRevision.revision.desc())
        .limit(1)
    ).one_or_none()
    if last is None:  # written without its first revision (the demo store's reviews): keep the original first
        session.add(
            ReviewRevision(
                store_id=store_id, review_id=review_id, revision=1, rating=review.rating, title=review.title,
                body=review.body, edited_by="original", reason=None, created_at=review.created_at,
            )
        )  # fmt: skip
        last = 1
    for name, value in changes.items():
        setattr(review, name, value)
    review.updated_at = now
    session.add(
        ReviewRevision(
            store_id=store_id,
            review_id=review_id,
            revision=last + 1,
            rating=review.rating,
            title=review.title,
            body=review.body,
            edited_by=editor,
            reason=edit.reason,
            created_at=now,
        )
    )
    session.flush()
    return review


def is_verified_buyer(
    session: Session, *, store_id: str, customer_id: int, product_id: int, order_id: int | None = None
) -> bool:
    """Whether this customer has a paid (or fulfilled) order of this product; of `order_id` when given."""
    query = (
        select(OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.store_id == store_id,
            OrderLine.product_id == product_id,
            Order.store_id == store_id,
            Order.customer_id == customer_id,
            Order.status.in_(_PAID),
        )
    )
    if order_id is not None:
        query = query.where(Order.id == order_id)
    return bool(session.scalar(select(exists(query))))


def customer_by_email(session: Session, *, store_id: str, email: str) -> int | None:
    return session.scalars(
        select(Customer.id)
        .where(
            Customer.store_id == store_id,
            Customer.email == email.strip().lower(),
            Customer.erased_at.is_(None),
        )
        .order_by(Customer.id)
        .limit(1)
    ).one_or_none()


def record_recommendation(
    session: Session, *, store_id: str, order_id: int, customer_id: int | None, score: int, now: datetime
) -> None:
    """Keep the first 0-10 answer given for an order; a later one for the same order is ignored."""
    exists_already = session.scalar(
        select(
            exists().where(RecommendationScore.store_id == store_id, RecommendationScore.order_id == order_id)
        )
    )
    if exists_already:
        return
    try:
        with session.begin_nested():
            session.add(
                RecommendationScore(
                    store_id=store_id, order_id=order_id, customer_id=customer_id, score=score, created_at=now
                )
            )
    except IntegrityError:
        pass  # a simultaneous answer for the same order came first


def _first_name(customer: Customer | None) -> str:
    if customer is None or not customer.name:
        return "A customer"
    return customer.name.split()[0]


def _id_of(session: Session, query: Select[int], *, field: str, value: str) -> int:
    found = session.scalars(query).one_or_none()
    if found is None:
        raise InvalidInput(
            f"{field} {value!r} does not exist in this store",
            [FieldIssue(field, f"no such {value!r}", "not_found")],
        )
    return found
