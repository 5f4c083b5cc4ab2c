"""Two stores, every referrals endpoint: one store's key never reads, changes or reveals another's rows.

`CASES` is keyed by (method, path) like `test_isolation.CASES`; that module checks every documented endpoint has one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.referrals import invitations
from goodword.referrals.models import InvitationChannel, ReferralStatus
from goodword.referrals.programs import get_program
from goodword.referrals.queries import list_referrals
from tests.api.assertions import assert_problem
from tests.factories.referrals import make_customer, make_program, refer
from tests.factories.stores import StoreAccess


@dataclass(frozen=True)
class Seeded:
    owner: StoreAccess
    intruder: StoreAccess
    program_id: int
    referral_id: int
    invitation_id: int


def _seed(session: Session, owner: StoreAccess, intruder: StoreAccess) -> Seeded:
    ids: list[tuple[int, int, int]] = []
    for store, label in ((owner, "owner"), (intruder, "intruder")):
        program = make_program(session, store_id=store.store_id)
        referrer = make_customer(session, store_id=store.store_id, external_id=f"{label}-1")
        friend = refer(session, store_id=store.store_id, referrer=referrer, external_id=f"{label}-2")
        [referral] = list_referrals(session, store_id=store.store_id, referrer_external_id=None, status=None,
                                    cursor=None, limit=5).items  # fmt: skip
        invitation = invitations.send_invitation(
            session, store_id=store.store_id, referrer_external_id=f"{label}-1",
            invitation=invitations.InvitationIn(channel=InvitationChannel.EMAIL, email=f"{label}-pal@example.com"),
            base_url="https://gw.example",
        )  # fmt: skip
        assert friend.id
        ids.append((program.id, referral.id, invitation.id))
    return Seeded(owner, intruder, *ids[0])


def _not_found(method: str, path: str, body: Any = None) -> Callable[[TestClient, Seeded], None]:
    def check(client: TestClient, seeded: Seeded) -> None:
        url = path.format(s=seeded)
        response = client.request(method, url, headers=seeded.intruder.writer, json=body)
        assert_problem(response, 404, "not_found")

    return check


def _own_only(path: str, owner_row: str) -> Callable[[TestClient, Seeded], None]:
    """The intruder's list holds its own rows only: never the owner's row whose id is `seeded.<owner_row>`."""

    def check(client: TestClient, seeded: Seeded) -> None:
        response = client.get(path, headers=seeded.intruder.reader)
        assert response.status_code == 200, response.text
        assert response.json()["data"], "the intruder should see its own rows"
        assert "owner" not in str(response.json())
        assert getattr(seeded, owner_row) not in [row["id"] for row in response.json()["data"]]

    return check


def _create_program(client: TestClient, seeded: Seeded) -> None:
    body = {"name": "Mine", "currency": "USD", "rules": {}}
    response = client.post("/api/v1/referral-programs", json=body, headers=seeded.intruder.writer)
    assert response.status_code == 201, response.text


def _own_invitation(client: TestClient, seeded: Seeded) -> None:
    # The owner's customer "owner-1" does not exist for the intruder, even with the owner's external id.
    response = client.post(
        "/api/v1/customers/owner-1/invitations", json={"channel": "email", "email": "x@example.com"},
        headers=seeded.intruder.writer,
    )  # fmt: skip
    assert_problem(response, 404, "not_found")


CASES: dict[tuple[str, str], Callable[..., Any]] = {
    ("POST", "/api/v1/referral-programs"): _create_program,
    ("GET", "/api/v1/referral-programs"): _own_only("/api/v1/referral-programs", "program_id"),
    ("GET", "/api/v1/referral-programs/{program_id}"): _not_found(
        "GET", "/api/v1/referral-programs/{s.program_id}"
    ),
    ("PATCH", "/api/v1/referral-programs/{program_id}"): _not_found(
        "PATCH", "/api/v1/referral-programs/{s.program_id}", {"name": "Stolen"}
    ),
    ("POST", "/api/v1/referral-programs/{program_id}/end"): _not_found(
        "POST", "/api/v1/referral-programs/{s.program_id}/end"
    ),
    ("GET", "/api/v1/customers/{external_id}/referral"): _not_found(
        "GET", "/api/v1/customers/owner-1/referral"
    ),
    ("POST", "/api/v1/customers/{external_id}/invitations"): _own_invitation,
    ("GET", "/api/v1/customers/{external_id}/invitations"): _not_found(
        "GET", "/api/v1/customers/owner-1/invitations"
    ),
    ("POST", "/api/v1/customers/{external_id}/invitations/{invitation_id}/resend"): _not_found(
        "POST", "/api/v1/customers/intruder-1/invitations/{s.invitation_id}/resend"
    ),
    ("GET", "/api/v1/referrals"): _own_only("/api/v1/referrals", "referral_id"),
    ("GET", "/api/v1/referrals/{referral_id}"): _not_found("GET", "/api/v1/referrals/{s.referral_id}"),
}


@pytest.mark.parametrize("endpoint", list(CASES), ids=[f"{m} {p}" for m, p in CASES])
def test_another_stores_key_neither_sees_nor_changes_the_first_stores_referral_rows(
    client: TestClient,
    session: Session,
    store: StoreAccess,
    other_store: StoreAccess,
    endpoint: tuple[str, str],
) -> None:
    # given
    seeded = _seed(session, store, other_store)
    # when
    CASES[endpoint](client, seeded)
    # then
    session.expire_all()
    program = get_program(session, store_id=store.store_id, program_id=seeded.program_id)
    assert (program.name, program.ends_at) == ("Give 5, get 5", None)
    [referral] = list_referrals(session, store_id=store.store_id, referrer_external_id="owner-1", status=None,
                                cursor=None, limit=5).items  # fmt: skip
    assert referral.status is ReferralStatus.REGISTERED
