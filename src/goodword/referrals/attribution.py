"""Attribution of registrations and orders to referrals.

A friend is attributed by the token a click on a referral link handed the shop, else by a code typed at
checkout, else by an invitation sent to their email or phone; each touch counts within the program's window,
and the program chooses the first or the last of them. One `Referral` per friend per store: the unique key
decides between concurrent registrations, so a friend is attributed once whoever commits first.

These hooks run inside order ingestion (thousands of orders a second): a batch without referral context and
without referred customers costs one small query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_for
from goodword.messaging.events import publish_event
from goodword.referrals import experiments, fraud, notices
from goodword.referrals.codes import normalize_code
from goodword.referrals.history import FRAUD_GUARD, change_status, record_start
from goodword.referrals.models import (
    AttributedBy,
    AttributionModel,
    Audience,
    Invitation,
    Referral,
    ReferralClick,
    ReferralCode,
    ReferralProgram,
    ReferralStatus,
)
from goodword.referrals.programs import running_programs
from goodword.referrals.rewarding import PAID_STATUSES, reward_referral
from goodword.stores.inputs import CustomerIn, OrderIn, ReferralContext
from goodword.stores.models import Customer, Order
from goodword.stores.upserts import UpsertOutcome, UpsertStatus

_referrals = cast(Table, Referral.__table__)
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Arrival:
    """A customer who may have come through a referral, with what the shop sent about the visit."""

    customer_id: int
    context: ReferralContext | None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class _Touch:
    at: datetime
    referrer_id: int
    by: AttributedBy
    code_id: int | None = None
    click_id: int | None = None
    invitation_id: int | None = None
    channel: str | None = None
    program_id: int | None = None


def react_to_customers(
    session: Session,
    *,
    store_id: str,
    customers: Sequence[CustomerIn],
    outcomes: Sequence[UpsertOutcome],
    now: datetime,
) -> None:
    """Attribute new registrations that carry a referral token or code, or match an invitation."""
    arrivals = [
        Arrival(outcome.id, customer.referral, customer.email, customer.phone)
        for customer, outcome in zip(customers, outcomes, strict=True)
        if _has_reference(customer.referral)
        or (outcome.status is UpsertStatus.CREATED and (customer.email or customer.phone))
    ]
    if arrivals:
        attribute(session, store_id=store_id, arrivals=arrivals, now=now)


def react_to_orders(
    session: Session,
    *,
    store_id: str,
    orders: Sequence[OrderIn],
    outcomes: Sequence[UpsertOutcome],
    now: datetime,
) -> None:
    """Attribute orders, and issue, hold or claw back the rewards that follow from their status."""
    with_reference = [
        (order, outcome)
        for order, outcome in zip(orders, outcomes, strict=True)
        if _has_reference(order.referral) and order.customer_reference is not None
    ]
    if with_reference:
        customer_of = dict(
            session.execute(
                select(Order.id, Order.customer_id).where(
                    Order.store_id == store_id, Order.id.in_([o.id for _, o in with_reference])
                )
            ).all()
        )
        arrivals = [
            Arrival(customer_id, order.referral)
            for order, outcome in with_reference
            if (customer_id := customer_of.get(outcome.id)) is not None
        ]
        attribute(session, store_id=store_id, arrivals=arrivals, now=now)
    order_ids = [outcome.id for outcome in outcomes]
    referral_ids: set[int] = set()
    for start in range(0, len(order_ids), _CHUNK):
        referral_ids.update(
            session.scalars(
                select(Referral.id)
                .join(
                    Order,
                    (Order.customer_id == Referral.referred_customer_id)
                    & (Order.store_id == Referral.store_id),
                )
                .where(Order.store_id == store_id, Order.id.in_(order_ids[start : start + _CHUNK]))
            )
        )
    for referral_id in sorted(referral_ids):  # one order, in id order, for every writer: no deadlocks
        reward_referral(session, store_id=store_id, referral_id=referral_id, now=now)


def _has_reference(context: ReferralContext | None) -> bool:
    return context is not None and (context.token is not None or context.code is not None)


def attribute(session: Session, *, store_id: str, arrivals: Sequence[Arrival], now: datetime) -> list[int]:
    """Make a referral for each arrival that has a touch within its program's window; returns their ids.

    Customers already referred, touches from themselves and touches outside the window are passed over.
    """
    programs = running_programs(session, store_id=store_id, now=now)
    if not programs:
        return []
    default = programs[0]
    by_id = {program.id: program for program in programs}
    already = _already_referred(session, store_id=store_id, customer_ids=[a.customer_id for a in arrivals])
    arrivals = [a for a in arrivals if a.customer_id not in already]
    if not arrivals:
        return []
    touches = _touches(session, store_id=store_id, arrivals=arrivals, now=now)
    made = []
    for arrival in arrivals:
        program = default
        candidates = [t for t in touches.get(arrival.customer_id, []) if t.referrer_id != arrival.customer_id]
        candidates = [
            t for t in candidates
            if t.at >= now - timedelta(days=by_id.get(t.program_id or 0, default).attribution_window_days)
        ]  # fmt: skip
        if not candidates:
            continue
        touch = (min if default.attribution_model is AttributionModel.FIRST_TOUCH else max)(
            candidates, key=lambda t: t.at
        )
        program = by_id.get(touch.program_id or 0, default)
        if not _may_refer(session, program=program, customer_id=touch.referrer_id):
            continue
        referral_id = _make_referral(
            session, store_id=store_id, program=program, arrival=arrival, touch=touch, now=now
        )
        if referral_id is not None:
            made.append(referral_id)
    return made


def _already_referred(session: Session, *, store_id: str, customer_ids: list[int]) -> set[int]:
    return set(
        session.scalars(
            select(Referral.referred_customer_id).where(
                Referral.store_id == store_id, Referral.referred_customer_id.in_(customer_ids)
            )
        )
    )


def _touches(
    session: Session, *, store_id: str, arrivals: Sequence[Arrival], now: datetime
) -> dict[int, list[_Touch]]:
    touches: dict[int, list[_Touch]] = {a.customer_id: [] for a in arrivals}
    tokens = {a.context.token: a.customer_id for a in arrivals if a.context and a.context.token}
    if tokens:
        clicks = session.execute(
            select(ReferralClick, Invitation.program_id)
            .outerjoin(
                Invitation,
                (Invitation.id == ReferralClick.invitation_id) & (Invitation.store_id == store_id),
            )
            .where(ReferralClick.store_id == store_id, ReferralClick.token.in_(tokens))
        )
        for click, program_id in clicks:
            touches[tokens[click.token]].append(
                _Touch(click.clicked_at, click.referrer_customer_id, AttributedBy.TOKEN, code_id=click.code_id,
                       click_id=click.id, invitation_id=click.invitation_id, channel=click.channel,
                       program_id=program_id)
            )  # fmt: skip
    typed = {normalize_code(a.context.code): a.customer_id for a in arrivals if a.context and a.context.code}
    if typed:
        codes = session.scalars(
            select(ReferralCode).where(
                ReferralCode.store_id == store_id,
                ReferralCode.code.in_(typed),
                ReferralCode.retired_at.is_(None),
            )
        )
        for code in codes:
            touches[typed[code.code]].append(
                _Touch(now, code.customer_id, AttributedBy.CODE, code_id=code.id, channel="code")
            )
    emails = {a.email.lower(): a.customer_id for a in arrivals if a.email}
    phones = {a.phone: a.customer_id for a in arrivals if a.phone}
    if emails or phones:
        invitations = session.scalars(
            select(Invitation).where(
                Invitation.store_id == store_id,
                Invitation.sent_at.is_not(None),
                or_(Invitation.email.in_(emails), Invitation.phone.in_(phones)),
            )
        )
        for invitation in invitations:
            customer_id = emails.get(invitation.email or "") or phones.get(invitation.phone or "")
            if customer_id is None:
                continue
            touches[customer_id].append(
                _Touch(cast(datetime, invitation.sent_at), invitation.referrer_customer_id,
                       AttributedBy.INVITATION, invitation_id=invitation.id, channel=invitation.channel.value,
                       program_id=invitation.program_id)
            )  # fmt: skip
    return touches


def _may_refer(session: Session, *, program: ReferralProgram, customer_id: int) -> bool:
    referrer = session.get_one(Customer, customer_id)
    if referrer.erased_at is not None:
        return False
    if program.audience is Audience.BUYERS:
        return (
            session.scalars(
                select(Order.id)
                .where(
                    Order.store_id == program.store_id,
                    Order.customer_id == customer_id,
                    Order.status.in_(PAID_STATUSES),
                )
                .limit(1)
            ).first()
            is not None
        )
    return True


def _make_referral(
    session: Session,
    *,
    store_id: str,
    program: ReferralProgram,
    arrival: Arrival,
    touch: _Touch,
    now: datetime,
) -> int | None:
    variant = experiments.variant_for_referrer(
        session, store_id=store_id, program_id=program.id, referrer_customer_id=touch.referrer_id, now=now
    )
    inserted = session.execute(
        insert_for(session, _referrals)
        .values(
            store_id=store_id, program_id=program.id, referrer_customer_id=touch.referrer_id,
            referred_customer_id=arrival.customer_id, status=ReferralStatus.REGISTERED, attributed_by=touch.by,
            channel=touch.channel, code_id=touch.code_id, click_id=touch.click_id,
            invitation_id=touch.invitation_id, variant_id=variant.variant_id if variant else None,
            rules=variant.rules if variant else program.rules, registered_at=now, created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["store_id", "referred_customer_id"])
        .returning(_referrals.c.id)
    ).scalar_one_or_none()  # fmt: skip
    if inserted is None:
        return None  # a concurrent registration of the same customer was attributed first
    referral_id = int(inserted)
    referral = session.get_one(Referral, referral_id)
    record_start(session, referral=referral, reason=f"attributed by {touch.by.value}", now=now)
    if touch.invitation_id is not None:
        session.execute(
            update(Invitation)
            .where(Invitation.store_id == store_id, Invitation.id == touch.invitation_id)
            .values(registered_at=now, referral_id=referral_id)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    reasons = fraud.assess_referral(
        session, store_id=store_id, referral_id=referral_id, context=arrival.context, now=now
    )
    if reasons:
        change_status(
            session, referral=referral, to=ReferralStatus.HELD, actor=FRAUD_GUARD,
            reason="; ".join(f"{r.code}: {r.detail}" for r in reasons), now=now,
        )  # fmt: skip
        data = notices.referral_data(session, referral)
        data["reasons"] = [{"code": r.code, "detail": r.detail} for r in reasons]
        publish_event(session, store_id=store_id, event_type="referral.flagged", data=data,
                      event_id=f"referral.flagged:{referral_id}", now=now)  # fmt: skip
        return referral_id
    publish_event(
        session,
        store_id=store_id,
        event_type="referral.registered",
        data=notices.referral_data(session, referral),
        event_id=f"referral.registered:{referral_id}",
        now=now,
    )
    notices.notify_referrer(session, referral=referral, kind=notices.FRIEND_REGISTERED, now=now)
    reward_referral(session, store_id=store_id, referral_id=referral_id, now=now)
    return referral_id
