"""Alembic environment: runs on the connection Goodword hands it, or builds one from GOODWORD_* settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import goodword.jobs.models
import goodword.messaging.models
import goodword.referrals.models
import goodword.referrals.ops_models
import goodword.reviews.models
import goodword.rewards.models
import goodword.stores.models  # noqa: F401 - registers every domain's tables on Base.metadata
from goodword.config import Settings
from goodword.db.base import Base
from goodword.db.session import build_engine

target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for us
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    engine = build_engine(Settings())
    with engine.connect() as fresh:
        run_on(fresh)
    engine.dispose()
