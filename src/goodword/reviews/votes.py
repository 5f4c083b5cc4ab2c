"""Helpful / unhelpful votes on published reviews and answers: one per voter, a second vote replaces the first.

Voters are keys made by `links.voter_key` (customer id, else a keyed hash of email or address). The unique key
(store, subject, subject id, voter) decides races; the counters on the review or answer move by SQL arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import NotFound
from goodword.reviews.models import Answer, AnswerStatus, Review, ReviewStatus, Subject, Vote

_votes = cast(Table, Vote.__table__)


@dataclass(frozen=True, slots=True)
class VoteCounts:
    helpful_count: int
    unhelpful_count: int


def store_of(session: Session, *, subject: Subject, subject_id: int) -> str | None:
    """The store a review or answer belongs to: public votes name only the review or answer."""
    model: type[Review] | type[Answer] = Review if subject is Subject.REVIEW else Answer
    return session.scalars(select(model.store_id).where(model.id == subject_id)).one_or_none()


def vote(
    session: Session,
    *,
    store_id: str,
    subject: Subject,
    subject_id: int,
    voter: str,
    helpful: bool,
    now: datetime | None = None,
) -> VoteCounts:
    """Record a vote and return the new counts.

    Raises:
        NotFound: the store has no such published review or answer.
    """
    now = now or utc_now()
    model: type[Review] | type[Answer] = Review if subject is Subject.REVIEW else Answer
    published = ReviewStatus.PUBLISHED if subject is Subject.REVIEW else AnswerStatus.PUBLISHED
    found = session.scalars(
        select(model.id).where(model.store_id == store_id, model.id == subject_id, model.status == published)
    ).one_or_none()
    if found is None:
        raise NotFound(f"no published {subject.value} {subject_id}")
    row = {"store_id": store_id, "subject": subject, "subject_id": subject_id, "voter": voter,
           "helpful": helpful, "created_at": now, "updated_at": now}  # fmt: skip
    inserted = session.execute(
        insert_for(session, _votes).values(row).on_conflict_do_nothing().returning(_votes.c.id)
    ).scalar_one_or_none()
    helpful_delta = unhelpful_delta = 0
    if inserted is not None:
        helpful_delta, unhelpful_delta = (1, 0) if helpful else (0, 1)
    else:
        changed = session.execute(
            update(Vote)
            .where(
                Vote.store_id == store_id,
                Vote.subject == subject,
                Vote.subject_id == subject_id,
                Vote.voter == voter,
                Vote.helpful.is_not(helpful),
            )
            .values(helpful=helpful, updated_at=now)
            .returning(Vote.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if changed is not None:
            helpful_delta, unhelpful_delta = (1, -1) if helpful else (-1, 1)
    counts = session.execute(
        update(model)
        .where(model.store_id == store_id, model.id == subject_id)
        .values(
            helpful_count=model.helpful_count + helpful_delta,
            unhelpful_count=model.unhelpful_count + unhelpful_delta,
        )
        .returning(model.helpful_count, model.unhelpful_count)
        .execution_options(synchronize_session=False)
    ).one()
    return VoteCounts(int(counts[0]), int(counts[1]))
