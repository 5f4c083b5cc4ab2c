"""The job runner: a due job runs once per interval, on one runner at a time, and a failure is recorded."""

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from goodword.config import Settings
from goodword.db.session import Database
from goodword.jobs.models import JobRun
from goodword.jobs.runner import JobRunner, job_states
from goodword.jobs.schedule import Job, scheduled_jobs

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _counting_job(calls: list[datetime], every: timedelta = timedelta(minutes=5)) -> Job:
    def run(_session: Session, *, now: datetime) -> int:
        calls.append(now)
        return 3

    return Job(name=f"count-{uuid.uuid4().hex[:12]}", every=every, run=run)


def _state(database: Database, name: str) -> JobRun:
    with database.unit_of_work() as session:
        [state] = [s for s in job_states(session) if s.name == name]
        session.expunge(state)
        return state


def test_a_job_runs_when_due_and_not_again_before_its_interval(committing_database: Database) -> None:
    # given
    calls: list[datetime] = []
    clock = Clock()
    job = _counting_job(calls)
    runner = JobRunner(database=committing_database, jobs=[job], clock=clock)
    # when
    first = runner.run_due()
    clock.now += timedelta(minutes=1)
    too_soon = runner.run_due()
    clock.now += timedelta(minutes=5)
    later = runner.run_due()
    # then
    assert (first, too_soon, later) == ({job.name: 3}, {}, {job.name: 3})
    assert calls == [START, START + timedelta(minutes=6)]
    state = _state(committing_database, job.name)
    assert (state.last_result, state.last_error, state.lease_until) == (3, None, None)


def test_two_runners_never_run_the_same_job_at_once(committing_database: Database) -> None:
    # given a job that is always due and takes a while, and two runners that try it at the same moment
    running, most_at_once = 0, 0
    guard = threading.Lock()

    def slow(_session: Session, *, now: datetime) -> int:
        nonlocal running, most_at_once
        with guard:
            running += 1
            most_at_once = max(most_at_once, running)
        time.sleep(0.3)
        with guard:
            running -= 1
        return 1

    job = Job(name=f"slow-{uuid.uuid4().hex[:12]}", every=timedelta(seconds=0), run=slow)
    runners = [JobRunner(database=committing_database, jobs=[job], name=name) for name in ("first", "second")]
    start = threading.Barrier(2)

    def try_it(runner: JobRunner) -> None:
        start.wait()
        runner.run_due()

    # when
    threads = [threading.Thread(target=try_it, args=(runner,)) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # then: whichever ran it, and however often, it was never twice at once
    assert most_at_once == 1
    assert _state(committing_database, job.name).lease_until is None


def test_a_runner_killed_mid_job_gives_the_job_back_when_its_lease_ends(
    committing_database: Database,
) -> None:
    # given: a runner took the job and never finished (its process died)
    calls: list[datetime] = []
    clock = Clock()
    job = _counting_job(calls, every=timedelta(seconds=0))
    dead = JobRunner(database=committing_database, jobs=[job], clock=clock, lease=timedelta(minutes=10))
    assert dead._take(job)
    survivor = JobRunner(database=committing_database, jobs=[job], clock=clock)
    # when
    clock.now += timedelta(minutes=5)
    during_lease = survivor.run_due()
    clock.now += timedelta(minutes=6)
    after_lease = survivor.run_due()
    # then
    assert (during_lease, after_lease) == ({}, {job.name: 3})


def test_a_failing_job_is_recorded_and_the_others_still_run(committing_database: Database) -> None:
    # given
    def broken(_session: Session, *, now: datetime) -> int:
        raise RuntimeError("the reminder template is missing")

    failing = Job(name=f"broken-{uuid.uuid4().hex[:12]}", every=timedelta(minutes=1), run=broken)
    calls: list[datetime] = []
    healthy = _counting_job(calls)
    runner = JobRunner(database=committing_database, jobs=[failing, healthy])
    # when
    done = runner.run_due()
    # then
    assert done == {failing.name: 0, healthy.name: 3}
    assert _state(committing_database, failing.name).last_error == (
        "RuntimeError: the reminder template is missing"
    )


def test_every_scheduled_job_has_a_unique_name_and_a_positive_interval() -> None:
    jobs = scheduled_jobs(Settings())
    assert len({job.name for job in jobs}) == len(jobs)
    assert all(job.every > timedelta(0) for job in jobs)
