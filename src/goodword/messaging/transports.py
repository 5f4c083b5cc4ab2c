"""Assembling a worker from settings: a transport per configured channel, the manners and the backoff."""

from __future__ import annotations

from datetime import timedelta

from goodword.config import Settings
from goodword.db.session import Database
from goodword.messaging.claims import Backoff
from goodword.messaging.email import SmtpTransport
from goodword.messaging.endpoint_health import endpoint_health_hook
from goodword.messaging.manners import Manners
from goodword.messaging.models import Channel
from goodword.messaging.sms import build_sms_transport
from goodword.messaging.webhook_transport import WebhookTransport
from goodword.messaging.worker import Transport, Worker


def build_transports(settings: Settings) -> dict[Channel, Transport]:
    """Email and webhooks always; SMS when a gateway is configured.

    Without a gateway an SMS message fails with "no sms transport is configured" and is retried with
    backoff, so setting one up in time still delivers it.

    Raises:
        ValueError: the SMS gateway lacks a setting it needs.
    """
    transports: dict[Channel, Transport] = {
        Channel.EMAIL: SmtpTransport(settings),
        Channel.WEBHOOK: WebhookTransport(settings),
    }
    sms = build_sms_transport(settings)
    if sms is not None:
        transports[Channel.SMS] = sms
    return transports


def batch_lease(settings: Settings) -> timedelta:
    """How long a worker holds a batch: the configured lease, or longer if a batch of slow receivers needs it.

    A batch delivered in rounds of `worker_concurrency` whose every request times out would otherwise outlive
    its lease, and another worker would send it again while the first still holds it.
    """
    rounds = -(-settings.worker_batch_size // settings.worker_concurrency)
    slowest = max(settings.webhook_timeout_seconds, settings.smtp_timeout_seconds)
    return timedelta(seconds=max(settings.worker_lease_seconds, rounds * slowest * 1.5))


def build_worker(settings: Settings, database: Database, *, name: str | None = None) -> Worker:
    """A worker configured from settings, delivering through the channels they set up.

    Raises:
        ValueError: the SMS gateway lacks a setting it needs.
    """
    return Worker(
        database=database,
        transports=build_transports(settings),
        manners=Manners(
            marketing_cap_per_week=settings.marketing_cap_per_week,
            quiet_hours_start=settings.quiet_hours_start,
            quiet_hours_end=settings.quiet_hours_end,
        ),
        backoff=Backoff(
            base_seconds=settings.outbox_backoff_base_seconds,
            max_seconds=settings.outbox_backoff_max_seconds,
        ),
        batch_size=settings.worker_batch_size,
        concurrency=settings.worker_concurrency,
        lease=batch_lease(settings),
        hooks=[endpoint_health_hook(timedelta(hours=settings.webhook_disable_after_hours))],
        name=name,
    )
