"""A customer's referral link and its share links per channel (email, SMS, WeChat and QQ by QR, WhatsApp...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from goodword.messaging import share
from goodword.referrals.codes import code_for_customer
from goodword.stores.customers import get_customer
from goodword.stores.models import Store

INVITATION_PARAMETER = "inv"
_TEXT = {
    "en": "Join me at {store} and get a welcome gift:",
    "zh": "和我一起逛 {store}，注册即得新人礼：",  # noqa: RUF001
}


@dataclass(frozen=True)
class ReferralLinks:
    code: str
    link: str
    share_links: list[share.ShareLink]


def referral_link(base_url: str, code: str, *, invitation_token: str | None = None) -> str:
    """`{base_url}/r/{code}`, carrying the invitation's token when it comes from an invitation.

    >>> referral_link("https://gw.example/", "AB23CD45")
    'https://gw.example/r/AB23CD45'
    """
    link = f"{base_url.rstrip('/')}/r/{code}"
    if invitation_token is not None:
        link += "?" + urlencode({INVITATION_PARAMETER: invitation_token})
    return link


def share_text(store_name: str, locale: str | None) -> str:
    language = "zh" if (locale or "").lower().startswith("zh") else "en"
    return _TEXT[language].format(store=store_name)


def links_for_customer(
    session: Session, *, store_id: str, external_id: str, base_url: str, now: datetime | None = None
) -> ReferralLinks:
    """The customer's code, link and share links for every channel, each tagged with its channel.

    Raises:
        NotFound: the store has no such customer.
        Conflict: the customer was erased.
    """
    code = code_for_customer(session, store_id=store_id, external_id=external_id, now=now)
    customer = get_customer(session, store_id=store_id, external_id=external_id)
    store = session.get_one(Store, store_id)
    link = referral_link(base_url, code.code)
    text = share_text(store.name, customer.locale)
    return ReferralLinks(code=code.code, link=link, share_links=share.share_links(link, text))
