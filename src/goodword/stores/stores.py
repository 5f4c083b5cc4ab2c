"""Creating stores and the secrets they sign webhooks with."""

from __future__ import annotations

from sqlalchemy.orm import Session

from goodword.errors import NotFound
from goodword.ids import new_public_id, new_secret
from goodword.stores.models import Store


def create_store(
    session: Session, *, name: str, default_currency: str = "USD", shop_url: str | None = None
) -> Store:
    store = Store(
        id=new_public_id("st"),
        name=name,
        webhook_secret=new_secret("whsec"),
        default_currency=default_currency,
        shop_url=shop_url,
    )
    session.add(store)
    session.flush()
    return store


def get_store(session: Session, *, store_id: str) -> Store:
    """Raises:
    NotFound: no store has this id.
    """
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"no store {store_id!r}")
    return store


def rotate_webhook_secret(session: Session, *, store_id: str) -> Store:
    store = get_store(session, store_id=store_id)
    store.webhook_secret = new_secret("whsec")
    session.flush()
    return store
