"""The demo store's referral program, with the referrals and rewards its history implies, and its member club.

One program ("Give 10%, get $5") has run since the shop's first customer joined, and every customer has a
code. Each referral tie becomes a `Referral` (attributed by a click's token or a typed code), converted when
the friend's first order was paid. Its rewards are replayed in time order under the program's rules, monthly
cap and milestone included, with the cause keys `reward_referral` uses, and the store credit goes through the
ledger when it was earned (`demo.credit`). Then every customer is placed on the member ladder (`demo.members`).

The demo is history, so nothing here may send anything: `reward_referral` would tell each referrer that their
friend ordered and `reevaluate_tiers` would email every member who moved, so neither runs; the rows are written
in bulk from the domains' models, the way those services would have left them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, exists, insert, select
from sqlalchemy.orm import Session

from goodword.db.bulk import bulk_insert, insert_many
from goodword.demo.catalogue import CURRENCY
from goodword.demo.credit import Credit, pay_credit
from goodword.demo.members import place_members
from goodword.referrals import codes
from goodword.referrals.clicks import new_click_token
from goodword.referrals.history import SYSTEM
from goodword.referrals.models import (
    AttributedBy,
    Referral,
    ReferralClick,
    ReferralCode,
    ReferralProgram,
    ReferralReward,
    ReferralStatus,
    ReferralStatusChange,
    RewardForm,
    RewardRule,
)
from goodword.referrals.programs import (
    FirstOrderRule,
    Milestone,
    MonthlyCap,
    RegistrationRule,
    Reward,
    RewardRules,
    WelcomeDiscount,
    create_program,
)
from goodword.referrals.rewarding import CAUSE_TYPE, PAID_STATUSES
from goodword.rewards import coupons
from goodword.rewards.ledger import Cause
from goodword.rewards.models import Coupon
from goodword.stores.models import Customer, CustomerTie, Order, TieSource

PROGRAM_NAME = "Give 10%, get $5"
REGISTRATION_CREDIT = 500
FIRST_ORDER_CREDIT, FIRST_ORDER_MINIMUM = 1000, 3000
WELCOME_PERCENT, WELCOME_DAYS = 10, 30
MILESTONE_REFERRALS, MILESTONE_CREDIT = 5, 2500
MONTHLY_CAP = 5000
RULES = RewardRules(
    registration=RegistrationRule(reward=Reward(form="credit", amount=REGISTRATION_CREDIT)),
    first_order=FirstOrderRule(
        reward=Reward(form="credit", amount=FIRST_ORDER_CREDIT), min_order_minor=FIRST_ORDER_MINIMUM
    ),
    welcome=WelcomeDiscount(percent_off=WELCOME_PERCENT, valid_days=WELCOME_DAYS),
    milestones=[
        Milestone(referrals=MILESTONE_REFERRALS, reward=Reward(form="credit", amount=MILESTONE_CREDIT))
    ],
    monthly_cap=MonthlyCap(credit_minor=MONTHLY_CAP),
)
TERMS_EN = (
    "Share your link: your friend gets 10% off their first order, and you get $5 in store credit when they "
    "join and $10 more when their first order of $30 or more is paid (held 14 days). A $25 bonus at 5 "
    "friends who ordered. At most $50 in credit a month."
)
TERMS_ZH = (
    "分享您的链接：好友首单享九折；好友注册后您获得 5 美元店铺余额，好友首笔满 30 美元的订单付款后再得 10 美元"  # noqa: RUF001
    "（14 天后到账）。成功推荐 5 位好友另得 25 美元奖励。每月余额奖励最多 50 美元。"  # noqa: RUF001
)
HOLD_DAYS = 14
CODE_SHARE = 0.25  # of friends, who typed the code at checkout instead of following the link
CHANNELS = {  # where a link was shared, by the referrer's language
    "en": (("whatsapp", 3), ("email", 3), ("copy", 2), ("sms", 2), ("facebook", 1), ("x", 1)),
    "zh": (("wechat", 6), ("copy", 2), ("qq", 1), ("sms", 1)),
}
CHUNK = 1_000

_codes = cast(Table, ReferralCode.__table__)


@dataclass(frozen=True, slots=True)
class _Order:
    id: int
    external_id: str
    total_minor: int
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class _Earned:
    """One reward, as `reward_referral` would have applied it at `earned_at`."""

    referral_id: int
    customer_id: int
    rule: RewardRule
    amount: int
    cause_key: str
    earned_at: datetime
    order_id: int | None = None


def load_demo_referrals(session: Session, *, store_id: str, seed: int, now: datetime) -> int:
    """Start the demo store's program and write its referrals, rewards and member tiers, unless it has a program.

    `now` is the end of the demo's history. Returns how many referrals were written (0 when the store had a
    program already).
    """
    if session.scalar(select(exists().where(ReferralProgram.store_id == store_id))):
        return 0
    rng = random.Random(f"goodword-demo-referrals-{seed}")
    customers = {row.id: row for row in session.execute(_customers(store_id))}
    opened = min((row.created_at for row in customers.values()), default=now)
    program = create_program(
        session, store_id=store_id, name=PROGRAM_NAME, currency=CURRENCY, rules=RULES, terms_en=TERMS_EN,
        terms_zh=TERMS_ZH, hold_days=HOLD_DAYS, starts_at=_midnight(opened), now=_midnight(opened),
    )  # fmt: skip
    code_ids = _codes_for_everyone(session, store_id=store_id, customers=customers, since=program.starts_at)
    paid = _paid_orders(session, store_id=store_id)
    referrals = _write_referrals(
        session, rng, program=program, customers=customers, code_ids=code_ids, paid=paid
    )
    earned = _replay_rewards(referrals, paid, program_id=program.id)
    _record_rewards(session, program=program, earned=earned, now=now)
    place_members(
        session, store_id=store_id, joined={customer_id: row.created_at for customer_id, row in customers.items()},
        spending={customer_id: [(o.paid_at, o.total_minor) for o in orders] for customer_id, orders in paid.items()},
        conversions=_conversions(referrals), opened=program.starts_at, now=now,
    )  # fmt: skip
    session.flush()
    return len(referrals)


def _customers(store_id: str) -> Any:
    return (
        select(Customer.id, Customer.created_at, Customer.locale)
        .where(Customer.store_id == store_id)
        .order_by(Customer.id)
    )


def _midnight(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def _codes_for_everyone(
    session: Session, *, store_id: str, customers: dict[int, Any], since: datetime
) -> dict[int, int]:
    """Every customer's code (the shop shows each their link), in bulk; returns code ids by customer."""
    rows = [
        {"store_id": store_id, "customer_id": customer_id, "code": codes.new_code(),
         "created_at": max(row.created_at, since)}
        for customer_id, row in customers.items()
    ]  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        statement, parameters = bulk_insert(session, _codes, rows[start : start + CHUNK])
        session.execute(statement.on_conflict_do_nothing(), parameters)
    found: dict[int, int] = dict(
        session.execute(select(_codes.c.customer_id, _codes.c.id).where(_codes.c.store_id == store_id)).all()
    )
    for customer_id in customers.keys() - found.keys():  # a random code that another store holds: draw again
        found[customer_id] = codes.ensure_code(
            session, store_id=store_id, customer_id=customer_id, now=since
        ).id
    return found


