"""Clicks on referral links: recorded in batches (the redirect's writer groups concurrent clicks), each with
the token the shop hands back when the visitor registers or orders."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_many
from goodword.messaging.events import subscribes, webhook_message
from goodword.messaging.models import WebhookEndpoint
from goodword.messaging.outbox import enqueue_many
from goodword.referrals.models import Invitation, ReferralClick

_clicks = cast(Table, ReferralClick.__table__)
MAX_CHANNEL_CHARS = 16


@dataclass(frozen=True, slots=True)
class ClickIn:
    """One visit through a code's link, as the redirect saw it."""

    store_id: str
    code_id: int
    referrer_customer_id: int
    token: str
    clicked_at: datetime
    channel: str | None = None
    invitation_token: str | None = None
    ip: str | None = None
    user_agent: str | None = None


def new_click_token() -> str:
    """The token a click hands the shop (cookie `gw_ref` and query parameter): 128 random bits."""
    return secrets.token_urlsafe(16)


def visitor_hash(secret_key: str, store_id: str, value: str | None) -> str | None:
    """A keyed hash of an IP address or user agent: comparable within a store, not reversible."""
    if not value:
        return None
    return hmac.new(secret_key.encode(), f"{store_id}\x00{value}".encode(), hashlib.sha256).hexdigest()


def clean_channel(channel: str | None) -> str | None:
    """The `gw_ch` tag as stored: short, lower case, letters and digits; anything else is dropped."""
    if not channel:
        return None
    channel = channel.strip().lower()[:MAX_CHANNEL_CHARS]
    return channel if channel.replace("_", "").replace("-", "").isalnum() else None


def record_clicks(session: Session, *, clicks: Sequence[ClickIn], secret_key: str) -> None:
    """Insert many clicks at once (any mix of stores), mark the invitations they came through as clicked,
    and publish `referral.clicked` to the endpoints that subscribe."""
    if not clicks:
        return
    invitations = _invitations(session, clicks)
    rows: list[dict[str, Any]] = [
        {
            "store_id": click.store_id,
            "code_id": click.code_id,
            "referrer_customer_id": click.referrer_customer_id,
            "invitation_id": invitations.get((click.store_id, click.invitation_token or "")),
            "channel": clean_channel(click.channel),
            "token": click.token,
            "ip_hash": visitor_hash(secret_key, click.store_id, click.ip),
            "user_agent_hash": visitor_hash(secret_key, click.store_id, click.user_agent),
            "clicked_at": click.clicked_at,
        }
        for click in clicks
    ]
    insert_many(session, _clicks, rows)
    by_store: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_store[row["store_id"]].append(row)
    for store_id, store_rows in by_store.items():
        invitation_ids = {row["invitation_id"] for row in store_rows if row["invitation_id"] is not None}
        if invitation_ids:
            session.execute(
                update(Invitation)
                .where(
                    Invitation.store_id == store_id,
                    Invitation.id.in_(invitation_ids),
                    Invitation.clicked_at.is_(None),
                )
                .values(clicked_at=min(row["clicked_at"] for row in store_rows))
                .execution_options(synchronize_session=False)
            )
        _publish_clicked(session, store_id=store_id, rows=store_rows)


def _invitations(session: Session, clicks: Sequence[ClickIn]) -> dict[tuple[str, str], int]:
    tokens = {click.invitation_token for click in clicks if click.invitation_token}
    if not tokens:
        return {}
    stores = {click.store_id for click in clicks if click.invitation_token}
    rows = session.execute(
        select(Invitation.store_id, Invitation.token, Invitation.id).where(
            Invitation.store_id.in_(stores), Invitation.token.in_(tokens)
        )
    )
    return {(store_id, token): invitation_id for store_id, token, invitation_id in rows}


def _publish_clicked(session: Session, *, store_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """One endpoint query per store per batch, however many clicks it holds."""
    endpoints = [
        endpoint
        for endpoint in session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.store_id == store_id,
                WebhookEndpoint.enabled.is_(True),
                WebhookEndpoint.deleted_at.is_(None),
            )
        )
        if subscribes(endpoint, "referral.clicked")
    ]
    if not endpoints:
        return
    messages = [
        webhook_message(
            endpoint,
            event_type="referral.clicked",
            event_id=f"referral.clicked:{row['token']}",
            data={
                "referrer_customer_id": row["referrer_customer_id"],
                "channel": row["channel"],
                "invitation_id": row["invitation_id"],
                "clicked_at": row["clicked_at"].isoformat(),
            },
            now=row["clicked_at"],
        )
        for row in rows
        for endpoint in endpoints
    ]
    enqueue_many(session, store_id=store_id, messages=messages)


def find_click(session: Session, *, store_id: str, token: str) -> ReferralClick | None:
    """The store's click that handed out `token`, or None."""
    return session.scalars(
        select(ReferralClick).where(ReferralClick.store_id == store_id, ReferralClick.token == token)
    ).one_or_none()
