"""The member club: the ladder, placing members by spend and referrals, notices, events and order reactions."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from goodword import intake
from goodword.errors import InvalidInput
from goodword.messaging.endpoints import create_endpoint
from goodword.messaging.models import OutboxMessage
from goodword.rewards import members
from goodword.rewards.ledger import Cause
from goodword.rewards.member_coupons import issue_tier_coupons
from goodword.rewards.members import (
    TierChange,
    TierIn,
    reevaluate_tiers,
    replace_tiers,
    reward_multiplier_permille,
)
from goodword.rewards.models import Member, MemberTier, MemberTierChange
from goodword.stores.inputs import OrderIn
from goodword.stores.upserts import UpsertOutcome, UpsertStatus
from tests.factories.rewards import NOW, make_customer, make_ladder
from tests.factories.stores import StoreAccess, order_payload


def _order(session: Session, store: StoreAccess, customer: str, total: int, **overrides: Any) -> OrderIn:
    order = OrderIn.model_validate(
        order_payload(customer_external_id=customer, total_minor=total, **overrides)
    )
    intake.upsert_orders(session, store_id=store.store_id, orders=[order], source="test", now=NOW)
    return order


def _tier(session: Session, store: StoreAccess, customer_id: int) -> str | None:
    return session.scalar(
        select(MemberTier.name)
        .join(Member, Member.tier_id == MemberTier.id)
        .where(Member.store_id == store.store_id, Member.customer_id == customer_id)
    )


def _outbox(session: Session, store: StoreAccess) -> list[str]:
    query = (
        select(OutboxMessage.kind).where(OutboxMessage.store_id == store.store_id).order_by(OutboxMessage.id)
    )
    return list(session.scalars(query))


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_paid_order_moves_the_customer_up_with_a_notice_and_an_event(
    session: Session, store: StoreAccess
) -> None:
    # given a ladder, a webhook endpoint and a customer with an email address
    make_ladder(session, store_id=store.store_id)
    create_endpoint(session, store_id=store.store_id, url="https://hooks.example.com/in", event_types=["*"])
    ann = make_customer(session, store_id=store.store_id, external_id="ann", locale="zh-CN")
    # when
    _order(session, store, "ann", 12_000)
    # then
    assert _tier(session, store, ann) == "Silver"
    assert _outbox(session, store) == ["member.tier_changed", "member_tier_changed"]
    notice = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "member_tier_changed")).one()
    assert (notice.purpose.value, notice.locale, notice.customer_id) == ("transactional", "zh-CN", ann)
    history = session.scalars(select(MemberTierChange).where(MemberTierChange.customer_id == ann)).all()
    assert [(h.from_tier_id, h.spend_minor) for h in history] == [(None, 12_000)]


def test_a_refund_takes_the_order_out_of_spend_and_the_member_down(
    session: Session, store: StoreAccess
) -> None:
    # given a Silver member
    make_ladder(session, store_id=store.store_id)
    ann = make_customer(session, store_id=store.store_id, external_id="ann")
    order = _order(session, store, "ann", 12_000)
    # when the order is refunded
    _order(session, store, "ann", 12_000, external_id=order.external_id, status="refunded",
           refunded_at="2026-03-05T10:00:00Z")  # fmt: skip
    # then
    assert _tier(session, store, ann) == "Member"  # Silver is lost; the first tier starts at 0
    assert (
        len(session.scalars(select(MemberTierChange).where(MemberTierChange.customer_id == ann)).all()) == 2
    )


def test_successful_referrals_reach_a_tier_that_spend_alone_would_not(
    session: Session, store: StoreAccess
) -> None:
    # given
    make_ladder(session, store_id=store.store_id)
    ann = make_customer(session, store_id=store.store_id)
    # when
    changes = reevaluate_tiers(session, store_id=store.store_id, customer_ids=[ann], successful_referrals={ann: 3},
                               now=NOW)  # fmt: skip
    # then
    assert changes == [TierChange(ann, None, "Gold", NOW)]
    assert reward_multiplier_permille(session, store_id=store.store_id, customer_id=ann) == 1250
    # and a later re-evaluation without counts keeps the referrals it was told
    assert reevaluate_tiers(session, store_id=store.store_id, customer_ids=[ann], now=NOW) == []


def test_a_customer_in_no_tier_has_the_neutral_multiplier(session: Session, store: StoreAccess) -> None:
    ann = make_customer(session, store_id=store.store_id)
    assert reward_multiplier_permille(session, store_id=store.store_id, customer_id=ann) == 1000


def test_orders_in_a_store_without_a_ladder_cost_one_query_per_batch(
    session: Session, store: StoreAccess
) -> None:
    # given
    make_customer(session, store_id=store.store_id, external_id="ann")
    orders = [OrderIn.model_validate(order_payload(customer_external_id="ann")) for _ in range(50)]
    outcomes = [UpsertOutcome(o.external_id, n + 1, UpsertStatus.CREATED) for n, o in enumerate(orders)]
    # when
    with _statements(session) as seen:
        members.react_to_orders(session, store_id=store.store_id, orders=orders, outcomes=outcomes, now=NOW)
    # then
    assert len(seen) == 1


def test_replacing_the_ladder_retires_tiers_left_out_and_re_places_members(
    session: Session, store: StoreAccess
) -> None:
    # given a Silver member
    make_ladder(session, store_id=store.store_id)
    ann = make_customer(session, store_id=store.store_id, external_id="ann")
    _order(session, store, "ann", 12_000)
    # when Silver is dropped from the ladder
    replace_tiers(session, store_id=store.store_id, tiers=[TierIn(name="Member", min_spend_minor=0),
                                                            TierIn(name="Gold", min_spend_minor=50_000)], now=NOW)  # fmt: skip
    # then
    assert [t.name for t in members.list_tiers(session, store_id=store.store_id)] == ["Member", "Gold"]
    assert _tier(session, store, ann) == "Member"


@pytest.mark.parametrize(
    ("tiers", "fields"),
    [
        ([], ["tiers"]),
        ([TierIn(name="Member")], ["tiers.0"]),
        ([TierIn(name="A", min_referrals=5), TierIn(name="B", min_referrals=5)], ["tiers.1.min_referrals"]),
    ],
)
def test_a_ladder_that_does_not_climb_is_refused(
    session: Session, store: StoreAccess, tiers: list[TierIn], fields: list[str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        replace_tiers(session, store_id=store.store_id, tiers=tiers, now=NOW)
    assert [issue.field for issue in refused.value.issues] == fields


def test_a_tier_coupon_goes_to_each_member_of_the_tier_once(session: Session, store: StoreAccess) -> None:
    # given two Silver members and a plain one
    make_ladder(session, store_id=store.store_id)
    for name, total in (("ann", 12_000), ("bo", 15_000), ("cy", 100)):
        make_customer(session, store_id=store.store_id, external_id=name)
        _order(session, store, name, total)

    # when
    def issue() -> list[int]:
        coupons = issue_tier_coupons(session, store_id=store.store_id, tier_name="Silver", percent_off=15,
                                     amount_off_minor=None, currency=None, cause=Cause("campaign", "summer"),
                                     expires_at=None, now=NOW)  # fmt: skip
        return [c.id for c in coupons]

    first, again = issue(), issue()
    # then
    assert len(first) == 2
    assert again == first