def _paid_orders(session: Session, *, store_id: str) -> dict[int, list[_Order]]:
    """Each customer's orders that stand paid (as `reward_referral` sees them), earliest paid first."""
    rows = session.execute(
        select(Order.customer_id, Order.id, Order.external_id, Order.total_minor, Order.paid_at)
        .where(
            Order.store_id == store_id,
            Order.status.in_(PAID_STATUSES),
            Order.currency == CURRENCY,
            Order.paid_at.is_not(None),
        )
        .order_by(Order.paid_at, Order.id)
    )
    paid: dict[int, list[_Order]] = defaultdict(list)
    for customer_id, order_id, external_id, total_minor, paid_at in rows:
        if customer_id is not None:
            paid[customer_id].append(_Order(order_id, external_id, total_minor, cast(datetime, paid_at)))
    return paid


def _write_referrals(
    session: Session,
    rng: random.Random,
    *,
    program: ReferralProgram,
    customers: dict[int, Any],
    code_ids: dict[int, int],
    paid: dict[int, list[_Order]],
) -> list[Referral]:
    """A referral per referral tie, attributed by a click's token or a typed code, with its status history."""
    ties = session.execute(
        select(CustomerTie.from_customer_id, CustomerTie.to_customer_id, CustomerTie.created_at)
        .where(CustomerTie.store_id == program.store_id, CustomerTie.source == TieSource.REFERRAL)
        .order_by(CustomerTie.created_at, CustomerTie.id)
    ).all()
    clicks: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    tokens: list[str | None] = []  # the token of each referral's click, None where the code was typed
    for referrer, referred, registered_at in ties:
        by_code = rng.random() < CODE_SHARE
        language = "zh" if (customers[referrer].locale or "").startswith("zh") else "en"
        names, weights = zip(*CHANNELS[language], strict=True)
        channel = None if by_code else rng.choices(names, weights)[0]
        token = None
        if not by_code:
            token = new_click_token()
            clicked_at = max(registered_at - timedelta(minutes=rng.uniform(3, 4000)), program.starts_at)
            clicks.append({"store_id": program.store_id, "code_id": code_ids[referrer],
                           "referrer_customer_id": referrer, "invitation_id": None, "channel": channel,
                           "token": token, "ip_hash": None, "user_agent_hash": None, "clicked_at": clicked_at})  # fmt: skip
        first = next(iter(paid.get(referred, ())), None)
        rows.append({
            "store_id": program.store_id, "program_id": program.id, "referrer_customer_id": referrer,
            "referred_customer_id": referred,
            "status": ReferralStatus.CONVERTED if first else ReferralStatus.REGISTERED,
            "attributed_by": AttributedBy.CODE if by_code else AttributedBy.TOKEN, "channel": channel,
            "code_id": code_ids[referrer], "click_id": None, "invitation_id": None, "variant_id": None,
            "rules": program.rules, "first_order_id": first.id if first else None, "registered_at": registered_at,
            "converted_at": first.paid_at if first else None, "created_at": registered_at,
            "updated_at": first.paid_at if first else registered_at,
        })  # fmt: skip
        tokens.append(token)
    insert_many(session, cast(Table, ReferralClick.__table__), clicks)
    click_ids: dict[str, int] = dict(
        session.execute(
            select(ReferralClick.token, ReferralClick.id).where(ReferralClick.store_id == program.store_id)
        ).all()
    )
    for row, token in zip(rows, tokens, strict=True):
        row["click_id"] = click_ids[token] if token is not None else None
    if rows:  # not `insert_many`: its PostgreSQL arrays carry no JSON column (the rules)
        session.execute(insert(Referral), rows)
    referrals = list(
        session.scalars(select(Referral).where(Referral.store_id == program.store_id).order_by(Referral.id))
    )
    insert_many(session, cast(Table, ReferralStatusChange.__table__), _histories(referrals, paid))
    return referrals


