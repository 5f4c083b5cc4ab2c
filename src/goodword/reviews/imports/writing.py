"""Writing one chunk of imported reviews through the reviews services, in the caller's unit of work.

A review is found again by (store, source, external id): one already imported is left as it is, so importing a
file twice changes nothing. Its product must exist in the store; its customer is the store's customer with its
email, and it is verified only when that customer has a paid order of the product (the export's own "verified"
flag is kept as a note on the import decision, never trusted). Statuses go through `create_review` and
`change_status`, so the rating summary stays exact. Replies from the export are stored as they were, neither
emailed to the reviewer years later nor announced as new.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import Conflict, FieldIssue, InvalidInput
from goodword.reviews.imports.rows import ImportedReply, ImportedReview, ImportedRow
from goodword.reviews.models import ReplyVisibility, Review, ReviewReply, ReviewStatus
from goodword.reviews.moderation import InitialStatus
from goodword.reviews.submission import NewReview, create_review, customer_by_email
from goodword.stores.models import Order, OrderLine, OrderStatus, Product
from goodword.stores.upserts import UpsertOutcome, UpsertStatus

_PAID = (OrderStatus.PAID, OrderStatus.FULFILLED)
# The reason code of the decision that gives an imported review its first status.
_REASONS = {
    ReviewStatus.PUBLISHED: "imported_published",
    ReviewStatus.PENDING: "imported_pending",
    ReviewStatus.HIDDEN: "imported_hidden",
    ReviewStatus.REJECTED: "imported_rejected",
}


def write_reviews(
    session: Session,
    store_id: str,
    rows: Sequence[ImportedRow],
    source: str,
    *,
    now: datetime | None = None,
) -> list[UpsertOutcome]:
    """One outcome per row, in order: created, or unchanged when already imported.

    Raises:
        InvalidInput: a row's product is not in the store, its review was already written for that order, or a
            reply's review was never imported.
    """
    now = now or utc_now()
    outcomes: dict[int, UpsertOutcome] = {}
    # Reviews first: a WooCommerce reply may come in the same chunk as its review, after or before it.
    for index in sorted(range(len(rows)), key=lambda i: isinstance(rows[i], ImportedReply)):
        row = rows[index]
        if isinstance(row, ImportedReview):
            outcomes[index] = _write_review(session, store_id=store_id, row=row, now=now)
        else:
            outcomes[index] = _write_reply(session, store_id=store_id, row=row, now=now)
    return [outcomes[index] for index in range(len(rows))]


def _write_review(session: Session, *, store_id: str, row: ImportedReview, now: datetime) -> UpsertOutcome:
    existing = _imported_review_id(session, store_id=store_id, source=row.source, external_id=row.external_id)
    if existing is not None:
        return UpsertOutcome(row.external_id, existing, UpsertStatus.UNCHANGED)
    product_id = _product_id(session, store_id=store_id, row=row)
    customer_id = (
        customer_by_email(session, store_id=store_id, email=row.author_email) if row.author_email else None
    )
    order_id = (
        _paid_order_of(session, store_id=store_id, customer_id=customer_id, product_id=product_id)
        if customer_id is not None
        else None
    )
    actor = f"import:{row.source}"
    new = NewReview(
        store_id=store_id,
        product_id=product_id,
        rating=row.rating,
        title=row.title or None,
        body=row.body,
        language=None,
        author_name=row.author_name,
        author_email=row.author_email,
        customer_id=customer_id,
        order_id=order_id,
        order_line_id=None,
        request_id=None,
        verified_buyer=order_id is not None,
        incentivized=row.incentivized,
        imported_from=row.source,
        external_id=row.external_id,
        created_at=row.created_at,
        published_at=row.created_at if row.status is ReviewStatus.PUBLISHED else None,
    )
    try:
        review = create_review(
            session,
            review=new,
            actor=actor,
            now=now,
            start=InitialStatus(row.status, actor, _REASONS[row.status], row.note),
        )
    except Conflict as conflict:
        raise InvalidInput(f"{conflict.message}; this review is not imported again") from None
    if row.reply:
        session.add(
            ReviewReply(
                store_id=store_id,
                review_id=review.id,
                visibility=ReplyVisibility.PUBLIC if row.reply_public else ReplyVisibility.PRIVATE,
                body=row.reply,
                author=actor,
                created_at=row.reply_at or now,
            )
        )
        session.flush()
    return UpsertOutcome(row.external_id, review.id, UpsertStatus.CREATED)


def _write_reply(session: Session, *, store_id: str, row: ImportedReply, now: datetime) -> UpsertOutcome:
    review_id = _imported_review_id(
        session, store_id=store_id, source=row.source, external_id=row.parent_external_id
    )
    key = f"reply-to:{row.parent_external_id}"
    if review_id is None:
        raise InvalidInput(
            f"a reply to review {row.parent_external_id!r}, which is not imported",
            [FieldIssue("comment_parent", f"no imported review {row.parent_external_id!r}", "not_found")],
        )
    author = f"import:{row.source}"
    existing = session.scalars(
        select(ReviewReply.id).where(
            ReviewReply.store_id == store_id,
            ReviewReply.review_id == review_id,
            ReviewReply.author == author,
            ReviewReply.body == row.body,
        )
    ).first()
    if existing is not None:
        return UpsertOutcome(key, existing, UpsertStatus.UNCHANGED)
    reply = ReviewReply(
        store_id=store_id,
        review_id=review_id,
        visibility=ReplyVisibility.PUBLIC,
        body=row.body,
        author=author,
        created_at=row.created_at,
    )
    session.add(reply)
    session.flush()
    return UpsertOutcome(key, reply.id, UpsertStatus.CREATED)


def _imported_review_id(session: Session, *, store_id: str, source: str, external_id: str) -> int | None:
    return session.scalars(
        select(Review.id).where(
            Review.store_id == store_id, Review.imported_from == source, Review.external_id == external_id
        )
    ).one_or_none()


def _product_id(session: Session, *, store_id: str, row: ImportedReview) -> int:
    """The product a row names: by SKU (each ref in turn), else by its handle at the end of the product URL.

    Raises:
        InvalidInput: no product of the store matches; goodword does not create products from reviews.
    """
    refs = [ref for ref in (*row.product_refs, row.product_handle) if ref]
    for ref in refs:
        found = session.scalars(
            select(Product.id).where(Product.store_id == store_id, Product.sku == ref)
        ).one_or_none()
        if found is not None:
            return found
    if row.product_handle:
        # Shopify product URLs end in /products/<handle>; the handle is escaped for LIKE.
        pattern = "%/products/" + row.product_handle.replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_"
        )
        found = session.scalars(
            select(Product.id)
            .where(Product.store_id == store_id, Product.url.like(pattern, escape="\\"))
            .order_by(Product.id)
            .limit(1)
        ).one_or_none()
        if found is not None:
            return found
    named = " or ".join(repr(ref) for ref in refs) or "nothing"
    raise InvalidInput(
        f"no product of this store matches {named}; import the products first",
        [FieldIssue("product", f"no product {named}", "not_found")],
    )


def _paid_order_of(session: Session, *, store_id: str, customer_id: int, product_id: int) -> int | None:
    """The customer's latest paid (or fulfilled) order holding the product, if any."""
    return session.scalars(
        select(Order.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.store_id == store_id,
            OrderLine.store_id == store_id,
            Order.customer_id == customer_id,
            OrderLine.product_id == product_id,
            Order.status.in_(_PAID),
        )
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(1)
    ).first()
