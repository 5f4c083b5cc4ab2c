"""jobs: when each scheduled job last ran, and the lease that keeps it to one runner

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import goodword.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("lease_until", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("held_by", sa.String(length=200), nullable=True),
        sa.Column("last_started_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_runs")),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
