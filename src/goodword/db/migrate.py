"""Apply and check Alembic migrations programmatically: `goodword migrate`, `serve` and `demo` call this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from goodword.db.base import Base

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_drift(engine: Engine) -> list[object]:
    """Differences between the migrated database and the models; empty when a migration is not missing."""
    import goodword.jobs.models
    import goodword.messaging.models
    import goodword.referrals.models
    import goodword.referrals.ops_models
    import goodword.reviews.models
    import goodword.rewards.models
    import goodword.stores.models  # noqa: F401 - registers every domain's tables

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        return list(compare_metadata(context, Base.metadata))
