"""Rewards balances and entries, staff adjustments, coupons and the member club."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from goodword.errors import FieldIssue, InvalidInput
from goodword.ids import new_public_id
from goodword.rewards import accounts, coupons, ledger, members, profiles
from goodword.rewards.coupons import CouponState
from goodword.rewards.ledger import Cause, RewardKind
from goodword.rewards.member_coupons import issue_coupons_to
from goodword.rewards.members import TierIn
from goodword.stores.customers import get_customer
from goodword.stores.inputs import Moment
from goodword.web.api.v1.common import (
    Cursor,
    IdentifierPath,
    Limit,
    OutModel,
    fingerprint,
    respond_idempotently,
)
from goodword.web.deps import IdempotencyKeyDep, ReaderDep, SessionDep, WriterDep

router = APIRouter(tags=["rewards"])
CodePath = IdentifierPath


class BalanceOut(BaseModel):
    kind: RewardKind
    currency: str | None
    available: int
    pending: int


class EntryOut(OutModel):
    id: int
    type: str
    cause_type: str
    cause_key: str
    kind: RewardKind
    amount: int
    currency: str | None = None
    hold_until: datetime | None
    settles_id: int | None
    reverses_id: int | None
    shortfall: int
    memo: str
    created_at: datetime

    @classmethod
    def of(cls, entry: object) -> EntryOut:
        out = cls.model_validate(entry)
        out.currency = accounts.currency_of(getattr(entry, "unit"))  # noqa: B009
        return out


class RewardsOut(BaseModel):
    balances: list[BalanceOut]
    entries: list[EntryOut]
    next_cursor: str | None


class AdjustmentIn(BaseModel):
    kind: RewardKind
    amount: int = Field(
        description="Positive credits the customer, negative debits them.", ge=-(10**12), le=10**12
    )
    currency: str | None = Field(default=None, description="ISO 4217 for credit; leave empty for points.")
    reason: str = Field(min_length=1, max_length=400, description="Why; shown in the customer's ledger.")
    staff: str | None = Field(default=None, max_length=64)
    allow_negative: bool = False


class CouponIn(BaseModel):
    customer_external_id: str | None = Field(default=None, max_length=255)
    tier: str | None = Field(
        default=None, max_length=64, description="Issue one coupon to each member of the tier."
    )
    percent_off: int | None = Field(default=None, ge=1, le=100)
    amount_off_minor: int | None = Field(default=None, ge=1, le=10**12)
    currency: str | None = None
    min_order_minor: int | None = Field(default=None, ge=0, le=10**12)
    expires_at: Moment | None = None
    campaign: str | None = Field(
        default=None, max_length=100, description="Issues once per campaign and owner."
    )


class CouponOut(BaseModel):
    code: str
    status: str
    customer_external_id: str | None
    percent_off: int | None
    amount_off_minor: int | None
    currency: str | None
    min_order_minor: int | None
    expires_at: datetime | None
    created_at: datetime
    redeemed_at: datetime | None
    order_external_id: str | None

    @classmethod
    def of(cls, state: CouponState) -> CouponOut:
        c, r = state.coupon, state.redemption
        return cls(
            code=c.code, status=state.status, customer_external_id=state.customer_external_id, percent_off=c.percent_off,
            amount_off_minor=c.amount_off_minor, currency=c.currency, min_order_minor=c.min_order_minor,
            expires_at=c.expires_at, created_at=c.created_at, redeemed_at=r.redeemed_at if r else None,
            order_external_id=r.order_external_id if r else None,
        )  # fmt: skip


class CouponsOut(BaseModel):
    data: list[CouponOut]


class RedeemIn(BaseModel):
    order_external_id: str = Field(min_length=1, max_length=255)
    order_total_minor: int | None = Field(default=None, ge=0, le=10**12)
    currency: str | None = None
    customer_external_id: str | None = Field(
        default=None,
        max_length=255,
        description="The buyer; a personal coupon is refused for anyone else (else the order's customer is used).",
    )


class TierOut(OutModel):
    name: str
    position: int
    min_spend_minor: int | None
    min_referrals: int | None
    discount_percent: int
    reward_multiplier_permille: int
    birthday_percent_off: int | None


class LadderIn(BaseModel):
    tiers: list[TierIn] = Field(max_length=20)


class LadderOut(BaseModel):
    tiers: list[TierOut]


class TierStepOut(BaseModel):
    tier: str | None
    changed_at: datetime


class MemberOut(BaseModel):
    customer_external_id: str
    tier: TierOut | None
    next_tier: TierOut | None
    currency: str
    spend_minor: int
    successful_referrals: int
    spend_to_next_minor: int | None
    referrals_to_next: int | None
    birthday: date | None
    time_zone: str | None
    coupons: list[CouponOut]
    history: list[TierStepOut]

    @classmethod
    def of(cls, view: profiles.MemberView) -> MemberOut:
        def tier(t: object) -> TierOut | None:
            return TierOut.model_validate(t) if t is not None else None

        return cls(
            customer_external_id=view.customer.external_id, tier=tier(view.tier), next_tier=tier(view.next_tier),
            currency=view.currency, spend_minor=view.spend_minor, successful_referrals=view.successful_referrals,
            spend_to_next_minor=view.spend_to_next_minor, referrals_to_next=view.referrals_to_next,
            birthday=view.birthday, time_zone=view.time_zone, coupons=[CouponOut.of(c) for c in view.coupons],
            history=[TierStepOut(tier=s.tier, changed_at=s.changed_at) for s in view.history],
        )  # fmt: skip


class ProfileIn(BaseModel):
    birthday: date | None = None
    time_zone: str | None = Field(default=None, max_length=64)


@router.get("/customers/{external_id}/rewards", response_model=RewardsOut)
def get_rewards(
    external_id: IdentifierPath,
    session: SessionDep,
    caller: ReaderDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> RewardsOut:
    """The customer's balances (available and pending per kind and currency) and ledger entries, oldest first."""
    customer = get_customer(session, store_id=caller.store_id, external_id=external_id)
    found = ledger.balances(session, store_id=caller.store_id, customer_id=customer.id)
    page = ledger.list_entries(
        session, store_id=caller.store_id, customer_id=customer.id, cursor=cursor, limit=limit
    )
    return RewardsOut(
        balances=[
            BalanceOut(kind=b.kind, currency=b.currency, available=b.available, pending=b.pending)
            for b in found
        ],
        entries=[EntryOut.of(e) for e in page.items],
        next_cursor=page.next_cursor,
    )


