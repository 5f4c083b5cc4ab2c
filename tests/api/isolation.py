"""The checks every `test_isolation*` module builds its cases from: two stores, the intruder's key, the owner's rows.

Each module seeds its own domain into a `Seeded` dataclass holding at least `owner` and `intruder`; a check takes
the test client and that dataclass. Paths given to `not_found` are formatted with `seeded=`, so
`"/api/v1/ties/{seeded.tie_id}"` names the owner's row.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient

from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess


class TwoStores(Protocol):
    @property
    def owner(self) -> StoreAccess: ...

    @property
    def intruder(self) -> StoreAccess: ...


Check = Callable[[TestClient, Any], None]


def isolation_cases(cases: Mapping[tuple[str, str], Check]) -> pytest.MarkDecorator:
    """Parametrizes a test with `endpoint`, each (method, path) of `cases`, named 'GET /api/v1/…'."""
    return pytest.mark.parametrize("endpoint", list(cases), ids=[f"{m} {p}" for m, p in cases])


def without_ids(detail: str) -> str:
    return re.sub(r"'[^']*'|\d+", "<id>", detail)


def only_intruder_rows(response_json: object) -> None:
    text = str(response_json)
    assert "owner" not in text, text


def not_found(method: str, path: str, unknown: str, body: object = None) -> Check:
    """404, worded exactly as for `unknown`, an id that no store has: nothing tells the two apart."""

    def check(client: TestClient, seeded: TwoStores) -> None:
        theirs = client.request(method, path.format(seeded=seeded), json=body, headers=seeded.intruder.writer)
        nobodys = client.request(method, unknown, json=body, headers=seeded.intruder.writer)
        assert_problem(theirs, 404, "not_found")
        assert_problem(nobodys, 404, "not_found")
        assert without_ids(theirs.json()["detail"]) == without_ids(nobodys.json()["detail"])

    return check


def own_rows(path: str, *, owner_row: str | None = None) -> Check:
    """The intruder's list holds rows, none of them the owner's; nor the row whose id is `seeded.<owner_row>`."""

    def check(client: TestClient, seeded: TwoStores) -> None:
        response = client.get(path, headers=seeded.intruder.reader)
        assert response.status_code == 200, response.text
        assert response.json()["data"], "the intruder should see its own rows"
        only_intruder_rows(response.json())
        if owner_row is not None:
            assert getattr(seeded, owner_row) not in [row["id"] for row in response.json()["data"]]

    return check