def _histories(referrals: Sequence[Referral], paid: dict[int, list[_Order]]) -> list[dict[str, Any]]:
    rows = []
    for referral in referrals:
        how = "link" if referral.attributed_by is AttributedBy.TOKEN else "code"
        steps: list[tuple[ReferralStatus | None, ReferralStatus, str, datetime]] = [
            (None, ReferralStatus.REGISTERED, f"registered with the referrer's {how}", referral.registered_at)
        ]
        if referral.status is ReferralStatus.CONVERTED:
            first = paid[referral.referred_customer_id][0]
            steps.append((ReferralStatus.REGISTERED, ReferralStatus.CONVERTED,
                          f"the friend's order {first.external_id!r} was paid", first.paid_at))  # fmt: skip
        rows += [
            {"store_id": referral.store_id, "referral_id": referral.id, "from_status": before, "to_status": after,
             "reason": reason, "actor": SYSTEM, "changed_at": moment}
            for before, after, reason, moment in steps
        ]  # fmt: skip
    return rows


def _replay_rewards(
    referrals: Sequence[Referral], paid: dict[int, list[_Order]], *, program_id: int
) -> list[_Earned]:
    """Every reward the program's rules paid, in the order they fell due, with the monthly cap applied.

    The cause keys are those `reward_referral` uses, so running it on a demo referral later pays nothing twice.
    """
    # (when, step, referral, order): step 0 registered, 1 first qualifying order paid, 2 converted.
    events: list[tuple[datetime, int, Referral, _Order | None]] = []
    for referral in referrals:
        events.append((referral.registered_at, 0, referral, None))
        orders = paid.get(referral.referred_customer_id, [])
        qualifying = next((o for o in orders if o.total_minor >= FIRST_ORDER_MINIMUM), None)
        if qualifying is not None:
            events.append((qualifying.paid_at, 1, referral, qualifying))
        if orders:
            events.append((orders[0].paid_at, 2, referral, None))
    events.sort(key=lambda event: (event[0], event[1], event[2].id))
    earned_in_month: dict[tuple[int, int, int], int] = defaultdict(int)
    successes: dict[int, int] = defaultdict(int)
    earned: list[_Earned] = []
    # fmt: off

    def credit(referral: Referral, rule: RewardRule, amount: int, key: str, at: datetime, order_id: int | None) -> None:
        month = (referral.referrer_customer_id, at.year, at.month)
        amount = min(amount, MONTHLY_CAP - earned_in_month[month])  # capped to nothing is recorded too
        earned_in_month[month] += amount
        earned.append(_Earned(referral.id, referral.referrer_customer_id, rule, amount, key, at, order_id))

    for at, step, referral, order in events:
        referrer = referral.referrer_customer_id
        if step == 0:
            credit(referral, RewardRule.REGISTRATION, REGISTRATION_CREDIT, f"{referral.id}:registration", at, None)
            earned.append(_Earned(referral.id, referral.referred_customer_id, RewardRule.WELCOME, WELCOME_PERCENT,
                                  f"{referral.id}:welcome", at))
        elif step == 1 and order is not None:
            credit(referral, RewardRule.FIRST_ORDER, FIRST_ORDER_CREDIT, f"{referral.id}:first_order", at, order.id)
        elif step == 2:
            successes[referrer] += 1
            if successes[referrer] == MILESTONE_REFERRALS:
                key = f"referrer:{referrer}:program:{program_id}:milestone:{MILESTONE_REFERRALS}"
                credit(referral, RewardRule.MILESTONE, MILESTONE_CREDIT, key, at, None)
    # fmt: on
    return earned


