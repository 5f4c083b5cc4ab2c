"""The outbox worker: claim what is due, mind the manners, deliver through transports, record what happened.

One `Worker` runs embedded in `goodword serve` (a thread) or as `goodword worker` processes; any number may
run at once against PostgreSQL, and their leases keep them off each other's messages.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from goodword.clock import Clock, utc_now
from goodword.db.session import Database
from goodword.messaging.claims import (
    Backoff,
    ClaimedMessage,
    DeliveryResult,
    Outcome,
    claim_due,
    postpone,
    record_outcomes,
    settle,
)
from goodword.messaging.manners import Manners, decide
from goodword.messaging.models import Channel, MessageStatus

logger = logging.getLogger(__name__)


class Transport(Protocol):
    """Sends one message over one channel. It must not raise: failures come back as a DeliveryResult."""

    def deliver(self, message: ClaimedMessage) -> DeliveryResult: ...


# Runs in the transaction that records a batch's outcomes, e.g. to track a webhook endpoint's health.
OutcomeHook = Callable[[Session, Sequence[Outcome], datetime], None]


class Worker:
    def __init__(
        self,
        *,
        database: Database,
        transports: Mapping[Channel, Transport],
        manners: Manners,
        backoff: Backoff,
        batch_size: int = 100,
        concurrency: int = 16,
        lease: timedelta = timedelta(seconds=60),
        hooks: Sequence[OutcomeHook] = (),
        clock: Clock = utc_now,
        name: str | None = None,
        seed: int | None = None,
    ) -> None:
        self.database = database
        self.transports = dict(transports)
        self.manners = manners
        self.backoff = backoff
        self.batch_size = batch_size
        self.lease = lease
        self.hooks = list(hooks)
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"
        self.rng = random.Random(seed)
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="goodword-deliver")

    def run_once(self) -> int:
        """Claim one batch and see it through; returns how many messages were claimed."""
        now = self.clock()
        with self.database.unit_of_work() as session:
            claimed = claim_due(session, worker=self.name, now=now, limit=self.batch_size, lease=self.lease)
            if not claimed:
                return 0
            to_send = self._apply_manners(session, claimed, now)
        outcomes = list(self._pool.map(self._deliver, to_send))
        with self.database.unit_of_work() as session:
            finished = self.clock()
            record_outcomes(
                session, worker=self.name, outcomes=outcomes, now=finished, backoff=self.backoff, rng=self.rng
            )
            for hook in self.hooks:
                hook(session, outcomes, finished)
        return len(claimed)

    def run(self, stop: threading.Event, *, poll_seconds: float = 0.5) -> None:
        """Work until `stop` is set; sleeps only when nothing is due. Errors are logged and retried."""
        logger.info("outbox worker %s started", self.name)
        while not stop.is_set():
            try:
                if self.run_once() == 0:
                    stop.wait(poll_seconds)
            except Exception:  # a worker that dies silently loses nothing but delivers nothing either
                logger.exception("outbox worker %s failed a batch; trying again shortly", self.name)
                stop.wait(poll_seconds * 4)
        self._pool.shutdown(wait=True)
        for transport in self.transports.values():
            close = getattr(transport, "close", None)  # transports that hold connections let them go
            if close is not None:
                close()
        logger.info("outbox worker %s stopped", self.name)

    def _apply_manners(
        self, session: Session, claimed: list[ClaimedMessage], now: datetime
    ) -> list[ClaimedMessage]:
        decisions = decide(session, messages=claimed, manners=self.manners, now=now)
        to_send = []
        for message in claimed:
            decision = decisions[message.id]
            if decision.action == "suppress":
                settle(
                    session,
                    message_ids=[message.id],
                    status=MessageStatus.SUPPRESSED,
                    reason=decision.reason or "",
                    now=now,
                )
            elif decision.action == "postpone" and decision.until is not None:
                postpone(session, message_id=message.id, until=decision.until, reason=decision.reason or "")
            else:
                to_send.append(message)
        return to_send

    def _deliver(self, message: ClaimedMessage) -> Outcome:
        started = self.clock()
        began = time.perf_counter()
        transport = self.transports.get(message.channel)
        if transport is None:
            result = DeliveryResult(False, error=f"no {message.channel.value} transport is configured")
        else:
            try:
                result = transport.deliver(message)
            except Exception as error:  # a transport bug must not take the batch down with it
                logger.exception("transport for %s raised", message.channel.value)
                result = DeliveryResult(False, error=f"{type(error).__name__}: {error}")
        return Outcome(message, result, started, int((time.perf_counter() - began) * 1000))
