"""Two stores, every referrals endpoint: one store's key never reads, changes or reveals another's rows.

`CASES` is keyed by (method, path) like `test_isolation.CASES`; that module checks every documented endpoint has one.
"""

from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.referrals import invitations
from goodword.referrals.models import InvitationChannel, ReferralStatus
from goodword.referrals.programs import get_program
from goodword.referrals.queries import list_referrals
from tests.api.assertions import assert_problem
from tests.api.isolation import Check, isolation_cases, not_found, own_rows
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


CASES: dict[tuple[str, str], Check] = {
    ("POST", "/api/v1/referral-programs"): _create_program,
    ("GET", "/api/v1/referral-programs"): own_rows("/api/v1/referral-programs", owner_row="program_id"),
    ("GET", "/api/v1/referral-programs/{program_id}"): not_found(
        "GET", "/api/v1/referral-programs/{seeded.program_id}", "/api/v1/referral-programs/987654321"
    ),
    ("PATCH", "/api/v1/referral-programs/{program_id}"): not_found(
        "PATCH", "/api/v1/referral-programs/{seeded.program_id}", "/api/v1/referral-programs/987654321",
        {"name": "Stolen"},
    ),
    ("POST", "/api/v1/referral-programs/{program_id}/end"): not_found(
        "POST", "/api/v1/referral-programs/{seeded.program_id}/end", "/api/v1/referral-programs/987654321/end"
    ),
    ("GET", "/api/v1/customers/{external_id}/referral"): not_found(
        "GET", "/api/v1/customers/owner-1/referral", "/api/v1/customers/ghost-1/referral"
    ),
    ("POST", "/api/v1/customers/{external_id}/invitations"): _own_invitation,
    ("GET", "/api/v1/customers/{external_id}/invitations"): not_found(
        "GET", "/api/v1/customers/owner-1/invitations", "/api/v1/customers/ghost-1/invitations"
    ),
    ("POST", "/api/v1/customers/{external_id}/invitations/{invitation_id}/resend"): not_found(
        "POST", "/api/v1/customers/intruder-1/invitations/{seeded.invitation_id}/resend",
        "/api/v1/customers/intruder-1/invitations/987654321/resend",
    ),
    ("GET", "/api/v1/referrals"): own_rows("/api/v1/referrals", owner_row="referral_id"),
    ("GET", "/api/v1/referrals/{referral_id}"): not_found(
        "GET", "/api/v1/referrals/{seeded.referral_id}", "/api/v1/referrals/987654321"
    ),
}  # fmt: skip


@isolation_cases(CASES)
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
