import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodword.cli.app import app
from goodword.config import Settings
from goodword.db.session import Database
from goodword.errors import Unauthorized
from goodword.stores.api_keys import authenticate
from goodword.stores.models import ApiKeyScope

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_create_store_prints_working_credentials_as_json(tmp_path: Path) -> None:
    # given an empty database
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    # when a store is created
    created = json.loads(run("create-store", "--name", "Tea House", "--json", "--database", url))
    # then its key authenticates as a write key of that store
    database = Database(Settings(database_url=url))
    with database.unit_of_work() as session:
        api_key = authenticate(session, token=created["api_key"])
        assert (api_key.store_id, api_key.scope) == (created["store_id"], ApiKeyScope.WRITE)
    database.dispose()
    assert created["webhook_secret"].startswith("whsec_")


def test_a_read_key_can_be_issued_and_revoked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store_id = json.loads(run("create-store", "--name", "Tea House", "--json", "--database", url))["store_id"]
    issued = json.loads(
        run("create-api-key", "--store", store_id, "--scope", "read", "--json", "--database", url)
    )
    run("revoke-api-key", "--store", store_id, str(issued["id"]), "--database", url)
    database = Database(Settings(database_url=url))
    with database.unit_of_work() as session, pytest.raises(Unauthorized):
        authenticate(session, token=issued["api_key"])
    database.dispose()
    assert issued["scope"] == "read"


def test_an_unknown_store_is_reported_without_a_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["create-api-key", "--store", "st_missing", "--database", url])
    assert result.exit_code == 1
    assert "no store 'st_missing'" in result.output
    assert "Traceback" not in result.output
