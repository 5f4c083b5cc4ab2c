"""Birthday coupons: once a year, on the member's own calendar day, for tiers that give one."""

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.messaging.models import OutboxMessage
from goodword.rewards.coupons import customer_coupons
from goodword.rewards.member_coupons import issue_birthday_coupons
from goodword.rewards.members import reevaluate_tiers
from goodword.rewards.profiles import set_profile
from goodword.stores.models import Customer
from tests.factories.rewards import NOW, make_customer, make_ladder
from tests.factories.stores import StoreAccess


def _gold_member(session: Session, store: StoreAccess, birthday: date, time_zone: str | None) -> int:
    make_ladder(session, store_id=store.store_id)
    ann = make_customer(session, store_id=store.store_id, time_zone="Europe/London")
    reevaluate_tiers(
        session, store_id=store.store_id, customer_ids=[ann], successful_referrals={ann: 3}, now=NOW
    )
    customer = session.get_one(Customer, ann)
    set_profile(
        session, store_id=store.store_id, customer=customer, birthday=birthday, time_zone=time_zone, now=NOW
    )
    return ann


def test_a_birthday_coupon_comes_once_on_the_members_local_birthday(
    session: Session, store: StoreAccess
) -> None:
    # given a Gold member (15% birthday coupon) born on 17 May, living in Shanghai (UTC+8)
    ann = _gold_member(session, store, date(1990, 5, 17), "Asia/Shanghai")
    # when the job runs late on the 16th in UTC, which is already the 17th in Shanghai, and again that day
    first = issue_birthday_coupons(session, now=datetime(2026, 5, 16, 17, 0, tzinfo=UTC))
    again = issue_birthday_coupons(session, now=datetime(2026, 5, 17, 9, 0, tzinfo=UTC))
    next_year = issue_birthday_coupons(session, now=datetime(2027, 5, 17, 9, 0, tzinfo=UTC))
    # then
    assert (first, again, next_year) == (1, 0, 1)
    assert [
        s.coupon.percent_off for s in customer_coupons(session, store_id=store.store_id, customer_id=ann)
    ] == [
        15,
        15,
    ]
    greetings = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "member_birthday")).all()
    assert [g.purpose.value for g in greetings] == ["marketing", "marketing"]


def test_no_coupon_the_day_before_in_the_members_time_zone(session: Session, store: StoreAccess) -> None:
    # given a member born on 17 May who lives in Los Angeles (UTC-7 in May)
    _gold_member(session, store, date(1990, 5, 17), "America/Los_Angeles")
    # when it is the 17th in UTC but still the 16th in Los Angeles
    issued = issue_birthday_coupons(session, now=datetime(2026, 5, 17, 3, 0, tzinfo=UTC))
    # then
    assert issued == 0


def test_a_leap_day_birthday_is_kept_on_the_28th_in_common_years(
    session: Session, store: StoreAccess
) -> None:
    # given
    _gold_member(session, store, date(1992, 2, 29), None)
    # when
    issued = issue_birthday_coupons(session, now=datetime(2027, 2, 28, 12, 0, tzinfo=UTC))
    # then
    assert issued == 1


def test_members_of_a_tier_without_a_birthday_coupon_get_none(session: Session, store: StoreAccess) -> None:
    # given a Member-tier customer (the first tier gives no birthday coupon)
    make_ladder(session, store_id=store.store_id)
    ann = make_customer(session, store_id=store.store_id)
    reevaluate_tiers(session, store_id=store.store_id, customer_ids=[ann], now=NOW)
    set_profile(session, store_id=store.store_id, customer=session.get_one(Customer, ann), birthday=date(1990, 6, 1),
                time_zone=None, now=NOW)  # fmt: skip
    # when / then
    assert issue_birthday_coupons(session, now=NOW) == 0
