"""Invitations Goodword sends for a customer by email or SMS, tracked from sending to the friend's first order.

Consent is respected: no invitation goes to an address or number whose owner unsubscribed from this store's
messages, or whose mail bounced or complained. Sending is rate-limited per referrer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import Conflict, FieldIssue, InvalidInput, NotFound, TooManyRequests
from goodword.messaging.models import BounceKind, Channel, EmailBounce, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.messaging.share import ShareChannel, tag_url
from goodword.referrals.codes import ensure_code
from goodword.referrals.links import referral_link
from goodword.referrals.models import Invitation, InvitationChannel
from goodword.referrals.programs import running_programs
from goodword.stores.consent import customers_who_opted_out
from goodword.stores.customers import get_customer
from goodword.stores.models import Customer, Store
from goodword.stores.pagination import Page, paginate

INVITATION_KIND = "referral_invitation"
_SMS_TEXT = {
    "en": "{referrer} invites you to {store}: {link}",
    "zh": "{referrer} 邀请您加入 {store}：{link}",  # noqa: RUF001
}


@dataclass(frozen=True)
class InvitationLimits:
    """How many invitations one referrer may send a day, and how often one invitation may be re-sent."""

    per_referrer_per_day: int = 20
    max_sends: int = 3
    resend_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class InvitationIn:
    channel: InvitationChannel
    email: str | None = None
    phone: str | None = None
    friend_name: str | None = None
    note: str | None = None
    locale: str | None = None


def send_invitation(
    session: Session,
    *,
    store_id: str,
    referrer_external_id: str,
    invitation: InvitationIn,
    base_url: str,
    limits: InvitationLimits = InvitationLimits(),
    now: datetime | None = None,
) -> Invitation:
    """Record an invitation and queue it in the outbox.

    Raises:
        NotFound: the store has no such customer.
        InvalidInput: the channel's address or number is missing.
        Conflict: the referrer was erased; the friend is already a customer, unsubscribed or bounced.
        TooManyRequests: the referrer sent their day's allowance already.
    """
    now = now or utc_now()
    referrer = _referrer(session, store_id=store_id, external_id=referrer_external_id)
    recipient = _recipient(invitation)
    _check_reachable(session, store_id=store_id, channel=invitation.channel, recipient=recipient)
    sent_today = session.scalar(
        select(func.count()).where(
            Invitation.store_id == store_id,
            Invitation.referrer_customer_id == referrer.id,
            Invitation.created_at > now - timedelta(days=1),
        )
    )
    if (sent_today or 0) >= limits.per_referrer_per_day:
        raise TooManyRequests(
            f"customer {referrer_external_id!r} sent {sent_today} invitations in the last 24 hours; "
            f"the limit is {limits.per_referrer_per_day}",
            retry_after_seconds=3600,
        )
    programs = running_programs(session, store_id=store_id, now=now)
    row = Invitation(
        store_id=store_id,
        referrer_customer_id=referrer.id,
        program_id=programs[0].id if programs else None,
        channel=invitation.channel,
        email=recipient if invitation.channel is InvitationChannel.EMAIL else None,
        phone=recipient if invitation.channel is InvitationChannel.SMS else None,
        friend_name=invitation.friend_name,
        note=invitation.note,
        locale=invitation.locale or referrer.locale,
        token=secrets.token_urlsafe(16),
        send_count=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _send(session, invitation=row, referrer=referrer, base_url=base_url, now=now)
    return row


def resend_invitation(
    session: Session,
    *,
    store_id: str,
    referrer_external_id: str,
    invitation_id: int,
    base_url: str,
    limits: InvitationLimits = InvitationLimits(),
    now: datetime | None = None,
) -> Invitation:
    """Send an invitation again.

    Raises:
        NotFound: the customer has no such invitation.
        Conflict: the friend registered already, or unsubscribed or bounced since.
        TooManyRequests: sent too recently, or too often.
    """
    now = now or utc_now()
    referrer = _referrer(session, store_id=store_id, external_id=referrer_external_id)
    row = get_invitation(
        session, store_id=store_id, referrer_customer_id=referrer.id, invitation_id=invitation_id
    )
    if row.registered_at is not None:
        raise Conflict(f"invitation {invitation_id} was accepted; the friend registered already")
    if row.send_count >= limits.max_sends:
        raise TooManyRequests(
            f"invitation {invitation_id} was sent {row.send_count} times, the most allowed",
            retry_after_seconds=86400,
        )
    if row.last_sent_at is not None and now - row.last_sent_at < limits.resend_after:
        wait = limits.resend_after - (now - row.last_sent_at)
        raise TooManyRequests(
            f"invitation {invitation_id} was sent at {row.last_sent_at.isoformat()}; re-send it later",
            retry_after_seconds=max(int(wait.total_seconds()), 1),
        )
    _check_reachable(session, store_id=store_id, channel=row.channel, recipient=row.email or row.phone or "")
    _send(session, invitation=row, referrer=referrer, base_url=base_url, now=now)
    return row


def get_invitation(
    session: Session, *, store_id: str, referrer_customer_id: int, invitation_id: int
) -> Invitation:
    """Raises:
    NotFound: the referrer has no such invitation.
    """
    row = session.scalars(
        select(Invitation).where(
            Invitation.store_id == store_id,
            Invitation.referrer_customer_id == referrer_customer_id,
            Invitation.id == invitation_id,
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no invitation {invitation_id} for this customer")
    return row


def list_invitations(
    session: Session, *, store_id: str, referrer_external_id: str, cursor: str | None, limit: int
) -> Page[Invitation]:
    """Raises:
    NotFound: the store has no such customer.
    """
    referrer = get_customer(session, store_id=store_id, external_id=referrer_external_id)
    query = select(Invitation).where(
        Invitation.store_id == store_id, Invitation.referrer_customer_id == referrer.id
    )
    return paginate(session, query, Invitation.id, cursor=cursor, limit=limit)


def invitation_status(invitation: Invitation) -> str:
    """The furthest step reached: sent, clicked, registered or converted."""
    for step in ("converted", "registered", "clicked", "sent"):
        if getattr(invitation, f"{step}_at") is not None:
            return step
    return "created"


def _referrer(session: Session, *, store_id: str, external_id: str) -> Customer:
    referrer = get_customer(session, store_id=store_id, external_id=external_id)
    if referrer.erased_at is not None:
        raise Conflict(f"customer {external_id!r} was erased and cannot invite anyone")
    return referrer


def _recipient(invitation: InvitationIn) -> str:
    if invitation.channel is InvitationChannel.EMAIL:
        if invitation.email is None:
            raise InvalidInput("an email invitation needs an email", [FieldIssue("email", "required")])
        return invitation.email.lower()
    if invitation.phone is None:
        raise InvalidInput("an SMS invitation needs a phone number", [FieldIssue("phone", "required")])
    return invitation.phone


def _check_reachable(session: Session, *, store_id: str, channel: InvitationChannel, recipient: str) -> None:
    """Raises Conflict when the friend is a customer already, said no to this store, or their mail bounced."""
    column = Customer.email if channel is InvitationChannel.EMAIL else Customer.phone
    owners = list(
        session.execute(
            select(Customer.id, Customer.email_undeliverable_at).where(
                Customer.store_id == store_id, func.lower(column) == recipient.lower()
            )
        )
    )
    if channel is InvitationChannel.EMAIL:
        bounced = session.scalar(
            select(EmailBounce.id)
            .where(
                EmailBounce.store_id == store_id,
                func.lower(EmailBounce.email) == recipient,
                EmailBounce.kind.in_([BounceKind.HARD, BounceKind.COMPLAINT]),
            )
            .limit(1)
        )
        if bounced is not None or any(undeliverable is not None for _, undeliverable in owners):
            raise Conflict(f"mail to {recipient!r} bounced or was reported as spam; no invitation goes there")
    if customers_who_opted_out(session, store_id=store_id, customer_ids=[owner for owner, _ in owners]):
        raise Conflict(f"{recipient!r} unsubscribed from this store's messages; no invitation goes there")
    if owners:
        raise Conflict(f"{recipient!r} is already a customer of this store")


def _send(
    session: Session, *, invitation: Invitation, referrer: Customer, base_url: str, now: datetime
) -> None:
    code = ensure_code(session, store_id=invitation.store_id, customer_id=referrer.id, now=now)
    store = session.get_one(Store, invitation.store_id)
    share_channel = ShareChannel.EMAIL if invitation.channel is InvitationChannel.EMAIL else ShareChannel.SMS
    link = tag_url(referral_link(base_url, code.code, invitation_token=invitation.token), share_channel)
    referrer_name = referrer.name or ("您的好友" if _lang(invitation) == "zh" else "A friend")
    if invitation.channel is InvitationChannel.EMAIL:
        channel, recipient = Channel.EMAIL, invitation.email or ""
        payload: dict[str, object] = {
            "referrer_name": referrer_name, "friend_name": invitation.friend_name, "note": invitation.note,
            "store_name": store.name, "link": link,
        }  # fmt: skip
    else:
        channel, recipient = Channel.SMS, invitation.phone or ""
        text = _SMS_TEXT[_lang(invitation)].format(referrer=referrer_name, store=store.name, link=link)
        payload = {"text": text}
    invitation.send_count += 1
    invitation.last_message_id = enqueue(
        session,
        store_id=invitation.store_id,
        message=NewMessage(
            channel=channel,
            purpose=Purpose.TRANSACTIONAL,
            kind=INVITATION_KIND,
            recipient=recipient,
            payload=payload,
            reason=f"customer {referrer.external_id!r} asked Goodword to invite this friend",
            locale=invitation.locale,
            send_at=now,
            dedupe_key=f"{INVITATION_KIND}:{invitation.id}:{invitation.send_count}",
        ),
    )
    invitation.sent_at = invitation.sent_at or now
    invitation.last_sent_at = now
    session.flush()


def _lang(invitation: Invitation) -> str:
    return "zh" if (invitation.locale or "").lower().startswith("zh") else "en"
