"""Unsubscribe links and the unsubscribe itself.

A link carries a token that names the store and the customer and is signed with the server's secret key, so the
link alone is the capability: no login, no cookie, no expiry (an old newsletter must still let someone leave).
Signing binds the token to one store, so a token for one shop never unsubscribes anyone from another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import NotFound
from goodword.stores.models import ConsentEvent, Customer, Store

# Where a consent event came from, as recorded in ConsentEvent.source.
FROM_LINK = "unsubscribe-link"
FROM_ONE_CLICK = "list-unsubscribe-post"  # RFC 8058: the mail client's own unsubscribe button
FROM_API = "unsubscribe-api"

_DOMAIN = b"goodword/unsubscribe/v1"  # keeps these signatures apart from anything else the secret signs
_SIGNATURE_BYTES = 16  # 128 bits: far beyond guessing, and the link stays short
_MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True, slots=True)
class UnsubscribeTarget:
    store_id: str
    customer_id: int


@dataclass(frozen=True, slots=True)
class Subscription:
    """What the public unsubscribe page shows: whose list it is and whether the customer is still on it."""

    store_name: str
    marketing_consent: bool


def make_token(secret_key: str, *, store_id: str, customer_id: int) -> str:
    """A URL-safe token naming this customer of this store, e.g. `st_1a2b….42.Xy3…`."""
    return f"{store_id}.{customer_id}.{_signature(secret_key, store_id, customer_id)}"


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/u/{token}"


def read_token(secret_key: str, token: str) -> UnsubscribeTarget:
    """Raises:
    NotFound: the token is malformed or its signature does not match (the same answer for both).
    """
    invalid = NotFound("this unsubscribe link is not valid", code="invalid_unsubscribe_link")
    if len(token) > _MAX_TOKEN_LENGTH or not token.isascii():
        raise invalid
    store_id, _, rest = token.partition(".")
    customer_part, _, signature = rest.partition(".")
    if not (store_id and customer_part.isdigit() and len(customer_part) <= 19 and signature):
        raise invalid
    customer_id = int(customer_part)
    expected = _signature(secret_key, store_id, customer_id)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise invalid
    return UnsubscribeTarget(store_id, customer_id)


def unsubscribe(
    session: Session,
    *,
    store_id: str,
    source: str,
    customer_id: int | None = None,
    external_id: str | None = None,
) -> Customer:
    """Withdraw the customer's marketing consent and record where that came from; a repeat changes nothing.

    Raises:
        NotFound: the store has no such customer.
    """
    customer = _find_customer(session, store_id=store_id, customer_id=customer_id, external_id=external_id)
    now = utc_now()
    # Conditional on consent still being given, so two simultaneous unsubscribes record one event, not two.
    changed = session.execute(
        update(Customer)
        .where(Customer.id == customer.id, Customer.marketing_consent.is_(True))
        .values(marketing_consent=False, updated_at=now)
        .returning(Customer.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if changed is not None:
        session.execute(
            insert(ConsentEvent).values(
                store_id=store_id, customer_id=customer.id, granted=False, source=source, recorded_at=now
            )
        )
    session.refresh(customer)
    return customer


def subscription_for(session: Session, *, secret_key: str, token: str) -> Subscription:
    """What an unsubscribe link points at, for the page that asks to confirm.

    Raises:
        NotFound: the token is not valid, or its customer or store no longer exists.
    """
    target = read_token(secret_key, token)
    customer = _find_customer(session, store_id=target.store_id, customer_id=target.customer_id)
    return Subscription(_store_name(session, target.store_id), customer.marketing_consent)


def unsubscribe_by_token(session: Session, *, secret_key: str, token: str, source: str) -> Subscription:
    """Raises:
    NotFound: the token is not valid, or its customer or store no longer exists.
    """
    target = read_token(secret_key, token)
    customer = unsubscribe(session, store_id=target.store_id, customer_id=target.customer_id, source=source)
    return Subscription(_store_name(session, target.store_id), customer.marketing_consent)


def _signature(secret_key: str, store_id: str, customer_id: int) -> str:
    message = b"\n".join((_DOMAIN, store_id.encode(), str(customer_id).encode()))
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _find_customer(
    session: Session, *, store_id: str, customer_id: int | None = None, external_id: str | None = None
) -> Customer:
    query = select(Customer).where(Customer.store_id == store_id)
    if customer_id is not None:
        query = query.where(Customer.id == customer_id)
    elif external_id is not None:
        query = query.where(Customer.external_id == external_id)
    else:
        raise ValueError("name the customer by customer_id or external_id")
    customer = session.scalars(query).one_or_none()
    if customer is None:
        raise NotFound(f"no customer {external_id if external_id is not None else customer_id!r}")
    return customer


def _store_name(session: Session, store_id: str) -> str:
    name = session.scalar(select(Store.name).where(Store.id == store_id))
    if name is None:
        raise NotFound(f"no store {store_id!r}")
    return name
