"""Runs due jobs, each in its own unit of work, holding a lease so that one worker at a time runs a job."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.orm import Session

from goodword.clock import Clock, utc_now
from goodword.db.bulk import insert_for
from goodword.db.session import Database
from goodword.jobs.models import JobRun
from goodword.jobs.schedule import Job

logger = logging.getLogger(__name__)
_runs = cast(Table, JobRun.__table__)


class JobRunner:
    def __init__(
        self,
        *,
        database: Database,
        jobs: Sequence[Job],
        lease: timedelta = timedelta(minutes=10),
        clock: Clock = utc_now,
        name: str | None = None,
    ) -> None:
        self.database = database
        self.jobs = list(jobs)
        self.lease = lease
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:jobs"

    def run_due(self) -> dict[str, int]:
        """Run every job whose interval has passed and that no other runner holds; what each one did."""
        done: dict[str, int] = {}
        for job in self.jobs:
            if self._take(job):
                done[job.name] = self._run(job)
        return done

    def run(self, stop: threading.Event, *, poll_seconds: float = 15.0) -> None:
        """Run due jobs until `stop` is set. A failing job is logged and tried again at its next turn."""
        logger.info("job runner %s started with %s", self.name, [job.name for job in self.jobs])
        while not stop.is_set():
            try:
                self.run_due()
            except Exception:  # the database may be briefly away; the next round tries again
                logger.exception("job runner %s failed a round", self.name)
            stop.wait(poll_seconds)
        logger.info("job runner %s stopped", self.name)

    def _take(self, job: Job) -> bool:
        now = self.clock()
        with self.database.unit_of_work() as session:
            session.execute(insert_for(session, _runs).values(name=job.name).on_conflict_do_nothing())
            taken = session.execute(
                update(_runs)
                .where(
                    _runs.c.name == job.name,
                    or_(_runs.c.lease_until.is_(None), _runs.c.lease_until < now),
                    or_(_runs.c.last_started_at.is_(None), _runs.c.last_started_at <= now - job.every),
                )
                .values(lease_until=now + self.lease, held_by=self.name, last_started_at=now)
                .returning(_runs.c.name)
            ).scalar_one_or_none()
        return taken is not None

    def _run(self, job: Job) -> int:
        now = self.clock()
        result, error = 0, None
        try:
            with self.database.unit_of_work() as session:
                result = job(session, now=now)
        except Exception as failure:
            logger.exception("job %s failed", job.name)
            error = f"{type(failure).__name__}: {failure}"
        with self.database.unit_of_work() as session:
            _finish(session, job=job, runner=self.name, result=result, error=error, now=self.clock())
        if result:
            logger.info("job %s did %d", job.name, result)
        return result


def _finish(
    session: Session, *, job: Job, runner: str, result: int, error: str | None, now: datetime
) -> None:
    session.execute(
        update(_runs)
        .where(_runs.c.name == job.name, _runs.c.held_by == runner)
        .values(lease_until=None, last_finished_at=now, last_result=result, last_error=error)
    )


def job_states(session: Session) -> list[JobRun]:
    """When each job last ran and how it went, for operators."""
    return list(session.scalars(select(JobRun).order_by(JobRun.name)))
