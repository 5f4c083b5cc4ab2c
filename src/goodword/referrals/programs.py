"""Referral programs and their reward rules: create, change, end, and find the one running for a referrer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import Conflict, FieldIssue, InvalidInput, NotFound
from goodword.referrals.models import AttributionModel, Audience, ReferralProgram
from goodword.stores.pagination import Page, paginate

Amount = Annotated[int, Field(ge=0, le=10**12, strict=True)]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reward(_Rule):
    """What a referrer receives: store credit or points, or a single-use coupon."""

    form: Literal["credit", "points", "coupon"]
    amount: Amount = Field(
        default=0, description="Minor units for credit and fixed coupons; points for points."
    )
    percent_off: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None, description="Coupons only: a percentage off instead of a fixed amount."
    )
    coupon_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=90, description="Coupons only: days until the coupon expires."
    )

    @model_validator(mode="after")
    def has_a_value(self) -> Reward:
        if self.form == "coupon":
            if (self.percent_off is None) == (self.amount == 0):
                raise ValueError("a coupon needs either percent_off or a fixed amount, not both")
        elif self.percent_off is not None:
            raise ValueError(f"percent_off applies to coupons only, not to {self.form!r}")
        elif self.amount == 0:
            raise ValueError(f"a {self.form} reward needs an amount above 0")
        return self


class RegistrationRule(_Rule):
    reward: Reward


class FirstOrderRule(_Rule):
    reward: Reward
    min_order_minor: Amount | None = Field(default=None, description="The order total it takes, if any.")


class OrderShareRule(_Rule):
    """A share of the friend's paid orders for a period after registering, up to a cap per referral."""

    basis_points: Annotated[int, Field(ge=1, le=10_000)] = Field(description="500 = 5% of the order total.")
    form: Literal["credit", "points"] = "credit"
    period_days: Annotated[int, Field(ge=1, le=3650)]
    cap: Amount = Field(description="The most one referral earns this way, in minor units or points.")


class WelcomeDiscount(_Rule):
    """The friend's single-use welcome coupon."""

    percent_off: Annotated[int, Field(ge=1, le=100)] | None = None
    amount_off_minor: Amount | None = None
    min_order_minor: Amount | None = None
    valid_days: Annotated[int, Field(ge=1, le=3650)] = 30

    @model_validator(mode="after")
    def one_kind_of_discount(self) -> WelcomeDiscount:
        if (self.percent_off is None) == (self.amount_off_minor is None):
            raise ValueError("a welcome discount needs either percent_off or amount_off_minor")
        return self


class Milestone(_Rule):
    """A bonus when a referrer's successful (converted) referrals reach `referrals`; tiers follow too."""

    referrals: Annotated[int, Field(ge=1, le=100_000)]
    reward: Reward


class MonthlyCap(_Rule):
    """The most a referrer earns from this program in a calendar month (UTC), per form."""

    credit_minor: Amount | None = None
    points: Amount | None = None


class RewardRules(_Rule):
    registration: RegistrationRule | None = None
    first_order: FirstOrderRule | None = None
    order_share: OrderShareRule | None = None
    welcome: WelcomeDiscount | None = None
    milestones: Annotated[list[Milestone], Field(max_length=20)] = []
    monthly_cap: MonthlyCap | None = None

    @model_validator(mode="after")
    def milestones_distinct(self) -> RewardRules:
        counts = [m.referrals for m in self.milestones]
        if len(counts) != len(set(counts)):
            raise ValueError(f"two milestones share a referral count: {sorted(counts)}")
        return self


def parse_rules(rules: dict[str, Any]) -> RewardRules:
    """Rules as stored (a program's, a referral's or an experiment variant's), validated.

    Raises:
        InvalidInput: the rules do not have the shape of `RewardRules`.
    """
    try:
        return RewardRules.model_validate(rules)
    except ValidationError as error:
        issues = [FieldIssue(".".join(["rules", *map(str, e["loc"])]), e["msg"]) for e in error.errors()]
        raise InvalidInput("the reward rules are not usable", issues) from None


@dataclass(frozen=True)
class ProgramChanges:
    """What PATCH may change; None leaves a field as it is (ends_at: set `clear_ends_at` to remove it)."""

    name: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    clear_ends_at: bool = False
    audience: Audience | None = None
    terms_en: str | None = None
    terms_zh: str | None = None
    rules: RewardRules | None = None
    attribution_window_days: int | None = None
    attribution_model: AttributionModel | None = None
    hold_days: int | None = None


