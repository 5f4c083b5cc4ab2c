"""Attribution by token, code and invitation, within the window, first or last touch; invitations' consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from goodword import intake
from goodword.errors import Conflict, TooManyRequests
from goodword.messaging.bounces import record_bounce
from goodword.messaging.models import BounceKind, OutboxMessage
from goodword.messaging.unsubscribe import unsubscribe
from goodword.referrals.codes import ensure_code
from goodword.referrals.invitations import InvitationIn, InvitationLimits, send_invitation
from goodword.referrals.models import AttributedBy, AttributionModel, InvitationChannel, Referral
from goodword.stores.inputs import OrderIn, ReferralContext
from tests.factories.referrals import START, click, make_customer, make_program, order, referral_of
from tests.factories.stores import StoreAccess, order_payload


def _invite(session: Session, store: StoreAccess, referrer_id: str, email: str, **limits: object) -> None:
    send_invitation(
        session, store_id=store.store_id, referrer_external_id=referrer_id,
        invitation=InvitationIn(channel=InvitationChannel.EMAIL, email=email), base_url="https://gw.example",
        limits=InvitationLimits(**limits), now=START,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_code_typed_at_checkout_attributes_the_order(session: Session, store: StoreAccess) -> None:
    # given
    make_program(session, store_id=store.store_id)
    referrer = make_customer(session, store_id=store.store_id)
    code = ensure_code(session, store_id=store.store_id, customer_id=referrer.id).code
    friend = make_customer(session, store_id=store.store_id)
    # when
    order(session, store_id=store.store_id, customer=friend, referral=ReferralContext(code=code.lower()))
    # then
    referral = referral_of(session, store_id=store.store_id, friend=friend)
    assert (referral.referrer_customer_id, referral.attributed_by) == (referrer.id, AttributedBy.CODE)


def test_a_customer_cannot_refer_themselves_by_code(session: Session, store: StoreAccess) -> None:
    # given
    make_program(session, store_id=store.store_id)
    customer = make_customer(session, store_id=store.store_id)
    code = ensure_code(session, store_id=store.store_id, customer_id=customer.id).code
    # when
    order(session, store_id=store.store_id, customer=customer, referral=ReferralContext(code=code))
    # then
    assert session.scalars(select(Referral).where(Referral.store_id == store.store_id)).all() == []


def test_an_invited_email_is_attributed_on_registration(session: Session, store: StoreAccess) -> None:
    # given
    make_program(session, store_id=store.store_id)
    referrer = make_customer(session, store_id=store.store_id, external_id="inviter")
    _invite(session, store, "inviter", "newfriend@example.com")
    # when
    friend = make_customer(
        session, store_id=store.store_id, email="NewFriend@example.com", now=START + timedelta(days=1)
    )
    # then
    referral = referral_of(session, store_id=store.store_id, friend=friend)
    assert (referral.referrer_customer_id, referral.attributed_by) == (referrer.id, AttributedBy.INVITATION)


@pytest.mark.parametrize(
    ("model", "winner"), [(AttributionModel.FIRST_TOUCH, 0), (AttributionModel.LAST_TOUCH, 1)]
)
def test_first_or_last_touch_decides_between_referrers(
    session: Session, store: StoreAccess, model: AttributionModel, winner: int
) -> None:
    # given: an invitation from one referrer, then a click on another's link
    make_program(session, store_id=store.store_id, model=model)
    referrers = [make_customer(session, store_id=store.store_id, external_id=f"r{n}") for n in range(2)]
    _invite(session, store, "r0", "both@example.com")
    token = click(session, store_id=store.store_id, referrer=referrers[1], at=START + timedelta(days=2))
    # when
    friend = make_customer(session, store_id=store.store_id, email="both@example.com",
                           referral=ReferralContext(token=token), now=START + timedelta(days=3))  # fmt: skip
    # then
    assert (
        referral_of(session, store_id=store.store_id, friend=friend).referrer_customer_id
        == referrers[winner].id
    )


def test_a_click_older_than_the_window_attributes_nothing(session: Session, store: StoreAccess) -> None:
    # given
    make_program(session, store_id=store.store_id, window_days=30)
    referrer = make_customer(session, store_id=store.store_id)
    token = click(session, store_id=store.store_id, referrer=referrer, at=START)
    # when
    make_customer(session, store_id=store.store_id, referral=ReferralContext(token=token),
                  now=START + timedelta(days=31))  # fmt: skip
    # then
    assert session.scalars(select(Referral).where(Referral.store_id == store.store_id)).all() == []


def test_an_order_batch_without_referrals_costs_one_small_query(session: Session, store: StoreAccess) -> None:
    # given: a program and a referral exist, but these orders' customers were not referred
    make_program(session, store_id=store.store_id)
    buyer = make_customer(session, store_id=store.store_id)
    batch = [OrderIn.model_validate(order_payload(customer_external_id=buyer.external_id)) for _ in range(50)]
    statements: list[str] = []
    outcomes = intake.stored_orders.upsert_orders(
        session, store_id=store.store_id, orders=batch, source="test"
    )

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        # when
        intake.attribution.react_to_orders(
            session, store_id=store.store_id, orders=batch, outcomes=outcomes, now=START
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # then
    assert len(statements) == 1, statements


def test_no_invitation_goes_to_an_address_that_unsubscribed_or_bounced(
    session: Session, store: StoreAccess
) -> None:
    # given
    make_program(session, store_id=store.store_id)
    make_customer(session, store_id=store.store_id, external_id="inviter")
    gone = make_customer(session, store_id=store.store_id, email="gone@example.com", marketing_consent=True)
    unsubscribe(session, store_id=store.store_id, customer_id=gone.id, source="unsubscribe-link")
    record_bounce(session, store_id=store.store_id, email="bounced@example.com", kind=BounceKind.HARD)
    # then
    with pytest.raises(Conflict, match="unsubscribed"):
        _invite(session, store, "inviter", "gone@example.com")
    with pytest.raises(Conflict, match="bounced"):
        _invite(session, store, "inviter", "bounced@example.com")
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.store_id == store.store_id,
                                                       OutboxMessage.kind == "referral_invitation")).all() == []  # fmt: skip


def test_invitations_are_rate_limited_per_referrer(session: Session, store: StoreAccess) -> None:
    # given
    make_program(session, store_id=store.store_id)
    make_customer(session, store_id=store.store_id, external_id="inviter")
    _invite(session, store, "inviter", "one@example.com", per_referrer_per_day=2)
    _invite(session, store, "inviter", "two@example.com", per_referrer_per_day=2)
    # then
    with pytest.raises(TooManyRequests, match="'inviter' sent 2 invitations"):
        _invite(session, store, "inviter", "three@example.com", per_referrer_per_day=2)