def _record_rewards(
    session: Session, *, program: ReferralProgram, earned: Sequence[_Earned], now: datetime
) -> None:
    """Record each reward, issue the friends' welcome coupons, and pay the referrers' credit through the ledger."""
    insert_many(session, cast(Table, ReferralReward.__table__), [
        {"store_id": program.store_id, "referral_id": e.referral_id, "program_id": program.id,
         "customer_id": e.customer_id, "rule": e.rule,
         "form": RewardForm.COUPON if e.rule is RewardRule.WELCOME else RewardForm.CREDIT, "amount": e.amount,
         "currency": None if e.rule is RewardRule.WELCOME else program.currency, "order_id": e.order_id,
         "cause_key": e.cause_key, "earned_at": e.earned_at, "reversed_at": None}
        for e in earned
    ])  # fmt: skip
    insert_many(session, cast(Table, Coupon.__table__), [
        {"store_id": program.store_id, "code": coupons.new_code(), "cause_type": CAUSE_TYPE,
         "cause_key": e.cause_key, "customer_id": e.customer_id, "percent_off": e.amount, "amount_off_minor": None,
         "currency": None, "min_order_minor": None, "expires_at": e.earned_at + timedelta(days=WELCOME_DAYS),
         "created_at": e.earned_at}
        for e in earned if e.rule is RewardRule.WELCOME
    ])  # fmt: skip
    hold = timedelta(days=program.hold_days)
    pay_credit(session, store_id=program.store_id, currency=program.currency, release_by=now, credits=[
        Credit(e.customer_id, e.amount, Cause(CAUSE_TYPE, e.cause_key),
               f"referral {e.referral_id}: {e.rule.value} reward of program {program.id}", e.earned_at,
               hold_until=e.earned_at + hold if e.rule is RewardRule.FIRST_ORDER and hold else None)
        for e in earned if e.rule is not RewardRule.WELCOME
    ])  # fmt: skip


def _conversions(referrals: Sequence[Referral]) -> dict[int, list[datetime]]:
    """When each referrer's friends first paid."""
    found: dict[int, list[datetime]] = defaultdict(list)
    for referral in referrals:
        if referral.converted_at is not None:
            found[referral.referrer_customer_id].append(referral.converted_at)
    return found
