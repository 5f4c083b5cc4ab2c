"""One customer's data across every domain, for the rights of access and erasure.

Each domain knows its own tables (`stores`, `messaging`, `rewards`, `referrals`, `reviews` each have a
`privacy` module); this puts them together so that an export misses nothing and an erasure reaches everything,
in one unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.messaging import privacy as messaging_privacy
from goodword.referrals import privacy as referral_privacy
from goodword.reviews import privacy as review_privacy
from goodword.rewards import privacy as reward_privacy
from goodword.stores.customers import get_customer
from goodword.stores.models import Customer


def export_customer(session: Session, *, store_id: str, external_id: str) -> dict[str, Any]:
    """Everything Goodword holds about the customer, as JSON-ready data.

    Raises:
        NotFound: the store has no such customer.
    """
    data = messaging_privacy.export_customer(session, store_id=store_id, external_id=external_id)
    customer = get_customer(session, store_id=store_id, external_id=external_id)
    data["rewards"] = reward_privacy.export_customer(session, store_id=store_id, customer_id=customer.id)
    data.update(referral_privacy.export_customer(session, store_id=store_id, customer=customer))
    data.update(review_privacy.export_customer(session, store_id=store_id, customer=customer))
    return data


def erase_customer(
    session: Session, *, store_id: str, external_id: str, now: datetime | None = None
) -> Customer:
    """Remove the customer's personal data everywhere; orders, ledger entries and reviews stay, pseudonymized.

    Raises:
        NotFound: the store has no such customer.
    """
    now = now or utc_now()
    # The domains that match by email look before the customer's email is erased.
    customer = get_customer(session, store_id=store_id, external_id=external_id)
    review_privacy.erase_customer(session, store_id=store_id, customer=customer)
    referral_privacy.erase_customer(session, store_id=store_id, customer=customer, now=now)
    erased = messaging_privacy.erase_customer(session, store_id=store_id, external_id=external_id, now=now)
    reward_privacy.erase_member(session, store_id=store_id, customer_id=erased.id, now=now)
    return erased
