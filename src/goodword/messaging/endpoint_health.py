"""Webhook endpoint health: note when an endpoint starts failing, and disable it after sustained failure.

An endpoint that has failed for longer than `disable_after` with no success in between is disabled, so the
outbox stops piling up retries for a receiver that is gone; the store's contact is told by email. One success
clears the record. Runs as a worker `OutcomeHook`, in the transaction that records the batch's outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from goodword.clock import as_utc
from goodword.messaging.claims import Outcome
from goodword.messaging.models import Channel, Purpose, WebhookEndpoint
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.messaging.worker import OutcomeHook
from goodword.stores.models import Store


def endpoint_health_hook(disable_after: timedelta) -> OutcomeHook:
    """An `OutcomeHook` that tracks webhook endpoints' health and disables those failing past `disable_after`."""

    def track(session: Session, outcomes: Sequence[Outcome], now: datetime) -> None:
        record_endpoint_health(session, outcomes=outcomes, now=now, disable_after=disable_after)

    return track


def record_endpoint_health(
    session: Session, *, outcomes: Sequence[Outcome], now: datetime, disable_after: timedelta
) -> list[int]:
    """Update each endpoint in `outcomes`; returns the ids of endpoints disabled just now."""
    healthy, failing = _final_states(outcomes)
    if healthy:
        # Guarded by `failing_since IS NOT NULL`: in the common case (all well) this touches no row at all.
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id.in_(healthy), WebhookEndpoint.failing_since.is_not(None))
            .values(failing_since=None)
            .execution_options(synchronize_session=False)
        )
    disabled = []
    # Endpoint id order, so that two workers updating the same endpoints take their row locks alike.
    for endpoint_id, first_failure in sorted(failing.items()):
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id)
            .values(failing_since=func.coalesce(WebhookEndpoint.failing_since, first_failure))
            .execution_options(synchronize_session=False)
        )
        if _disable_if_failing_since(session, endpoint_id=endpoint_id, cutoff=now - disable_after, now=now):
            disabled.append(endpoint_id)
    return disabled


def _final_states(outcomes: Sequence[Outcome]) -> tuple[list[int], dict[int, datetime]]:
    """Endpoints whose last attempt in the batch succeeded, and the others with the start of their failing run."""
    runs: dict[int, datetime | None] = {}
    for outcome in sorted(outcomes, key=lambda o: o.started_at):
        endpoint_id = outcome.message.endpoint_id
        if outcome.message.channel is not Channel.WEBHOOK or endpoint_id is None:
            continue
        if outcome.result.succeeded:
            runs[endpoint_id] = None
        else:
            runs[endpoint_id] = runs.get(endpoint_id) or as_utc(outcome.started_at)
    healthy = [endpoint_id for endpoint_id, since in runs.items() if since is None]
    failing = {endpoint_id: since for endpoint_id, since in runs.items() if since is not None}
    return healthy, failing


def _disable_if_failing_since(session: Session, *, endpoint_id: int, cutoff: datetime, now: datetime) -> bool:
    # One conditional UPDATE decides, so when two workers cross the line together only one sends the notice.
    row = session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
            WebhookEndpoint.failing_since < cutoff,
        )
        .values(enabled=False)
        .returning(WebhookEndpoint.store_id, WebhookEndpoint.url, WebhookEndpoint.failing_since)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        return False
    store_id, url, failing_since = row
    since = as_utc(failing_since or now).strftime("%Y-%m-%d %H:%M UTC")
    reason = f"every delivery failed from {since} until {now:%Y-%m-%d %H:%M UTC}"
    session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(disabled_reason=reason)
        .execution_options(synchronize_session=False)
    )
    _notify_store(session, store_id=store_id, endpoint_id=endpoint_id, url=url, reason=reason, now=now)
    return True


def _notify_store(
    session: Session, *, store_id: str, endpoint_id: int, url: str, reason: str, now: datetime
) -> None:
    contact = session.scalar(select(Store.contact_email).where(Store.id == store_id))
    if not contact:
        return
    body = (
        f"Goodword stopped sending events to your webhook endpoint {url} (id {endpoint_id}): {reason}.\n"
        "Events published while it is disabled are not sent to it. Check the receiver, read its delivery "
        "log (GET /api/v1/webhook-endpoints/{id}/deliveries), then create the endpoint again."
    ).replace("{id}", str(endpoint_id))
    enqueue(
        session,
        store_id=store_id,
        message=NewMessage(
            channel=Channel.EMAIL,
            purpose=Purpose.TRANSACTIONAL,
            kind="notice",
            recipient=contact,
            payload={"subject": f"Webhook endpoint {endpoint_id} was disabled", "body": body},
            reason=f"webhook endpoint {endpoint_id} was disabled after failing without a break",
            send_at=now,
            dedupe_key=f"webhook-endpoint-disabled:{endpoint_id}:{int(now.timestamp())}",
        ),
    )
