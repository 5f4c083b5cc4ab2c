"""Review statuses and who moved them: auto-publish rules, the staff queue's decisions, the audit trail.

Every status change of a review goes through `change_status`, which appends a `ModerationDecision`, keeps the
product's rating summary in step and publishes `review.published` the first time... and every time after a
take-down: each publication is its own event, named after the decision that made it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import Conflict, FieldIssue, InvalidInput, NotFound
from goodword.messaging.events import publish_event
from goodword.reviews.models import ModerationDecision, Review, ReviewStatus, Subject
from goodword.reviews.payloads import review_data
from goodword.reviews.screening import Finding
from goodword.reviews.settings import ReviewSettingsIn
from goodword.reviews.summaries import apply_rating_changes
from goodword.stores.models import Product

AUTO_PUBLISH = "system:auto-publish"
_REASON = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class ModerationAction(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"


_TARGET = {
    ModerationAction.APPROVE: ReviewStatus.PUBLISHED,
    ModerationAction.REJECT: ReviewStatus.REJECTED,
    ModerationAction.HIDE: ReviewStatus.HIDDEN,
}


@dataclass(frozen=True, slots=True)
class InitialStatus:
    status: ReviewStatus
    actor: str
    reason: str | None
    note: str | None


def initial_status(
    *, settings: ReviewSettingsIn, rating: int, verified_buyer: bool, findings: list[Finding], actor: str
) -> InitialStatus:
    """Where a new review starts: published when the store's rules allow it and the screen found nothing."""
    if findings:
        note = "; ".join(f"{f.code}: {f.detail}" for f in findings)
        return InitialStatus(ReviewStatus.PENDING, "system:screen", findings[0].code, note[:2000])
    # Seam: sentiment and fake-review scores (reputation desk) will be consulted here.
    minimum = settings.auto_publish_min_rating
    if (
        minimum is not None
        and rating >= minimum
        and (verified_buyer or not settings.auto_publish_verified_only)
    ):
        return InitialStatus(ReviewStatus.PUBLISHED, AUTO_PUBLISH, "auto_publish_rule", None)
    return InitialStatus(ReviewStatus.PENDING, actor, "awaiting_moderation", None)


def record_decision(
    session: Session,
    *,
    store_id: str,
    subject: Subject,
    subject_id: int,
    from_status: str | None,
    to_status: str,
    actor: str,
    reason: str | None,
    note: str | None,
    now: datetime,
) -> ModerationDecision:
    decision = ModerationDecision(
        store_id=store_id,
        subject=subject,
        subject_id=subject_id,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        note=note,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    return decision


def change_status(
    session: Session,
    *,
    review: Review,
    to_status: ReviewStatus,
    actor: str,
    reason: str | None,
    note: str | None,
    now: datetime,
    from_status: ReviewStatus | None = None,
) -> ModerationDecision:
    """Move a review to `to_status` (from `from_status`, None for a new review) with its record and effects."""
    decision = record_decision(
        session,
        store_id=review.store_id,
        subject=Subject.REVIEW,
        subject_id=review.id,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        actor=actor,
        reason=reason,
        note=note,
        now=now,
    )
    review.status = to_status
    review.updated_at = now
    was_published = from_status is ReviewStatus.PUBLISHED
    if to_status is ReviewStatus.PUBLISHED and not was_published:
        review.published_at = review.published_at or now
        apply_rating_changes(
            session, store_id=review.store_id, changes=[(review.product_id, review.rating, 1)], now=now
        )
        session.flush()
        publish_event(
            session,
            store_id=review.store_id,
            event_type="review.published",
            data=review_data(review, product_sku=_sku(session, review)),
            event_id=f"review.published.{review.id}.{decision.id}",
            now=now,
        )
    elif was_published and to_status is not ReviewStatus.PUBLISHED:
        apply_rating_changes(
            session, store_id=review.store_id, changes=[(review.product_id, review.rating, -1)], now=now
        )
    session.flush()
    return decision


def moderate_review(
    session: Session,
    *,
    store_id: str,
    review_id: int,
    action: ModerationAction,
    actor: str,
    reason: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Review:
    """Approve, reject or hide a review, recording who did it and why.

    Raises:
        NotFound: the store has no such review.
        InvalidInput: a rejection or take-down without a reason code, or a reason that is not a code.
        Conflict: the review already has that status.
    """
    review = get_review_for_update(session, store_id=store_id, review_id=review_id)
    target = _TARGET[action]
    check_reason(reason, action=action, subject=Subject.REVIEW)
    if review.status is target:
        raise Conflict(f"review {review_id} is already {target.value}", code="already_" + target.value)
    change_status(
        session,
        review=review,
        from_status=review.status,
        to_status=target,
        actor=actor,
        reason=reason,
        note=note,
        now=now or utc_now(),
    )
    return review


def check_reason(reason: str | None, *, action: ModerationAction, subject: Subject) -> None:
    """A reason is a code, and rejecting or hiding needs one: the same rule for reviews, questions and answers.

    Raises:
        InvalidInput: a rejection or take-down without a reason code, or a reason that is not a code.
    """
    if reason is not None and not _REASON.match(reason):
        raise InvalidInput(
            f"reason {reason!r} is not a code", [FieldIssue("reason", "lower-case letters, digits and _")]
        )
    if action is not ModerationAction.APPROVE and reason is None:
        raise InvalidInput(
            f"say why the {subject.value} is to be {_TARGET[action].value}",
            [
                FieldIssue(
                    "reason", "required to reject or hide, e.g. 'profanity', 'spam', 'off_topic'", "missing"
                )
            ],
        )


def decisions_for(
    session: Session, *, store_id: str, subject: Subject, subject_id: int
) -> list[ModerationDecision]:
    query = (
        select(ModerationDecision)
        .where(
            ModerationDecision.store_id == store_id,
            ModerationDecision.subject == subject,
            ModerationDecision.subject_id == subject_id,
        )
        .order_by(ModerationDecision.id)
    )
    return list(session.scalars(query))


def get_review_for_update(session: Session, *, store_id: str, review_id: int) -> Review:
    """Raises:
    NotFound: the store has no such review.
    """
    review = session.scalars(
        select(Review).where(Review.store_id == store_id, Review.id == review_id).with_for_update()
    ).one_or_none()
    if review is None:
        raise NotFound(f"no review {review_id}")
    return review


def _sku(session: Session, review: Review) -> str:
    return session.scalars(
        select(Product.sku).where(Product.store_id == review.store_id, Product.id == review.product_id)
    ).one()
