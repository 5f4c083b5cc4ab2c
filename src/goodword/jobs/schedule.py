"""What runs, and how often. A job is one idempotent, set-based service call over every store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from goodword.rewards.ledger import release_due_rewards
from goodword.rewards.member_coupons import issue_birthday_coupons

JobFunction = Callable[..., int]  # called as function(session, now=now); returns how many things it did


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobFunction

    def __call__(self, session: Session, *, now: datetime) -> int:
        return self.run(session, now=now)


def scheduled_jobs() -> tuple[Job, ...]:
    """Every job Goodword runs. Each is safe to run twice or late: it acts only on what is due."""
    return (
        Job("release-held-rewards", timedelta(minutes=1), release_due_rewards),
        Job("birthday-coupons", timedelta(hours=1), issue_birthday_coupons),
    )
