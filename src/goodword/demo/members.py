"""The demo store's member club: a four-rung ladder, and every customer on it with the steps that took them there.

Members are placed as `reevaluate_tiers` would place them (spend that stands paid in the store's currency,
successful referrals, the same `qualifying_tier`), but in bulk and at the moments they moved: that service
announces each move by email, and the demo must not write to its customers about the past. Run afterwards, it
finds nobody to move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_many
from goodword.rewards.members import TierIn, qualifying_tier, replace_tiers
from goodword.rewards.models import Member, MemberTier, MemberTierChange

TIERS = (
    TierIn(name="Member", min_spend_minor=0),
    TierIn(name="Silver", min_spend_minor=20_000, min_referrals=2, discount_percent=5, birthday_percent_off=10),
    TierIn(name="Gold", min_spend_minor=60_000, min_referrals=5, discount_percent=10, birthday_percent_off=15),
    TierIn(name="VIP", min_spend_minor=150_000, min_referrals=10, discount_percent=15, birthday_percent_off=20),
)  # fmt: skip


def place_members(
    session: Session,
    *,
    store_id: str,
    joined: Mapping[int, datetime],
    spending: Mapping[int, Sequence[tuple[datetime, int]]],
    conversions: Mapping[int, Sequence[datetime]],
    opened: datetime,
    now: datetime,
) -> None:
    """Set up the ladder as of `opened` and place every customer who `joined` on it.

    `spending` holds each customer's paid orders as (paid at, total); `conversions` when each of their referred
    friends first paid.
    """
    ladder = replace_tiers(session, store_id=store_id, tiers=TIERS, now=opened)
    members: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for customer_id, since in joined.items():
        steps = [(since, 0, 0)]  # (when, spend added, successful referrals added)
        steps += [(moment, total, 0) for moment, total in spending.get(customer_id, ())]
        steps += [(moment, 0, 1) for moment in conversions.get(customer_id, ())]
        steps.sort(key=lambda step: step[0])
        spend = referrals = 0
        tier: MemberTier | None = None
        for moment, more_spend, more_referrals in steps:
            spend, referrals = spend + more_spend, referrals + more_referrals
            reached = qualifying_tier(ladder, spend=spend, referrals=referrals)
            if reached is not tier:
                changes.append({
                    "store_id": store_id, "customer_id": customer_id, "from_tier_id": _id(tier),
                    "to_tier_id": _id(reached), "spend_minor": spend, "successful_referrals": referrals,
                    "changed_at": moment,
                })  # fmt: skip
                tier = reached
        members.append({
            "store_id": store_id, "customer_id": customer_id, "tier_id": _id(tier), "spend_minor": spend,
            "successful_referrals": referrals, "birth_month": None, "birth_day": None, "birth_year": None,
            "time_zone": None, "created_at": since, "updated_at": now,
        })  # fmt: skip
    insert_many(session, cast(Table, Member.__table__), members)
    insert_many(session, cast(Table, MemberTierChange.__table__), changes)


def _id(tier: MemberTier | None) -> int | None:
    return tier.id if tier is not None else None
