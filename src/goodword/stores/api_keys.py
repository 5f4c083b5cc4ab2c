"""API keys: shown once, stored as a SHA-256 of their secret part, revocable, read or write scoped."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import NotFound, Unauthorized
from goodword.ids import sha256_hex
from goodword.stores.models import ApiKey, ApiKeyScope

_TOKEN_PREFIX = "gw"  # noqa: S105 - a label on every key, not a secret


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    token: str  # the only time the whole key exists outside the caller's hands


def issue_api_key(session: Session, *, store_id: str, name: str, scope: ApiKeyScope) -> IssuedApiKey:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    # Keys carry 256 random bits, so a fast hash is enough: there is nothing to brute-force from the digest.
    api_key = ApiKey(store_id=store_id, name=name, prefix=prefix, secret_hash=sha256_hex(secret), scope=scope)
    session.add(api_key)
    session.flush()
    return IssuedApiKey(api_key, f"{_TOKEN_PREFIX}_{prefix}_{secret}")


def authenticate(session: Session, *, token: str) -> ApiKey:
    """The live key this token belongs to.

    Raises:
        Unauthorized: malformed, unknown or revoked; the message never says which.
    """
    kind, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    api_key = None
    if kind == _TOKEN_PREFIX and prefix and secret:
        api_key = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()
    if (
        api_key is None
        or api_key.revoked_at is not None
        or not hmac.compare_digest(api_key.secret_hash, sha256_hex(secret))
    ):
        raise Unauthorized("the API key is missing, malformed, unknown or revoked")
    return api_key


def list_api_keys(session: Session, *, store_id: str) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.store_id == store_id).order_by(ApiKey.id)))


def revoke_api_key(session: Session, *, store_id: str, api_key_id: int) -> ApiKey:
    """Raises:
    NotFound: the store has no key with this id.
    """
    api_key = session.scalars(
        select(ApiKey).where(ApiKey.store_id == store_id, ApiKey.id == api_key_id)
    ).one_or_none()
    if api_key is None:
        raise NotFound(f"no API key {api_key_id}")
    if api_key.revoked_at is None:
        api_key.revoked_at = utc_now()
        session.flush()
    return api_key