@router.post("/customers/{external_id}/rewards/adjustments", response_model=EntryOut, status_code=201)
def adjust_rewards(
    external_id: IdentifierPath,
    body: AdjustmentIn,
    session: SessionDep,
    caller: WriterDep,
    key: IdempotencyKeyDep,
) -> Response:
    """A staff adjustment with a reason: credit or debit the customer's available balance."""

    def produce() -> tuple[int, BaseModel]:
        customer = get_customer(session, store_id=caller.store_id, external_id=external_id)
        if body.amount == 0:
            raise InvalidInput("an adjustment of 0 changes nothing", [FieldIssue("amount", "not 0")])
        entry = ledger.adjust_balance(
            session, store_id=caller.store_id, customer_id=customer.id, kind=body.kind, amount=body.amount,
            currency=body.currency, reason=body.reason, staff=body.staff, allow_negative=body.allow_negative,
            cause=Cause("staff.adjustment", key or new_public_id("adj")),
        )  # fmt: skip
        assert entry is not None  # a fresh cause, or a key replayed before reaching here
        return 201, EntryOut.of(entry)

    route = f"customers/{external_id}/rewards/adjustments"
    return respond_idempotently(
        session, caller=caller, key=key, request_fingerprint=fingerprint(route, body), produce=produce
    )


