"""Share reminders: a nudge to customers who have a referral code but never shared it, on a back-off.

Steps are days after the code was made (a store's `reminder_days`, by default 3, 10 and 30). At each run a
customer gets the step they are due now, once: the outbox's dedupe key `share-reminder:<code>:<step>` makes a
second run, or a late one, write nothing new. A customer who missed a step (the job did not run) gets only the
latest one, never a burst. No reminder after the last step, after sharing (an invitation sent or a click on
their link) or without marketing consent; delivery checks consent, quiet hours and the weekly cap again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from goodword.messaging.models import Channel, OutboxMessage, Purpose
from goodword.messaging.outbox import NewMessage, enqueue_many
from goodword.messaging.share import ShareChannel, tag_url
from goodword.referrals.links import referral_link
from goodword.referrals.models import Invitation, ReferralClick, ReferralCode
from goodword.referrals.ops_policy import policies_by_store
from goodword.stores.models import Customer, Store

KIND = "referral_reminder"


def reminder_key(code_id: int, step: int) -> str:
    return f"share-reminder:{code_id}:{step}"


def send_share_reminders(session: Session, *, now: datetime, public_base_url: str) -> int:
    """Queue the share reminders due now in every store; returns how many were queued (0 on a rerun).

    Each carries the customer's link under `public_base_url`, tagged as shared by email.
    """
    store_ids = list(session.scalars(select(Store.id).order_by(Store.id)))
    policies = policies_by_store(session, store_ids)
    queued = 0
    for store_id in store_ids:
        days = policies[store_id].reminder_days
        for step, day in enumerate(days, start=1):
            until = now - timedelta(days=day)
            since = now - timedelta(days=days[step]) if step < len(days) else None
            queued += _remind(
                session,
                store_id=store_id,
                step=step,
                of=len(days),
                made_before=until,
                made_after=since,
                public_base_url=public_base_url,
            )
    return queued


def _remind(
    session: Session,
    *,
    store_id: str,
    step: int,
    of: int,
    made_before: datetime,
    made_after: datetime | None,
    public_base_url: str,
) -> int:
    query = (
        select(
            ReferralCode.id, ReferralCode.code, Customer.id, Customer.email, Customer.name, Customer.locale
        )
        .join(
            Customer, (Customer.store_id == ReferralCode.store_id) & (Customer.id == ReferralCode.customer_id)
        )
        .where(
            ReferralCode.store_id == store_id,
            ReferralCode.retired_at.is_(None),
            ReferralCode.created_at <= made_before,
            Customer.email.is_not(None),
            Customer.erased_at.is_(None),
            Customer.marketing_consent.is_(True),
            ~exists().where(
                Invitation.store_id == store_id, Invitation.referrer_customer_id == ReferralCode.customer_id
            ),
            ~exists().where(ReferralClick.store_id == store_id, ReferralClick.code_id == ReferralCode.id),
        )
    )
    if made_after is not None:
        query = query.where(ReferralCode.created_at > made_after)
    due = session.execute(query).all()
    if not due:
        return 0
    keys = [reminder_key(code_id, step) for code_id, *_ in due]
    sent = set(
        session.scalars(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.store_id == store_id, OutboxMessage.dedupe_key.in_(keys)
            )
        )
    )
    messages = [
        NewMessage(
            channel=Channel.EMAIL,
            purpose=Purpose.MARKETING,
            kind=KIND,
            recipient=email or "",  # never empty: the query asks for an email
            payload={
                "code": code,
                "link": tag_url(referral_link(public_base_url, code), ShareChannel.EMAIL),
                "name": name,
                "step": step,
                "of": of,
            },
            reason=f"share reminder {step} of {of}: the customer has a referral code and has not shared it",
            customer_id=customer_id,
            locale=locale,
            dedupe_key=reminder_key(code_id, step),
        )
        for code_id, code, customer_id, email, name, locale in due
        if reminder_key(code_id, step) not in sent
    ]
    enqueue_many(session, store_id=store_id, messages=messages)
    return len(messages)
