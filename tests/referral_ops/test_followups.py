"""Staff follow-ups: stalled invitations and referrals are listed, claimed once, noted and closed."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from goodword.errors import Conflict, NotFound
from goodword.referrals.followups import Outcome, add_note, claim, close, notes_of, stalled
from goodword.referrals.models import Invitation, InvitationChannel
from goodword.referrals.ops_models import FollowUpSubject
from tests.factories.referral_ops import NOW, make_customer, make_program, make_referral
from tests.factories.stores import StoreAccess


def _invitation(session: Session, store_id: str, clicked_days_ago: int, n: int) -> Invitation:
    referrer = make_customer(session, store_id=store_id)
    invitation = Invitation(
        store_id=store_id, referrer_customer_id=referrer.id, channel=InvitationChannel.EMAIL,
        email=f"pal{n}@example.com", token=f"tok-follow-{n}", created_at=NOW - timedelta(days=30),
        sent_at=NOW - timedelta(days=30), clicked_at=NOW - timedelta(days=clicked_days_ago),
    )  # fmt: skip
    session.add(invitation)
    session.flush()
    return invitation


def test_invitations_clicked_long_ago_without_registration_are_listed(
    session: Session, store: StoreAccess
) -> None:
    # given one clicked 5 days ago and one yesterday (the default window is 3 days)
    stale = _invitation(session, store.store_id, 5, 1)
    _invitation(session, store.store_id, 1, 2)
    # when
    page = stalled(
        session, store_id=store.store_id, subject=FollowUpSubject.INVITATION, cursor=None, limit=10, now=NOW
    )
    # then
    assert [i.key for i in page.items] == [f"invitation-{stale.id}"]
    assert page.items[0].contact_email == "pal1@example.com"


def test_referrals_registered_long_ago_without_an_order_are_listed(
    session: Session, store: StoreAccess
) -> None:
    # given
    program = make_program(session, store_id=store.store_id)
    referrer = make_customer(session, store_id=store.store_id)
    old = make_referral(session, program=program, referrer=referrer, friend=make_customer(session, store_id=store.store_id),
                        at=NOW - timedelta(days=8))  # fmt: skip
    make_referral(
        session,
        program=program,
        referrer=referrer,
        friend=make_customer(session, store_id=store.store_id),
        at=NOW,
    )
    # when
    page = stalled(
        session, store_id=store.store_id, subject=FollowUpSubject.REFERRAL, cursor=None, limit=10, now=NOW
    )
    # then
    assert [i.key for i in page.items] == [f"referral-{old.id}"]


def test_a_follow_up_is_claimed_by_one_person_noted_and_closed_once(
    session: Session, store: StoreAccess
) -> None:
    # given
    key = f"invitation-{_invitation(session, store.store_id, 5, 3).id}"
    # when
    claimed = claim(session, store_id=store.store_id, key=key, who="staff:1", now=NOW)
    again = claim(session, store_id=store.store_id, key=key, who="staff:1", now=NOW)
    add_note(session, store_id=store.store_id, key=key, text="left a voicemail", who="staff:1", now=NOW)
    closed = close(session, store_id=store.store_id, key=key, outcome=Outcome.REACHED, note="will order",
                   who="staff:1", now=NOW)  # fmt: skip
    # then
    assert again.id == claimed.id
    assert (closed.outcome, closed.closed_by) == ("reached", "staff:1")
    assert [n.text for n in notes_of(session, store_id=store.store_id, follow_up_id=claimed.id)] == [
        "left a voicemail", "closed: reached: will order"
    ]  # fmt: skip
    with pytest.raises(Conflict, match="claimed by 'staff:1'"):
        claim(session, store_id=store.store_id, key=key, who="staff:2", now=NOW)
    with pytest.raises(Conflict, match="closed already"):
        close(
            session,
            store_id=store.store_id,
            key=key,
            outcome=Outcome.NO_ANSWER,
            note=None,
            who="staff:1",
            now=NOW,
        )
    page = stalled(
        session, store_id=store.store_id, subject=FollowUpSubject.INVITATION, cursor=None, limit=10, now=NOW
    )
    assert page.items == []


def test_notes_need_a_claim(session: Session, store: StoreAccess) -> None:
    key = f"invitation-{_invitation(session, store.store_id, 5, 4).id}"
    with pytest.raises(NotFound, match=f"no follow-up '{key}'"):
        add_note(session, store_id=store.store_id, key=key, text="hi", who="staff:1", now=NOW)