def create_program(
    session: Session,
    *,
    store_id: str,
    name: str,
    currency: str,
    rules: RewardRules,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    audience: Audience = Audience.EVERYONE,
    terms_en: str | None = None,
    terms_zh: str | None = None,
    attribution_window_days: int = 30,
    attribution_model: AttributionModel = AttributionModel.LAST_TOUCH,
    hold_days: int = 14,
    now: datetime | None = None,
) -> ReferralProgram:
    """Start a referral program (now, unless `starts_at` says otherwise).

    Raises:
        InvalidInput: it would end before it starts.
    """
    now = now or utc_now()
    program = ReferralProgram(
        store_id=store_id,
        name=name,
        currency=currency,
        rules=rules.model_dump(mode="json", exclude_none=True),
        starts_at=starts_at or now,
        ends_at=ends_at,
        audience=audience,
        terms_en=terms_en,
        terms_zh=terms_zh,
        attribution_window_days=attribution_window_days,
        attribution_model=attribution_model,
        hold_days=hold_days,
        created_at=now,
        updated_at=now,
    )
    _check_dates(program)
    session.add(program)
    session.flush()
    return program


def get_program(session: Session, *, store_id: str, program_id: int) -> ReferralProgram:
    """Raises:
    NotFound: the store has no such program.
    """
    program = session.scalars(
        select(ReferralProgram).where(ReferralProgram.store_id == store_id, ReferralProgram.id == program_id)
    ).one_or_none()
    if program is None:
        raise NotFound(f"no referral program {program_id}")
    return program


def list_programs(
    session: Session, *, store_id: str, running_at: datetime | None, cursor: str | None, limit: int
) -> Page[ReferralProgram]:
    query = select(ReferralProgram).where(ReferralProgram.store_id == store_id)
    if running_at is not None:
        query = query.where(*_running(running_at))
    return paginate(session, query, ReferralProgram.id, cursor=cursor, limit=limit)


def change_program(
    session: Session,
    *,
    store_id: str,
    program_id: int,
    changes: ProgramChanges,
    now: datetime | None = None,
) -> ReferralProgram:
    """Change a program; referrals already made keep the rules they were made under.

    Raises:
        NotFound: the store has no such program.
        Conflict: the program has ended.
        InvalidInput: it would end before it starts.
    """
    now = now or utc_now()
    program = get_program(session, store_id=store_id, program_id=program_id)
    if program.ends_at is not None and program.ends_at <= now:
        raise Conflict(f"referral program {program_id} ended at {program.ends_at.isoformat()}")
    for field in (
        "name", "starts_at", "ends_at", "audience", "terms_en", "terms_zh", "attribution_window_days",
        "attribution_model", "hold_days",
    ):  # fmt: skip
        value = getattr(changes, field)
        if value is not None:
            setattr(program, field, value)
    if changes.clear_ends_at:
        program.ends_at = None
    if changes.rules is not None:
        program.rules = changes.rules.model_dump(mode="json", exclude_none=True)
    _check_dates(program)
    program.updated_at = now
    session.flush()
    return program


def end_program(
    session: Session, *, store_id: str, program_id: int, now: datetime | None = None
) -> ReferralProgram:
    """End a program now: no new referrals join it; rewards already due are still paid.

    Raises:
        NotFound: the store has no such program.
        Conflict: it has already ended.
    """
    now = now or utc_now()
    program = get_program(session, store_id=store_id, program_id=program_id)
    if program.ends_at is not None and program.ends_at <= now:
        raise Conflict(f"referral program {program_id} already ended at {program.ends_at.isoformat()}")
    program.ends_at = max(now, program.starts_at)
    program.updated_at = now
    session.flush()
    return program


def running_programs(session: Session, *, store_id: str, now: datetime) -> list[ReferralProgram]:
    """The store's programs running at `now`, oldest first (the first one is the default for new referrals)."""
    query = (
        select(ReferralProgram)
        .where(ReferralProgram.store_id == store_id, *_running(now))
        .order_by(ReferralProgram.starts_at, ReferralProgram.id)
    )
    return list(session.scalars(query))


def _running(now: datetime) -> list[Any]:
    return [
        ReferralProgram.starts_at <= now,
        or_(ReferralProgram.ends_at.is_(None), ReferralProgram.ends_at > now),
    ]


def _check_dates(program: ReferralProgram) -> None:
    if program.ends_at is not None and program.ends_at <= program.starts_at:
        raise InvalidInput(
            f"the program would end ({program.ends_at.isoformat()}) before it starts "
            f"({program.starts_at.isoformat()})",
            [FieldIssue("ends_at", "must be after starts_at")],
        )
