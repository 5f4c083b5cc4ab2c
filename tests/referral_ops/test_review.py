"""Staff review of held referrals: approve restores the referral and pays what is due, reject pays nothing."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.errors import Conflict
from goodword.referrals.history import status_history
from goodword.referrals.models import ReferralReward, ReferralStatus
from goodword.referrals.ops_models import ReviewDecision
from goodword.referrals.review import decide, referral_case, review_queue
from tests.factories.referral_ops import NOW, make_customer, make_program, refer_and_assess
from tests.factories.stores import StoreAccess


def _held(session: Session, store: StoreAccess) -> int:
    program = make_program(session, store_id=store.store_id, credit_minor=700)
    referrer = make_customer(session, store_id=store.store_id, external_id="rev-referrer")
    friend = make_customer(session, store_id=store.store_id, external_id="rev-friend", email="x@yopmail.com")
    referral, reasons = refer_and_assess(session, program=program, referrer=referrer, friend=friend)
    assert [r.code for r in reasons] == ["disposable_email"]
    return referral.id


def test_the_queue_lists_held_referrals_with_their_reasons(session: Session, store: StoreAccess) -> None:
    # given
    referral_id = _held(session, store)
    refer_and_assess(session, program=make_program(session, store_id=store.store_id),
                     referrer=make_customer(session, store_id=store.store_id))  # fmt: skip
    # when
    page = review_queue(session, store_id=store.store_id, cursor=None, limit=10)
    # then
    assert [c.referral.id for c in page.items] == [referral_id]
    [case] = page.items
    assert (case.referrer_external_id, case.friend_external_id) == ("rev-referrer", "rev-friend")
    assert [(f.code, f.detail) for f in case.findings] == [
        ("disposable_email", "'yopmail.com' is a disposable email domain")
    ]


def test_approving_restores_the_referral_records_who_and_pays_the_registration_reward(
    session: Session, store: StoreAccess
) -> None:
    # given
    referral_id = _held(session, store)
    # when
    case = decide(session, store_id=store.store_id, referral_id=referral_id, decision=ReviewDecision.APPROVE,
                  note="knows the owner", who="staff:api-key:1", now=NOW)  # fmt: skip
    # then
    assert case.referral.status is ReferralStatus.REGISTERED
    assert case.decision is not None
    assert (case.decision.decided_by, case.decision.note) == ("staff:api-key:1", "knows the owner")
    last = status_history(session, store_id=store.store_id, referral_id=referral_id)[-1]
    assert (last.from_status, last.to_status, last.actor) == (
        ReferralStatus.HELD,
        ReferralStatus.REGISTERED,
        "staff:api-key:1",
    )
    assert last.reason == "approved by staff: knows the owner"
    rewards = session.scalars(select(ReferralReward).where(ReferralReward.referral_id == referral_id)).all()
    assert [(r.rule.value, r.amount) for r in rewards] == [("registration", 700)]


def test_rejecting_earns_nothing_and_a_second_decision_is_refused(
    session: Session, store: StoreAccess
) -> None:
    # given
    referral_id = _held(session, store)
    # when
    case = decide(session, store_id=store.store_id, referral_id=referral_id, decision=ReviewDecision.REJECT,
                  note=None, who="staff:api-key:2", now=NOW)  # fmt: skip
    # then
    assert case.referral.status is ReferralStatus.REJECTED
    assert (
        session.scalars(select(ReferralReward).where(ReferralReward.referral_id == referral_id)).all() == []
    )
    with pytest.raises(Conflict, match=f"referral {referral_id} is rejected"):
        decide(session, store_id=store.store_id, referral_id=referral_id, decision=ReviewDecision.APPROVE,
               note=None, who="staff:api-key:2", now=NOW)  # fmt: skip
    assert referral_case(session, store_id=store.store_id, referral_id=referral_id).decision is not None
