from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from goodword.config import Settings
from goodword.db.migrate import alembic_config, schema_drift, upgrade_to_head
from goodword.db.session import Database


def test_migrations_match_the_models(database: Database) -> None:
    # given the database fixture, migrated to head
    # when the migrated schema is compared with the models
    drift = schema_drift(database.engine)
    # then nothing is missing a migration
    assert drift == []


def test_migrations_form_one_line_of_history(database: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config(database.engine))
    assert len(script.get_heads()) == 1


def test_upgrading_twice_changes_nothing(database: Database) -> None:
    upgrade_to_head(database.engine)
    assert schema_drift(database.engine) == []


def test_every_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    scratch = Database(Settings(database_url=f"sqlite:///{tmp_path / 'roundtrip.db'}"))
    upgrade_to_head(scratch.engine)
    config = alembic_config(scratch.engine)
    with scratch.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        command.upgrade(config, "head")
    assert schema_drift(scratch.engine) == []
    scratch.dispose()