@router.post("/coupons", response_model=CouponsOut, status_code=201)
def issue_coupons(body: CouponIn, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep) -> Response:
    """Issue a coupon: unowned, to one customer, or one to each member of a tier."""

    def produce() -> tuple[int, BaseModel]:
        owner = body.customer_external_id
        customer = get_customer(session, store_id=caller.store_id, external_id=owner) if owner else None
        issued = issue_coupons_to(
            session, store_id=caller.store_id, customer_id=customer.id if customer else None, tier_name=body.tier,
            percent_off=body.percent_off, amount_off_minor=body.amount_off_minor, currency=body.currency,
            expires_at=body.expires_at, min_order_minor=body.min_order_minor,
            cause=Cause("api.coupon", body.campaign or key or new_public_id("cpn")),
        )  # fmt: skip
        states = coupons.coupon_states(session, store_id=caller.store_id, coupon_ids=[c.id for c in issued])
        return 201, CouponsOut(data=[CouponOut.of(state) for state in states])

    return respond_idempotently(
        session, caller=caller, key=key, request_fingerprint=fingerprint("coupons", body), produce=produce
    )


@router.get("/coupons/{code}", response_model=CouponOut)
def get_coupon(code: CodePath, session: SessionDep, caller: ReaderDep) -> CouponOut:
    return CouponOut.of(coupons.get_coupon(session, store_id=caller.store_id, code=code))


@router.post("/coupons/{code}/redeem", response_model=CouponOut)
def redeem_coupon(
    code: CodePath, body: RedeemIn, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep
) -> Response:
    """Use a coupon on an order; once only. A retry for the same order answers the same."""

    def produce() -> tuple[int, BaseModel]:
        coupons.redeem_coupon(
            session, store_id=caller.store_id, code=code, order_external_id=body.order_external_id,
            order_total_minor=body.order_total_minor, currency=body.currency,
            customer_external_id=body.customer_external_id,
        )  # fmt: skip
        return 200, CouponOut.of(coupons.get_coupon(session, store_id=caller.store_id, code=code))

    route = f"coupons/{code}/redeem"
    return respond_idempotently(
        session, caller=caller, key=key, request_fingerprint=fingerprint(route, body), produce=produce
    )


@router.get("/member-tiers", response_model=LadderOut)
def get_member_tiers(session: SessionDep, caller: ReaderDep) -> LadderOut:
    tiers = members.list_tiers(session, store_id=caller.store_id)
    return LadderOut(tiers=[TierOut.model_validate(t) for t in tiers])


@router.put("/member-tiers", response_model=LadderOut)
def put_member_tiers(body: LadderIn, session: SessionDep, caller: WriterDep) -> LadderOut:
    """Replace the ladder, lowest tier first; members are placed on the new ladder at once."""
    tiers = members.replace_tiers(session, store_id=caller.store_id, tiers=body.tiers)
    return LadderOut(tiers=[TierOut.model_validate(t) for t in tiers])


@router.get("/members/{external_id}", response_model=MemberOut)
def get_member(external_id: IdentifierPath, session: SessionDep, caller: ReaderDep) -> MemberOut:
    """The member's tier and benefits, what is missing for the next tier, their coupons and tier history."""
    customer = get_customer(session, store_id=caller.store_id, external_id=external_id)
    return MemberOut.of(profiles.member_view(session, store_id=caller.store_id, customer=customer))


@router.put("/members/{external_id}/profile", response_model=MemberOut)
def put_member_profile(
    external_id: IdentifierPath, body: ProfileIn, session: SessionDep, caller: WriterDep
) -> MemberOut:
    """Set the member's birthday and time zone (for birthday coupons)."""
    customer = get_customer(session, store_id=caller.store_id, external_id=external_id)
    profiles.set_profile(
        session, store_id=caller.store_id, customer=customer, birthday=body.birthday, time_zone=body.time_zone
    )
    return MemberOut.of(profiles.member_view(session, store_id=caller.store_id, customer=customer))
