"""`goodword worker`: outbox worker processes; and the worker thread that `goodword serve` embeds."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from types import FrameType
from typing import Annotated

import typer

from goodword.cli.context import DatabaseOption, console, load_settings, open_database
from goodword.config import Settings
from goodword.db.session import Database
from goodword.jobs.runner import JobRunner
from goodword.jobs.schedule import scheduled_jobs
from goodword.logs import configure_logging
from goodword.messaging.transports import build_worker

logger = logging.getLogger(__name__)
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("jobs")(jobs)


def jobs(database_url: DatabaseOption = None) -> None:
    """Run every scheduled job that is due, once, and print what each did (for cron, or by hand).

    Workers run the jobs on their own; this is for deployments without one, and for operators.
    """
    settings = load_settings(database_url)
    database = open_database(settings)
    try:
        done = JobRunner(database=database, jobs=scheduled_jobs(settings)).run_due()
    finally:
        database.dispose()
    for name in (job.name for job in scheduled_jobs(settings)):
        console.print(
            f"{name}: " + (f"did {done[name]}" if name in done else "not due, or running elsewhere")
        )


def worker(
    processes: Annotated[int, typer.Option(min=1, max=64, help="Worker processes to run side by side.")] = 1,
    database: DatabaseOption = None,
) -> None:
    """Deliver the outbox until SIGINT or SIGTERM; each worker finishes its batch, then exits.

    Run several, on one machine or many, against PostgreSQL for a large shop; on SQLite one is enough.
    """
    settings = load_settings(database)
    open_database(settings).dispose()  # migrate once, before any worker starts
    console.print(f"Outbox worker: {processes} process(es); SIGINT or SIGTERM stops them gracefully.")
    if processes == 1:
        run_worker(settings)
        return
    if _supervise(settings, processes) != 0:
        raise typer.Exit(1)


def run_worker(settings: Settings) -> None:
    """Run one worker in this process's main thread until SIGINT or SIGTERM."""
    configure_logging(log_format=settings.log_format, level=settings.log_level)  # a spawned child starts bare
    stop = threading.Event()
    database = Database(settings)
    jobs = _job_thread(settings, database, stop)
    try:
        with _stop_on_signals(stop):
            jobs.start()
            build_worker(settings, database).run(stop, poll_seconds=settings.worker_poll_seconds)
    finally:
        stop.set()
        jobs.join(timeout=settings.worker_lease_seconds)
        database.dispose()


def _job_thread(settings: Settings, database: Database, stop: threading.Event) -> threading.Thread:
    """The scheduled jobs run beside each outbox worker; their leases keep each job to one runner."""
    runner = JobRunner(database=database, jobs=scheduled_jobs(settings))
    return threading.Thread(
        target=runner.run,
        args=(stop,),
        kwargs={"poll_seconds": settings.jobs_poll_seconds},
        name="goodword-jobs",
        daemon=True,
    )


def _supervise(settings: Settings, processes: int) -> int:
    """Start the workers and wait; a signal is passed on to them, and one dying stops the rest."""
    context = multiprocessing.get_context("spawn")  # fork would copy the parent's engine and its sockets
    children = [
        context.Process(target=run_worker, args=(settings,), name=f"goodword-worker-{n}")
        for n in range(processes)
    ]
    stop = threading.Event()
    with _stop_on_signals(stop):
        for child in children:
            child.start()
        while not stop.is_set() and all(child.is_alive() for child in children):
            wait([child.sentinel for child in children], timeout=0.5)
    if not stop.is_set():
        logger.error("a worker process exited unexpectedly; stopping the others")
    for child in children:
        if child.is_alive():
            child.terminate()  # SIGTERM: the child finishes its batch, then exits
    for child in children:
        child.join()
    return 0 if stop.is_set() else 1


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Let SIGINT and SIGTERM set `stop` instead of interrupting, for as long as the block runs."""

    def handle(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {number: signal.signal(number, handle) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def embedded_worker(settings: Settings, database: Database) -> Iterator[None]:
    """One worker thread for as long as the block runs; it finishes its batch when the block ends.

    The block is meant to be the web server's run: uvicorn handles SIGINT and SIGTERM while it serves and
    raises them again once it has shut down, so they are caught here, to let the worker finish before exit.
    """
    stop = threading.Event()
    thread = threading.Thread(
        target=build_worker(settings, database).run,
        args=(stop,),
        kwargs={"poll_seconds": settings.worker_poll_seconds},
        name="goodword-outbox-worker",
        daemon=True,  # if it cannot finish its batch within a lease, the process exits without it
    )
    jobs = _job_thread(settings, database, stop)
    with _stop_on_signals(stop):
        thread.start()
        jobs.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=settings.worker_lease_seconds)
            jobs.join(timeout=settings.worker_lease_seconds)
