"""Staff follow-up of stalled invitations: a personal call or message where the automatic ones did not help.

Stalled means: an invitation clicked but never registered for more than `follow_up_clicked_days`, or a
referral registered but never bought for more than `follow_up_registered_days` (the store's policy).

The list is a query, not a job's materialized rows: what is stalled changes by the minute (a friend registers,
an order is paid) and a query is always current, costs nothing while nobody looks, and needs no clean-up.
A row is written only when staff claim an item: `FollowUp`, unique per subject, so two people never call the
same friend; notes are appended to it, and closing records the outcome once. A closed item leaves the list.
Items are named `invitation-<id>` or `referral-<id>`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, exists, select, update
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import Conflict, NotFound
from goodword.referrals.models import Invitation, Referral, ReferralStatus
from goodword.referrals.ops_models import FollowUp, FollowUpNote, FollowUpSubject
from goodword.referrals.ops_policy import get_policy
from goodword.stores.models import Customer
from goodword.stores.pagination import Page, paginate

_follow_ups = cast(Table, FollowUp.__table__)


class Outcome(enum.StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    NOT_INTERESTED = "not_interested"
    CONVERTED = "converted"
    WRONG_CONTACT = "wrong_contact"


@dataclass(frozen=True)
class StalledItem:
    key: str
    subject: FollowUpSubject
    subject_id: int
    referrer_customer_id: int
    friend_customer_id: int | None
    contact_email: str | None
    contact_phone: str | None
    friend_name: str | None
    stalled_since: datetime
    claim: FollowUp | None


def item_key(subject: FollowUpSubject, subject_id: int) -> str:
    return f"{subject.value}-{subject_id}"


def parse_key(key: str) -> tuple[FollowUpSubject, int]:
    """Raises:
    NotFound: the key names no kind of follow-up (the same answer as an unknown id).
    """
    kind, _, number = key.partition("-")
    if kind not in {s.value for s in FollowUpSubject} or not number.isdigit() or len(number) > 18:
        raise NotFound(f"no follow-up {key!r}")
    return FollowUpSubject(kind), int(number)


def stalled(
    session: Session,
    *,
    store_id: str,
    subject: FollowUpSubject,
    cursor: str | None,
    limit: int,
    now: datetime | None = None,
) -> Page[StalledItem]:
    """Open stalled items of one kind, oldest id first, with their claim if staff claimed them."""
    now = now or utc_now()
    policy = get_policy(session, store_id=store_id)
    closed = exists().where(
        FollowUp.store_id == store_id, FollowUp.subject == subject, FollowUp.closed_at.is_not(None)
    )
    if subject is FollowUpSubject.INVITATION:
        invitations = select(Invitation).where(
            Invitation.store_id == store_id,
            Invitation.clicked_at <= now - timedelta(days=policy.follow_up_clicked_days),
            Invitation.registered_at.is_(None),
            ~closed.where(FollowUp.subject_id == Invitation.id),
        )
        sent = paginate(session, invitations, Invitation.id, cursor=cursor, limit=limit)
        next_cursor = sent.next_cursor
        items = [
            StalledItem(item_key(subject, i.id), subject, i.id, i.referrer_customer_id, None, i.email, i.phone,
                        i.friend_name, i.clicked_at or now, None)
            for i in sent.items
        ]  # fmt: skip
    else:
        referrals = select(Referral).where(
            Referral.store_id == store_id,
            Referral.status == ReferralStatus.REGISTERED,
            Referral.registered_at <= now - timedelta(days=policy.follow_up_registered_days),
            ~closed.where(FollowUp.subject_id == Referral.id),
        )
        made = paginate(session, referrals, Referral.id, cursor=cursor, limit=limit)
        next_cursor = made.next_cursor
        friends = {
            c.id: c
            for c in session.scalars(
                select(Customer).where(
                    Customer.store_id == store_id,
                    Customer.id.in_([r.referred_customer_id for r in made.items]),
                )
            )
        }
        items = []
        for r in made.items:
            friend = friends[r.referred_customer_id]
            items.append(
                StalledItem(item_key(subject, r.id), subject, r.id, r.referrer_customer_id, friend.id, friend.email,
                            friend.phone, friend.name, r.registered_at, None)
            )  # fmt: skip
    claims = _claims(session, store_id=store_id, subject=subject, ids=[i.subject_id for i in items])
    return Page([replace(i, claim=claims.get(i.subject_id)) for i in items], next_cursor)


def claim(session: Session, *, store_id: str, key: str, who: str, now: datetime | None = None) -> FollowUp:
    """Claim a stalled item for a personal follow-up; claiming your own claim again changes nothing.

    Raises:
        NotFound: the store has no such invitation or referral.
        Conflict: someone else claimed it.
    """
    now = now or utc_now()
    subject, subject_id = parse_key(key)
    customer_id = _subject_customer(
        session, store_id=store_id, subject=subject, subject_id=subject_id, key=key
    )
    session.execute(
        insert_for(session, _follow_ups)
        .values(store_id=store_id, subject=subject, subject_id=subject_id, customer_id=customer_id,
                claimed_by=who[:200], claimed_at=now)
        .on_conflict_do_nothing()
    )  # fmt: skip
    follow_up = get_follow_up(session, store_id=store_id, key=key)
    if follow_up.claimed_by != who[:200]:
        raise Conflict(f"follow-up {key!r} was claimed by {follow_up.claimed_by!r}")
    return follow_up


def add_note(
    session: Session, *, store_id: str, key: str, text: str, who: str, now: datetime | None = None
) -> FollowUpNote:
    """Append a note to a claimed follow-up.

    Raises:
        NotFound: nobody claimed this item (or it does not exist).
    """
    follow_up = get_follow_up(session, store_id=store_id, key=key)
    note = FollowUpNote(store_id=store_id, follow_up_id=follow_up.id, text=text, author=who[:200],
                        created_at=now or utc_now())  # fmt: skip
    session.add(note)
    session.flush()
    return note


def close(
    session: Session,
    *,
    store_id: str,
    key: str,
    outcome: Outcome,
    note: str | None,
    who: str,
    now: datetime | None = None,
) -> FollowUp:
    """Close a claimed follow-up with its outcome, once.

    Raises:
        NotFound: nobody claimed this item (or it does not exist).
        Conflict: it was closed already.
    """
    now = now or utc_now()
    follow_up = get_follow_up(session, store_id=store_id, key=key)
    closed = session.execute(
        update(FollowUp)
        .where(FollowUp.store_id == store_id, FollowUp.id == follow_up.id, FollowUp.closed_at.is_(None))
        .values(closed_at=now, closed_by=who[:200], outcome=outcome.value)
        .execution_options(synchronize_session=False)
    )
    if getattr(closed, "rowcount", 0) != 1:
        raise Conflict(f"follow-up {key!r} was closed already")
    add_note(session, store_id=store_id, key=key, text=f"closed: {outcome.value}" + (f": {note}" if note else ""),
             who=who, now=now)  # fmt: skip
    session.refresh(follow_up)
    return follow_up


def get_follow_up(session: Session, *, store_id: str, key: str) -> FollowUp:
    """Raises:
    NotFound: nobody claimed this item (or it does not exist).
    """
    subject, subject_id = parse_key(key)
    found = session.scalars(
        select(FollowUp).where(
            FollowUp.store_id == store_id, FollowUp.subject == subject, FollowUp.subject_id == subject_id
        )
    ).one_or_none()
    if found is None:
        raise NotFound(f"no follow-up {key!r}")
    return found


def notes_of(session: Session, *, store_id: str, follow_up_id: int) -> list[FollowUpNote]:
    return list(
        session.scalars(
            select(FollowUpNote)
            .where(FollowUpNote.store_id == store_id, FollowUpNote.follow_up_id == follow_up_id)
            .order_by(FollowUpNote.id)
        )
    )


def _claims(
    session: Session, *, store_id: str, subject: FollowUpSubject, ids: list[int]
) -> dict[int, FollowUp]:
    if not ids:
        return {}
    rows = session.scalars(
        select(FollowUp).where(
            FollowUp.store_id == store_id, FollowUp.subject == subject, FollowUp.subject_id.in_(ids)
        )
    )
    return {f.subject_id: f for f in rows}


def _subject_customer(
    session: Session, *, store_id: str, subject: FollowUpSubject, subject_id: int, key: str
) -> int | None:
    if subject is FollowUpSubject.INVITATION:
        found = session.scalars(
            select(Invitation.referrer_customer_id).where(
                Invitation.store_id == store_id, Invitation.id == subject_id
            )
        ).one_or_none()
    else:
        found = session.scalars(
            select(Referral.referred_customer_id).where(
                Referral.store_id == store_id, Referral.id == subject_id
            )
        ).one_or_none()
    if found is None:
        raise NotFound(f"no follow-up {key!r}")
    return found
