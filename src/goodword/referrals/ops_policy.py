"""A store's thresholds and windows for the fraud guard, reminders and follow-ups, with sane defaults."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import FieldIssue, InvalidInput
from goodword.referrals.ops_models import OpsPolicy

Count = Annotated[int, Field(ge=1, le=100_000)]


class Policy(BaseModel):
    """Every threshold the referral operations use. Absent from a store's row means the default here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Velocity: registrations allowed per day before the next one is held.
    max_referrals_per_referrer_per_day: Count = 10
    max_registrations_per_ip_per_day: Count = 5
    max_registrations_per_device_per_day: Count = 3
    # A friend registering from the referrer's own IP address and browser this soon is the referrer.
    same_ip_user_agent_window_hours: Count = 72
    # Rings: this many accounts in one referral tree, made within the window, from at most this many
    # IP addresses or devices.
    cluster_window_minutes: Count = 60
    cluster_min_accounts: Count = 4
    cluster_max_sources: Count = 2
    # How far the guard walks up the chain of referrers looking for a cycle.
    ring_max_depth: Count = 25
    # Domains a store adds to the shipped disposable-domain list.
    extra_disposable_domains: list[str] = Field(default_factory=list, max_length=1000)
    # Share reminders: days after the code was made; one reminder per step, none after the last.
    reminder_days: list[Count] = Field(default_factory=lambda: [3, 10, 30], min_length=0, max_length=10)
    # Follow-ups: invitations clicked this long ago without a registration, referrals registered this long
    # ago without a paid order.
    follow_up_clicked_days: Count = 3
    follow_up_registered_days: Count = 7

    @field_validator("reminder_days")
    @classmethod
    def increasing(cls, days: list[int]) -> list[int]:
        if days != sorted(set(days)):
            raise ValueError(f"reminder days {days!r} must be strictly increasing")
        return days

    @field_validator("extra_disposable_domains")
    @classmethod
    def lower_case(cls, domains: list[str]) -> list[str]:
        return sorted({d.strip().lower() for d in domains if d.strip()})


def get_policy(session: Session, *, store_id: str) -> Policy:
    """The store's policy, defaults filled in."""
    values = session.scalars(select(OpsPolicy.values).where(OpsPolicy.store_id == store_id)).one_or_none()
    return Policy.model_validate(values or {})


def policies_by_store(session: Session, store_ids: list[str]) -> dict[str, Policy]:
    """Each named store's policy (defaults for a store without a row)."""
    rows: dict[str, dict[str, Any]] = dict(
        session.execute(
            select(OpsPolicy.store_id, OpsPolicy.values).where(OpsPolicy.store_id.in_(store_ids))
        ).all()
    )
    return {store_id: Policy.model_validate(rows.get(store_id) or {}) for store_id in store_ids}


def set_policy(
    session: Session, *, store_id: str, changes: dict[str, Any], who: str, now: datetime | None = None
) -> Policy:
    """Change some of the store's thresholds; the others keep their value.

    Raises:
        InvalidInput: an unknown name, or a value out of range.
    """
    now = now or utc_now()
    current = get_policy(session, store_id=store_id)
    try:
        policy = Policy.model_validate({**current.model_dump(exclude_defaults=True), **changes})
    except ValidationError as error:
        issues = [FieldIssue(".".join(map(str, e["loc"])), e["msg"]) for e in error.errors()]
        raise InvalidInput(f"the policy changes {sorted(changes)!r} are not usable", issues) from None
    values = policy.model_dump(exclude_defaults=True)
    statement = insert_for(session, cast(Table, OpsPolicy.__table__)).values(
        store_id=store_id, values=values, updated_by=who, updated_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["store_id"], set_={"values": values, "updated_by": who, "updated_at": now}
        )
    )
    return policy
