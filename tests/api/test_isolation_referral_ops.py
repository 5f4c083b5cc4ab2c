"""Two stores, every referral ops endpoint: one store's key never reads, changes or reveals another's rows.

`CASES` is keyed by (method, path) like `test_isolation.CASES`; that module checks every documented endpoint has one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.referrals.experiments import VariantSpec, create_experiment, get_experiment
from goodword.referrals.models import Invitation, InvitationChannel, ReferralStatus
from goodword.referrals.ops_models import Allocation, FollowUp
from goodword.referrals.ops_policy import get_policy
from goodword.referrals.review import referral_case
from tests.api.isolation import isolation_cases, not_found, own_rows
from tests.factories.referral_ops import NOW, make_customer, make_program, refer_and_assess
from tests.factories.stores import StoreAccess


@dataclass(frozen=True)
class Seeded:
    """Each store holds a held referral, a program with an experiment and a stalled invitation; `owner…` names."""

    owner: StoreAccess
    intruder: StoreAccess
    referral_id: int
    program_id: int
    experiment_id: int
    invitation_id: int


def _seed(session: Session, owner: StoreAccess, intruder: StoreAccess) -> Seeded:
    found: dict[str, tuple[int, int, int, int]] = {}
    for store, label in ((owner, "owner"), (intruder, "intruder")):
        program = make_program(session, store_id=store.store_id)
        referrer = make_customer(session, store_id=store.store_id, external_id=f"{label}-referrer")
        friend = make_customer(
            session, store_id=store.store_id, external_id=f"{label}-friend", email=f"{label}@yopmail.com"
        )
        referral, _ = refer_and_assess(
            session, program=program, referrer=referrer, friend=friend, at=NOW - timedelta(days=1)
        )
        experiment = create_experiment(
            session, store_id=store.store_id, program_id=program.id, name=f"{label} test",
            allocation=Allocation.FIXED, variants=[VariantSpec("a", 1, {}), VariantSpec("b", 1, {})],
            who="seed", seed=1, now=NOW - timedelta(days=30),
        )  # fmt: skip
        invitation = Invitation(
            store_id=store.store_id, referrer_customer_id=referrer.id, program_id=program.id,
            channel=InvitationChannel.EMAIL, email=f"{label}-invitee@example.com", friend_name=f"{label} invitee",
            token=f"{label}-tok-{referral.id}", created_at=NOW - timedelta(days=20),
            sent_at=NOW - timedelta(days=20), clicked_at=NOW - timedelta(days=10),
        )  # fmt: skip
        session.add(invitation)
        session.flush()
        found[label] = (referral.id, program.id, experiment.experiment.id, invitation.id)
    return Seeded(owner, intruder, *found["owner"])


def _owner_unchanged(session: Session, seeded: Seeded) -> None:
    session.expire_all()
    owner = seeded.owner.store_id
    case = referral_case(session, store_id=owner, referral_id=seeded.referral_id)
    assert (case.referral.status, case.decision) == (ReferralStatus.HELD, None)
    assert (
        get_experiment(session, store_id=owner, experiment_id=seeded.experiment_id).experiment.stopped_at
        is None
    )
    assert session.scalars(select(FollowUp).where(FollowUp.store_id == owner)).all() == []
    assert get_policy(session, store_id=owner).max_registrations_per_ip_per_day == 5


def _announce_to_own_customers(client: TestClient, seeded: Seeded) -> None:
    body = {"subjects": {"en": "News"}, "bodies": {"en": "Hello"}}
    response = client.post("/api/v1/announcements", json=body, headers=seeded.intruder.writer)
    assert response.status_code == 201, response.text
    assert response.json()["recipients"] == 2  # the intruder's referrer and friend, not the owner's
    own_rows("/api/v1/announcements")(client, seeded)


def _list_announcements(client: TestClient, seeded: Seeded) -> None:
    _announce_to_own_customers(client, seeded)


def _own_policy(client: TestClient, seeded: Seeded) -> None:
    changed = client.patch(
        "/api/v1/referral-ops/policy",
        json={"max_registrations_per_ip_per_day": 1},
        headers=seeded.intruder.writer,
    )
    assert changed.status_code == 200, changed.text
    read = client.get("/api/v1/referral-ops/policy", headers=seeded.intruder.reader)
    assert read.json()["max_registrations_per_ip_per_day"] == 1


CASES: dict[tuple[str, str], Callable[[TestClient, Seeded], None]] = {
    ("GET", "/api/v1/referral-reviews"): own_rows("/api/v1/referral-reviews"),
    ("GET", "/api/v1/referrals/{referral_id}/fraud-reasons"): not_found(
        "GET", "/api/v1/referrals/{seeded.referral_id}/fraud-reasons", "/api/v1/referrals/987654321/fraud-reasons"
    ),
    ("POST", "/api/v1/referrals/{referral_id}/review"): not_found(
        "POST", "/api/v1/referrals/{seeded.referral_id}/review", "/api/v1/referrals/987654321/review",
        {"decision": "approve"},
    ),
    ("GET", "/api/v1/referral-ops/policy"): _own_policy,
    ("PATCH", "/api/v1/referral-ops/policy"): _own_policy,
    ("POST", "/api/v1/referral-programs/{program_id}/experiments"): not_found(
        "POST", "/api/v1/referral-programs/{seeded.program_id}/experiments",
        "/api/v1/referral-programs/987654321/experiments",
        {"name": "x", "variants": [{"name": "a"}, {"name": "b"}]},
    ),
    ("GET", "/api/v1/referral-programs/{program_id}/experiments"): not_found(
        "GET", "/api/v1/referral-programs/{seeded.program_id}/experiments",
        "/api/v1/referral-programs/987654321/experiments",
    ),
    ("POST", "/api/v1/experiments/{experiment_id}/stop"): not_found(
        "POST", "/api/v1/experiments/{seeded.experiment_id}/stop", "/api/v1/experiments/987654321/stop"
    ),
    ("GET", "/api/v1/experiments/{experiment_id}/report"): not_found(
        "GET", "/api/v1/experiments/{seeded.experiment_id}/report", "/api/v1/experiments/987654321/report"
    ),
    ("GET", "/api/v1/follow-ups"): own_rows("/api/v1/follow-ups"),
    ("POST", "/api/v1/follow-ups/{follow_up_id}/claim"): not_found(
        "POST", "/api/v1/follow-ups/invitation-{seeded.invitation_id}/claim",
        "/api/v1/follow-ups/invitation-987654321/claim",
    ),
    ("POST", "/api/v1/follow-ups/{follow_up_id}/notes"): not_found(
        "POST", "/api/v1/follow-ups/invitation-{seeded.invitation_id}/notes",
        "/api/v1/follow-ups/invitation-987654321/notes", {"text": "called"},
    ),
    ("POST", "/api/v1/follow-ups/{follow_up_id}/close"): not_found(
        "POST", "/api/v1/follow-ups/invitation-{seeded.invitation_id}/close",
        "/api/v1/follow-ups/invitation-987654321/close", {"outcome": "reached"},
    ),
    ("POST", "/api/v1/announcements"): _announce_to_own_customers,
    ("GET", "/api/v1/announcements"): _list_announcements,
}  # fmt: skip


@isolation_cases(CASES)
def test_another_stores_key_neither_sees_nor_changes_the_first_stores_referral_operations(
    client: TestClient,
    session: Session,
    store: StoreAccess,
    other_store: StoreAccess,
    endpoint: tuple[str, str],
) -> None:
    # given
    seeded = _seed(session, store, other_store)
    # when / then
    CASES[endpoint](client, seeded)
    _owner_unchanged(session, seeded)
