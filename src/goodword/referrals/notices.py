"""Notices to referrers (a friend registered, a friend's first order was paid) and events' referral data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.referrals.models import Referral
from goodword.stores.models import Customer, Store

FRIEND_REGISTERED = "referral_friend_registered"
FRIEND_CONVERTED = "referral_friend_converted"
_SMS_TEXT = {
    (FRIEND_REGISTERED, "en"): "{store}: your friend {friend} joined through your referral. Thank you!",
    (FRIEND_REGISTERED, "zh"): "{store}：您的好友 {friend} 已通过您的推荐注册，谢谢！",  # noqa: RUF001
    (
        FRIEND_CONVERTED,
        "en",
    ): "{store}: your friend {friend} placed their first order. Your reward is on its way.",
    (FRIEND_CONVERTED, "zh"): "{store}：您的好友 {friend} 已完成首单，奖励即将到账。",  # noqa: RUF001
}


def referral_data(session: Session, referral: Referral) -> dict[str, Any]:
    """What `referral.*` events carry: the referral and both customers by the shop's own ids."""
    referrer = session.get_one(Customer, referral.referrer_customer_id)
    referred = session.get_one(Customer, referral.referred_customer_id)
    return {
        "referral_id": referral.id,
        "program_id": referral.program_id,
        "status": referral.status.value,
        "referrer_external_id": referrer.external_id,
        "referred_external_id": referred.external_id,
        "channel": referral.channel,
        "attributed_by": referral.attributed_by.value,
        "variant_id": referral.variant_id,
        "registered_at": referral.registered_at.isoformat(),
        "converted_at": referral.converted_at.isoformat() if referral.converted_at else None,
    }


def notify_referrer(session: Session, *, referral: Referral, kind: str, now: datetime) -> int | None:
    """Tell the referrer, by email (else SMS), what their friend did; once per referral and kind.

    Transactional: it answers the referrer's own invitation. Delivery still skips an address that bounced.
    Returns the outbox message id, or None when the referrer can be reached by neither.
    """
    referrer = session.get_one(Customer, referral.referrer_customer_id)
    if referrer.erased_at is not None:
        return None
    friend = session.get_one(Customer, referral.referred_customer_id)
    store = session.get_one(Store, referral.store_id)
    friend_name = (friend.name or "").split(" ")[0] or ("好友" if _lang(referrer) == "zh" else "a friend")
    payload = {"referrer_name": referrer.name, "friend_name": friend_name, "store_name": store.name}
    if referrer.email is not None and referrer.email_undeliverable_at is None:
        channel, recipient = Channel.EMAIL, referrer.email
    elif referrer.phone is not None:
        channel, recipient = Channel.SMS, referrer.phone
        payload = {"text": _SMS_TEXT[(kind, _lang(referrer))].format(store=store.name, friend=friend_name)}
    else:
        return None
    return enqueue(
        session,
        store_id=referral.store_id,
        message=NewMessage(
            channel=channel,
            purpose=Purpose.TRANSACTIONAL,
            kind=kind,
            recipient=recipient,
            payload=payload,
            reason=f"their friend's referral {referral.id} moved on ({kind.removeprefix('referral_')})",
            customer_id=referrer.id,
            locale=referrer.locale,
            send_at=now,
            dedupe_key=f"{kind}:{referral.id}",
        ),
    )


def _lang(customer: Customer) -> str:
    return "zh" if (customer.locale or "").lower().startswith("zh") else "en"
