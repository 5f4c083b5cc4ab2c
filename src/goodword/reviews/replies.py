"""The merchant's replies to reviews: public ones are shown under the review, private ones only emailed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.messaging.events import publish_event
from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.reviews.models import ReplyVisibility, Review, ReviewReply
from goodword.reviews.moderation import get_review_for_update
from goodword.reviews.payloads import reply_data
from goodword.stores.models import Customer


def check_public_reply(session: Session, *, review: Review, body: str) -> None:
    """The one gate every public reply passes before it is stored.

    Seam for the reputation desk's reply guard (tone, personal data, promises the store cannot keep): it will
    raise `InvalidInput` with its findings here. Today every reply passes.
    """


def reply_to_review(
    session: Session,
    *,
    store_id: str,
    review_id: int,
    body: str,
    visibility: ReplyVisibility,
    author: str,
    now: datetime | None = None,
) -> ReviewReply:
    """Append a reply, email it to the reviewer when they can be reached, and publish `review.replied`.

    Raises:
        NotFound: the store has no such review.
        InvalidInput: the reply guard refused a public reply.
    """
    now = now or utc_now()
    review = get_review_for_update(session, store_id=store_id, review_id=review_id)
    if visibility is ReplyVisibility.PUBLIC:
        check_public_reply(session, review=review, body=body)
    reply = ReviewReply(
        store_id=store_id,
        review_id=review.id,
        visibility=visibility,
        body=body,
        author=author,
        created_at=now,
    )
    session.add(reply)
    session.flush()
    _email_reviewer(session, review=review, reply=reply, now=now)
    publish_event(
        session,
        store_id=store_id,
        event_type="review.replied",
        data=reply_data(reply),
        event_id=f"review.replied.{reply.id}",
        now=now,
    )
    return reply


def replies_of(session: Session, *, store_id: str, review_id: int) -> list[ReviewReply]:
    query = (
        select(ReviewReply)
        .where(ReviewReply.store_id == store_id, ReviewReply.review_id == review_id)
        .order_by(ReviewReply.id)
    )
    return list(session.scalars(query))


def _email_reviewer(session: Session, *, review: Review, reply: ReviewReply, now: datetime) -> None:
    customer = session.get(Customer, review.customer_id) if review.customer_id is not None else None
    email = customer.email if customer is not None and customer.erased_at is None else review.author_email
    if not email or (customer is not None and customer.email_undeliverable_at is not None):
        return
    enqueue(
        session,
        store_id=review.store_id,
        message=NewMessage(
            channel=Channel.EMAIL,
            purpose=Purpose.TRANSACTIONAL,
            kind="review_reply",
            recipient=email,
            payload={
                "author_name": review.author_name,
                "review_title": review.title,
                "review_body": review.body,
                "reply": reply.body,
                "public": reply.visibility is ReplyVisibility.PUBLIC,
            },
            reason=f"the store replied to review {review.id}",
            customer_id=review.customer_id,
            locale=customer.locale if customer is not None else review.language,
            send_at=now,
            dedupe_key=f"review-reply:{reply.id}",
        ),
    )
