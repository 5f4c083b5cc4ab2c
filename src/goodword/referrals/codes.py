"""Customers' referral codes: short, stable, unique across stores (the link `/r/{code}` names no store)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import Conflict
from goodword.referrals.models import ReferralCode
from goodword.stores.customers import get_customer

_codes = cast(Table, ReferralCode.__table__)
# No 0/O, 1/I/L: a code read aloud or typed at checkout survives the confusion.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 codes: guessing a live one is hopeless within the rate limit
_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class CodeOwner:
    """What the redirect needs to know about a code, in one read."""

    code_id: int
    store_id: str
    customer_id: int
    retired: bool


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """Codes are typed by people: case and surrounding spaces do not matter."""
    return code.strip().upper()


def code_for_customer(
    session: Session, *, store_id: str, external_id: str, now: datetime | None = None
) -> ReferralCode:
    """The customer's code, made on first use and the same ever after.

    Raises:
        NotFound: the store has no such customer.
        Conflict: the customer was erased.
    """
    customer = get_customer(session, store_id=store_id, external_id=external_id)
    if customer.erased_at is not None:
        raise Conflict(f"customer {external_id!r} was erased and cannot refer anyone")
    return ensure_code(session, store_id=store_id, customer_id=customer.id, now=now)


def ensure_code(
    session: Session, *, store_id: str, customer_id: int, now: datetime | None = None
) -> ReferralCode:
    """The code of a customer known to exist, made on first use; concurrent first uses agree on one."""
    now = now or utc_now()
    for _ in range(_ATTEMPTS):
        existing = _code_of(session, store_id=store_id, customer_id=customer_id)
        if existing is not None:
            return existing
        # ON CONFLICT without a target covers both keys: another request made this customer's code first
        # (found by the next read), or the random code is taken in some store (the next loop draws again).
        session.execute(
            insert_for(session, _codes)
            .values(store_id=store_id, customer_id=customer_id, code=new_code(), created_at=now)
            .on_conflict_do_nothing()
        )
    raise RuntimeError(f"no free referral code after {_ATTEMPTS} attempts")  # pragma: no cover


def _code_of(session: Session, *, store_id: str, customer_id: int) -> ReferralCode | None:
    return session.scalars(
        select(ReferralCode).where(ReferralCode.store_id == store_id, ReferralCode.customer_id == customer_id)
    ).one_or_none()


def find_code_owner(session: Session, *, code: str) -> CodeOwner | None:
    """Who owns `code`, in any store; None for a code nobody has. (The public redirect's only lookup.)"""
    row = session.execute(
        select(_codes.c.id, _codes.c.store_id, _codes.c.customer_id, _codes.c.retired_at).where(
            _codes.c.code == normalize_code(code)
        )
    ).one_or_none()
    if row is None:
        return None
    return CodeOwner(code_id=row[0], store_id=row[1], customer_id=row[2], retired=row[3] is not None)


def find_store_code(session: Session, *, store_id: str, code: str) -> ReferralCode | None:
    """The store's live code `code` (typed at checkout), or None."""
    return session.scalars(
        select(ReferralCode).where(
            ReferralCode.store_id == store_id,
            ReferralCode.code == normalize_code(code),
            ReferralCode.retired_at.is_(None),
        )
    ).one_or_none()
