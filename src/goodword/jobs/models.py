"""The one table of the job runner: when each job last ran, and which runner holds it now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodword.db.base import Base


class JobRun(Base):
    """One row per job name. Jobs span every store, so this operational row belongs to none.

    A runner takes a job by moving `lease_until` forward in one conditional UPDATE, so two workers never run
    the same job at once; a runner killed mid-job loses its lease when it expires.
    """

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    lease_until: Mapped[datetime | None]
    held_by: Mapped[str | None] = mapped_column(String(200))
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_result: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
