"""Staff review of held referrals: the queue with every reason, and one appended decision per referral.

Approving moves a held referral back to `registered` through the referral's status history, then lets
`rewarding.reward_referral` apply whatever is due now (it converts the referral if the friend has already paid).
Rejecting moves it to `rejected`, which earns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import Conflict, NotFound
from goodword.referrals.history import change_status
from goodword.referrals.models import Referral, ReferralStatus
from goodword.referrals.ops_models import (
    FraudAssessment,
    FraudFinding,
    ReviewDecision,
    ReviewDecisionRecord,
)
from goodword.referrals.rewarding import reward_referral
from goodword.stores.models import Customer
from goodword.stores.pagination import Page, paginate

_decisions = cast(Table, ReviewDecisionRecord.__table__)


@dataclass(frozen=True)
class ReferralCase:
    """A referral as staff review it: the guard's reasons and the thresholds, and the decision if made."""

    referral: Referral
    referrer_external_id: str
    friend_external_id: str
    assessment: FraudAssessment | None
    findings: list[FraudFinding]
    decision: ReviewDecisionRecord | None


def review_queue(session: Session, *, store_id: str, cursor: str | None, limit: int) -> Page[ReferralCase]:
    """Held referrals awaiting a decision, oldest first, each with its reasons."""
    query = (
        select(Referral)
        .join(
            FraudAssessment,
            (FraudAssessment.store_id == Referral.store_id) & (FraudAssessment.referral_id == Referral.id),
        )
        .where(Referral.store_id == store_id, FraudAssessment.held.is_(True))
        .where(Referral.status == ReferralStatus.HELD)
    )
    page = paginate(session, query, Referral.id, cursor=cursor, limit=limit)
    return Page(_cases(session, store_id=store_id, referrals=page.items), page.next_cursor)


def referral_case(session: Session, *, store_id: str, referral_id: int) -> ReferralCase:
    """Raises:
    NotFound: the store has no such referral.
    """
    return _cases(session, store_id=store_id, referrals=[_referral(session, store_id, referral_id)])[0]


def decide(
    session: Session,
    *,
    store_id: str,
    referral_id: int,
    decision: ReviewDecision,
    note: str | None,
    who: str,
    now: datetime | None = None,
) -> ReferralCase:
    """Approve or reject a held referral, once; the decision is appended with who, when and why.

    Raises:
        NotFound: the store has no such referral.
        Conflict: the referral is not held, or was decided already.
    """
    now = now or utc_now()
    referral = _referral(session, store_id, referral_id, lock=True)
    if referral.status is not ReferralStatus.HELD:
        raise Conflict(f"referral {referral_id} is {referral.status.value}; only held referrals are reviewed")
    # The unique key on (store, referral) decides between two reviewers pressing the button at once.
    inserted = session.execute(
        insert_for(session, _decisions)
        .values(
            store_id=store_id,
            referral_id=referral_id,
            decision=decision,
            note=note,
            decided_by=who[:200],
            decided_at=now,
        )
        .on_conflict_do_nothing()
        .returning(_decisions.c.id)
    ).scalar_one_or_none()
    if inserted is None:
        raise Conflict(f"referral {referral_id} was already reviewed")
    why = f"{decision.value}d by staff" + (f": {note}" if note else "")
    if decision is ReviewDecision.APPROVE:
        change_status(
            session, referral=referral, to=ReferralStatus.REGISTERED, reason=why, actor=who, now=now
        )
        reward_referral(session, store_id=store_id, referral_id=referral_id, now=now)
    else:
        change_status(session, referral=referral, to=ReferralStatus.REJECTED, reason=why, actor=who, now=now)
    return referral_case(session, store_id=store_id, referral_id=referral_id)


def _referral(session: Session, store_id: str, referral_id: int, *, lock: bool = False) -> Referral:
    query = select(Referral).where(Referral.store_id == store_id, Referral.id == referral_id)
    referral = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    return referral


def _cases(session: Session, *, store_id: str, referrals: list[Referral]) -> list[ReferralCase]:
    ids = [r.id for r in referrals]
    if not ids:
        return []
    assessments = {
        a.referral_id: a
        for a in session.scalars(
            select(FraudAssessment).where(
                FraudAssessment.store_id == store_id, FraudAssessment.referral_id.in_(ids)
            )
        )
    }
    findings: dict[int, list[FraudFinding]] = {}
    for finding in session.scalars(
        select(FraudFinding)
        .where(FraudFinding.store_id == store_id, FraudFinding.referral_id.in_(ids))
        .order_by(FraudFinding.id)
    ):
        findings.setdefault(finding.referral_id, []).append(finding)
    decisions = {
        d.referral_id: d
        for d in session.scalars(
            select(ReviewDecisionRecord).where(
                ReviewDecisionRecord.store_id == store_id, ReviewDecisionRecord.referral_id.in_(ids)
            )
        )
    }
    people = {r.referrer_customer_id for r in referrals} | {r.referred_customer_id for r in referrals}
    names = dict(
        session.execute(
            select(Customer.id, Customer.external_id).where(
                Customer.store_id == store_id, Customer.id.in_(people)
            )
        ).all()
    )
    return [
        ReferralCase(
            r,
            names[r.referrer_customer_id],
            names[r.referred_customer_id],
            assessments.get(r.id),
            findings.get(r.id, []),
            decisions.get(r.id),
        )
        for r in referrals
    ]
