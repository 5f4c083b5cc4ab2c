"""Offer experiments: which reward variant a referrer gets (to be built; the interface is fixed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class VariantChoice:
    """The variant a referrer is in, and the reward rules it overrides (same shape as a program's rules)."""

    variant_id: int
    rules: dict[str, Any]


def variant_for_referrer(
    session: Session, *, store_id: str, program_id: int, referrer_customer_id: int, now: datetime
) -> VariantChoice | None:
    """The referrer's variant in the program's running experiment (assigned on first call); None without one."""
    return None
