"""Group commit for referral clicks: one writer thread turns many concurrent clicks into one transaction.

The redirect must not answer before its click is durable, and one transaction per click would cap the link at
the disk's commit rate. Each request hands its click to the writer and waits; the writer takes every click
queued so far, records them in one unit of work, commits, and only then wakes each waiting request, which
answers with its redirect. A failed commit wakes them with the error instead: no redirect without its row.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence

from goodword.db.session import Database
from goodword.referrals.clicks import ClickIn, record_clicks

logger = logging.getLogger(__name__)
MAX_BATCH = 500
_Waiter = tuple[ClickIn, asyncio.AbstractEventLoop, asyncio.Future[None]]


class ClickWriter:
    def __init__(self, database: Database, *, secret_key: str) -> None:
        self._database = database
        self._secret_key = secret_key
        self._queue: queue.SimpleQueue[_Waiter | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="goodword-click-writer", daemon=True)
        self._thread.start()

    async def record(self, click: ClickIn) -> None:
        """Return once the click is committed; raise what the commit raised."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.put((click, loop, done))
        await done

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: Sequence[_Waiter]) -> None:
        error: BaseException | None = None
        try:
            with self._database.unit_of_work() as session:
                record_clicks(session, clicks=[click for click, _, _ in batch], secret_key=self._secret_key)
        except Exception as failure:  # every waiter gets the failure; the writer lives on
            logger.exception("recording %d referral clicks failed", len(batch))
            error = failure
        for _, loop, done in batch:
            loop.call_soon_threadsafe(_settle, done, error)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.cancelled():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
