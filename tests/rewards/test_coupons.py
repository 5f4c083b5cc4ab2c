"""Coupons: one per cause, unguessable codes, single use, expiry and minimum orders."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from goodword.errors import Forbidden, Gone, InvalidInput
from goodword.rewards.coupons import CODE_ALPHABET, get_coupon, issue_coupon, redeem_coupon
from goodword.rewards.ledger import Cause
from goodword.rewards.models import Coupon
from goodword.stores.inputs import OrderIn
from goodword.stores.orders import upsert_orders
from tests.factories.rewards import NOW, make_customer
from tests.factories.stores import StoreAccess, order_payload

SPRING = Cause("campaign", "spring")


def _coupon(session: Session, store: StoreAccess, cause: Cause = SPRING, **terms: object) -> Coupon:
    options: dict[str, object] = {
        "customer_id": None, "percent_off": 10, "amount_off_minor": None, "currency": None,
        "expires_at": NOW + timedelta(days=30), "now": NOW, **terms,
    }  # fmt: skip
    return issue_coupon(session, store_id=store.store_id, cause=cause, **options)  # type: ignore[arg-type]


def test_the_same_cause_returns_the_coupon_it_issued_first(session: Session, store: StoreAccess) -> None:
    # given
    first = _coupon(session, store)
    # when
    again = _coupon(session, store, percent_off=50)
    # then
    assert again.id == first.id
    assert again.percent_off == 10


def test_codes_are_long_random_and_distinct(session: Session, store: StoreAccess) -> None:
    # when
    codes = {_coupon(session, store, Cause("campaign", str(n))).code for n in range(50)}
    # then
    assert len(codes) == 50
    assert all(len(code.replace("-", "")) == 12 and set(code) <= set(CODE_ALPHABET + "-") for code in codes)


def test_an_expired_coupon_cannot_be_redeemed(session: Session, store: StoreAccess) -> None:
    # given
    coupon = _coupon(session, store, expires_at=NOW + timedelta(days=1))
    # when / then
    with pytest.raises(Gone, match=coupon.code):
        redeem_coupon(session, store_id=store.store_id, code=coupon.code, order_external_id="o-1",
                      now=NOW + timedelta(days=1))  # fmt: skip


def test_a_used_coupon_is_gone_for_other_orders_but_a_retry_for_the_same_order_succeeds(
    session: Session, store: StoreAccess
) -> None:
    # given
    coupon = _coupon(session, store)
    first = redeem_coupon(
        session, store_id=store.store_id, code=coupon.code, order_external_id="o-1", now=NOW
    )
    # when
    retry = redeem_coupon(
        session, store_id=store.store_id, code=coupon.code, order_external_id="o-1", now=NOW
    )
    # then
    assert retry.id == first.id
    with pytest.raises(Gone, match="already used on order 'o-1'"):
        redeem_coupon(session, store_id=store.store_id, code=coupon.code, order_external_id="o-2", now=NOW)
    assert get_coupon(session, store_id=store.store_id, code=coupon.code).status == "redeemed"


def test_a_fixed_coupon_needs_a_currency_and_an_expiry_in_the_future(
    session: Session, store: StoreAccess
) -> None:
    # when
    with pytest.raises(InvalidInput) as refused:
        _coupon(session, store, percent_off=None, amount_off_minor=500, expires_at=NOW - timedelta(seconds=1))
    # then
    assert [issue.field for issue in refused.value.issues] == ["currency", "expires_at"]


def test_a_coupon_can_belong_to_a_customer(session: Session, store: StoreAccess) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id, external_id="ann")
    # when
    coupon = _coupon(session, store, customer_id=ann)
    # then
    assert get_coupon(session, store_id=store.store_id, code=coupon.code).customer_external_id == "ann"


def test_a_personal_coupon_is_refused_to_another_buyer_and_taken_by_its_owner(
    session: Session, store: StoreAccess
) -> None:
    # given ann's welcome coupon
    ann = make_customer(session, store_id=store.store_id, external_id="ann")
    make_customer(session, store_id=store.store_id, external_id="bob")
    coupon = _coupon(session, store, customer_id=ann)
    # when bob tries it at checkout, then ann does
    with pytest.raises(Forbidden, match="belongs to another customer"):
        redeem_coupon(session, store_id=store.store_id, code=coupon.code, order_external_id="o-bob",
                      customer_external_id="bob", now=NOW)  # fmt: skip
    redeemed = redeem_coupon(session, store_id=store.store_id, code=coupon.code, order_external_id="o-ann",
                             customer_external_id="ann", now=NOW)  # fmt: skip
    # then only ann's order used it
    assert redeemed.order_external_id == "o-ann"


def test_a_personal_coupon_checks_the_buyer_of_a_known_order(session: Session, store: StoreAccess) -> None:
    # given ann's coupon, and an order Goodword already has from bob
    ann = make_customer(session, store_id=store.store_id, external_id="ann")
    make_customer(session, store_id=store.store_id, external_id="bob")
    order = OrderIn.model_validate(order_payload(external_id="o-bob", customer_external_id="bob"))
    upsert_orders(session, store_id=store.store_id, orders=[order], source="test")
    coupon = _coupon(session, store, customer_id=ann)
    # when / then
    with pytest.raises(Forbidden):
        redeem_coupon(session, store_id=store.store_id, code=coupon.code, order_external_id="o-bob", now=NOW)
