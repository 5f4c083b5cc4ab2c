"""Customer ties: who knows whom, and how we know it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session, aliased

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import FieldIssue, InvalidInput, NotFound
from goodword.stores.customers import customer_ids_by_external_id
from goodword.stores.inputs import TieIn
from goodword.stores.models import Customer, CustomerTie, TieSource
from goodword.stores.pagination import Page, paginate

_ties = cast(Table, CustomerTie.__table__)


def record_ties(
    session: Session, *, store_id: str, ties: Sequence[TieIn], now: datetime | None = None
) -> list[tuple[CustomerTie, bool]]:
    """Record ties between existing customers; a tie already known comes back unchanged with `False`.

    Raises:
        InvalidInput: a tie names a customer the store does not have.
    """
    now = now or utc_now()
    names = [name for tie in ties for name in (tie.from_external_id, tie.to_external_id)]
    ids = customer_ids_by_external_id(session, store_id=store_id, external_ids=names)
    issues = [
        FieldIssue(f"items.{index}.{side}", f"no customer {getattr(tie, side)!r}", "unknown")
        for index, tie in enumerate(ties)
        for side in ("from_external_id", "to_external_id")
        if getattr(tie, side) not in ids
    ]
    if issues:
        raise InvalidInput("ties name customers that do not exist", issues)
    results = []
    for tie in ties:
        key = {
            "store_id": store_id,
            "from_customer_id": ids[tie.from_external_id],
            "to_customer_id": ids[tie.to_external_id],
            "source": tie.source,
        }
        inserted = session.execute(
            insert_for(session, _ties)
            .values(**key, created_at=tie.created_at or now)
            .on_conflict_do_nothing()
            .returning(_ties.c.id)
        ).scalar_one_or_none()
        results.append((session.scalars(select(CustomerTie).filter_by(**key)).one(), inserted is not None))
    return results


def get_tie(session: Session, *, store_id: str, tie_id: int) -> CustomerTie:
    """Raises:
    NotFound: the store has no tie with this id.
    """
    tie = session.scalars(
        select(CustomerTie).where(CustomerTie.store_id == store_id, CustomerTie.id == tie_id)
    ).one_or_none()
    if tie is None:
        raise NotFound(f"no tie {tie_id}")
    return tie


def list_ties(
    session: Session,
    *,
    store_id: str,
    customer: str | None,
    source: TieSource | None,
    cursor: str | None,
    limit: int,
) -> Page[CustomerTie]:
    query = select(CustomerTie).where(CustomerTie.store_id == store_id)
    if customer is not None:
        teller, told = aliased(Customer), aliased(Customer)
        query = (
            query.join(teller, teller.id == CustomerTie.from_customer_id)
            .join(told, told.id == CustomerTie.to_customer_id)
            .where(or_(teller.external_id == customer, told.external_id == customer))
        )
    if source is not None:
        query = query.where(CustomerTie.source == source)
    return paginate(session, query, CustomerTie.id, cursor=cursor, limit=limit)
