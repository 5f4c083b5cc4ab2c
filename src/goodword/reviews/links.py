"""Signed tokens customers carry in links: review requests and question confirmations, and hashed voter ids.

A token names what it opens (`<store>.<id>.<signature>`) and is signed with the server's secret key under a
purpose of its own, so a question link never opens a review form and a token of one store never opens
another's. Expiry and single use are the rows' business (`expires_at`, `used_at`, `confirmed_at`), not the
token's: that keeps links short and lets a reminder repeat the very link the first email carried.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from goodword.errors import NotFound

REVIEW_REQUEST = "review-request"
QUESTION_CONFIRMATION = "question-confirmation"
_SIGNATURE_BYTES = 16  # 128 bits
_MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True, slots=True)
class TokenTarget:
    store_id: str
    row_id: int


def make_token(secret_key: str, *, purpose: str, store_id: str, row_id: int) -> str:
    return f"{store_id}.{row_id}.{_signature(secret_key, purpose, store_id, row_id)}"


def read_token(secret_key: str, token: str, *, purpose: str) -> TokenTarget:
    """Raises:
    NotFound: the token is malformed or its signature does not match (one answer for both).
    """
    invalid = NotFound(f"this link is not valid: {token[:40]!r}", code="invalid_link")
    if len(token) > _MAX_TOKEN_LENGTH or not token.isascii():
        raise invalid
    store_id, _, rest = token.partition(".")
    row_part, _, signature = rest.partition(".")
    if not (store_id and row_part.isdigit() and len(row_part) <= 18 and signature):
        raise invalid
    row_id = int(row_part)
    expected = _signature(secret_key, purpose, store_id, row_id)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise invalid
    return TokenTarget(store_id, row_id)


def review_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/review/{token}"


def question_confirmation_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/q/confirm/{token}"


def voter_key(secret_key: str, *, customer_id: int | None, email: str | None, ip: str | None) -> str:
    """Who is voting, as stored in `votes.voter`: a customer id when known, else a keyed hash of the email,
    else of the client's address. Keyed (HMAC) so the table cannot be reversed by hashing guessed addresses.
    """
    if customer_id is not None:
        return f"customer:{customer_id}"
    if email:
        return f"email:{_keyed_hash(secret_key, email.strip().lower())}"
    return f"ip:{_keyed_hash(secret_key, ip or 'unknown')}"


def _keyed_hash(secret_key: str, value: str) -> str:
    return hmac.new(secret_key.encode(), b"goodword/voter/v1\n" + value.encode(), hashlib.sha256).hexdigest()[
        :40
    ]


def _signature(secret_key: str, purpose: str, store_id: str, row_id: int) -> str:
    message = f"goodword/{purpose}/v1\n{store_id}\n{row_id}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
