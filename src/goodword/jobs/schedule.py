"""What runs, and how often. A job is one idempotent, set-based service call over every store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from goodword.config import Settings
from goodword.referrals.reminders import send_share_reminders
from goodword.reviews.requests import send_review_reminders, send_review_requests
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


def scheduled_jobs(settings: Settings) -> tuple[Job, ...]:
    """Every job Goodword runs. Each is safe to run twice or late: it acts only on what is due."""
    # Links in reminders and review requests point at this deployment's public address; review links are signed.
    secret, base = settings.secret_key, settings.public_base_url
    return (
        Job("release-held-rewards", timedelta(minutes=1), release_due_rewards),
        Job("birthday-coupons", timedelta(hours=1), issue_birthday_coupons),
        Job("share-reminders", timedelta(hours=1), partial(send_share_reminders, public_base_url=base)),
        Job(
            "review-requests",
            timedelta(minutes=5),
            partial(send_review_requests, secret_key=secret, public_base_url=base),
        ),
        Job(
            "review-reminders",
            timedelta(hours=1),
            partial(send_review_reminders, secret_key=secret, public_base_url=base),
        ),
    )
