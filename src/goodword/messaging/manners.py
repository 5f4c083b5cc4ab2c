"""Who may be sent what, and when: consent, undeliverable addresses, quiet hours and a frequency cap.

Checked when a message is about to go, not when it was written: a customer who unsubscribed in between
gets nothing, and a reminder written at noon waits for the morning if it falls due at night.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.clock import as_utc
from goodword.messaging.claims import ClaimedMessage
from goodword.messaging.models import (
    BounceKind,
    Channel,
    EmailBounce,
    MessageStatus,
    OutboxMessage,
    Purpose,
    WebhookEndpoint,
)
from goodword.stores.models import Customer

CAP_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Manners:
    marketing_cap_per_week: int
    quiet_hours_start: int
    quiet_hours_end: int


@dataclass(frozen=True, slots=True)
class Decision:
    action: Literal["send", "suppress", "postpone"]
    reason: str | None = None
    until: datetime | None = None


SEND = Decision("send")


def decide(
    session: Session, *, messages: Sequence[ClaimedMessage], manners: Manners, now: datetime
) -> dict[int, Decision]:
    """A decision for every claimed message."""
    customers = _customers(session, [m.customer_id for m in messages if m.customer_id is not None])
    blocked = _undeliverable_emails(session, [m for m in messages if m.channel is Channel.EMAIL])
    endpoints = _live_endpoints(session, [m.endpoint_id for m in messages if m.endpoint_id is not None])
    decisions = {}
    for message in messages:
        customer = customers.get(message.customer_id) if message.customer_id is not None else None
        decisions[message.id] = _decide_one(
            session,
            message=message,
            customer=customer,
            blocked=blocked,
            endpoints=endpoints,
            manners=manners,
            now=now,
        )
    return decisions


def _decide_one(
    session: Session,
    *,
    message: ClaimedMessage,
    customer: Customer | None,
    blocked: set[tuple[str, str]],
    endpoints: set[int],
    manners: Manners,
    now: datetime,
) -> Decision:
    if message.channel is Channel.WEBHOOK:
        if message.endpoint_id not in endpoints:
            return Decision("suppress", "the webhook endpoint was disabled or deleted")
        return SEND
    if message.channel is Channel.EMAIL and (
        (message.store_id, message.recipient.lower()) in blocked
        or (customer is not None and customer.email_undeliverable_at is not None)
    ):
        return Decision("suppress", "the address bounced or complained before; no more mail goes there")
    if message.purpose is Purpose.TRANSACTIONAL:
        return SEND
    if customer is None or customer.erased_at is not None:
        return Decision("suppress", "marketing goes only to a known customer who agreed to it")
    if not customer.marketing_consent:
        return Decision("suppress", "the customer has not agreed to marketing messages, or unsubscribed")
    quiet_until = end_of_quiet_hours(
        now, time_zone=customer.time_zone, start=manners.quiet_hours_start, end=manners.quiet_hours_end
    )
    if quiet_until is not None:
        return Decision("postpone", "quiet hours in the customer's time zone", quiet_until)
    cap_until = _cap_lifts_at(session, message=message, cap=manners.marketing_cap_per_week, now=now)
    if cap_until is not None:
        return Decision(
            "postpone", f"at most {manners.marketing_cap_per_week} marketing messages a week", cap_until
        )
    return SEND


def end_of_quiet_hours(now: datetime, *, time_zone: str | None, start: int, end: int) -> datetime | None:
    """When quiet hours end, if `now` falls inside them in `time_zone` (UTC when unknown); else None.

    >>> from datetime import UTC
    >>> end_of_quiet_hours(datetime(2026, 1, 5, 22, 30, tzinfo=UTC), time_zone=None, start=21, end=8)
    datetime.datetime(2026, 1, 6, 8, 0, tzinfo=datetime.timezone.utc)
    """
    if start == end:
        return None
    try:
        zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(zone)
    hour = local.hour
    inside = start <= hour < end if start < end else hour >= start or hour < end
    if not inside:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return as_utc(datetime.combine(day, time(end), tzinfo=zone))


def _cap_lifts_at(session: Session, *, message: ClaimedMessage, cap: int, now: datetime) -> datetime | None:
    recent = (
        select(OutboxMessage.finished_at)
        .where(
            OutboxMessage.store_id == message.store_id,
            OutboxMessage.customer_id == message.customer_id,
            OutboxMessage.purpose == Purpose.MARKETING,
            OutboxMessage.status == MessageStatus.DELIVERED,
            OutboxMessage.finished_at > now - CAP_WINDOW,
        )
        .order_by(OutboxMessage.finished_at.desc())
        .limit(cap)
    )
    sent = [as_utc(moment) for moment in session.scalars(recent) if moment is not None]
    if len(sent) < cap:
        return None
    return min(sent) + CAP_WINDOW if sent else now + CAP_WINDOW


def _customers(session: Session, ids: Sequence[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(set(ids))))}


def _undeliverable_emails(session: Session, messages: Sequence[ClaimedMessage]) -> set[tuple[str, str]]:
    if not messages:
        return set()
    rows = session.execute(
        select(EmailBounce.store_id, func.lower(EmailBounce.email)).where(
            EmailBounce.email.in_({m.recipient.lower() for m in messages}),
            EmailBounce.kind.in_([BounceKind.HARD, BounceKind.COMPLAINT]),
        )
    )
    return {(store_id, email) for store_id, email in rows}


def _live_endpoints(session: Session, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    rows = session.scalars(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.id.in_(set(ids)),
            WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
        )
    )
    return set(rows)
