"""Signatures for outgoing webhooks, per the Standard Webhooks specification (https://www.standardwebhooks.com/).

A receiver recomputes HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` with the shared key and
compares it with each `v1,` entry of `webhook-signature`. While a rotated-out secret is still in its overlap,
both secrets sign, so a receiver holding either one verifies.

>>> secret = "whsec_" + base64.b64encode(bytes(32)).decode()
>>> signature_header(secrets=[secret], webhook_id="msg_1", timestamp=1700000000, body=b'{"a":1}')
'v1,HA9nSvEEuynF+mEPWgOAUWbrVA21G6kMzfOt+yEvB3I='
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as random_source
from collections.abc import Sequence
from datetime import datetime

from goodword.clock import as_utc

SECRET_PREFIX = "whsec_"  # noqa: S105 - the specification's label on every secret, not a secret
# The specification asks for 24 to 64 random bytes; 32 matches the HMAC-SHA256 block of work.
SECRET_BYTES = 32


def new_signing_secret() -> str:
    """A fresh `whsec_...` secret: the prefix and 32 random bytes in standard base64."""
    return SECRET_PREFIX + base64.b64encode(random_source.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a `whsec_` secret stands for.

    Raises:
        ValueError: the secret is not `whsec_` followed by base64.
    """
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise ValueError(f"a webhook secret must be 'whsec_' and base64, not {secret[:10]!r}...") from None
    if not key:
        raise ValueError("a webhook secret may not be empty")
    return key


def sign(*, key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64 HMAC-SHA256>` entry."""
    signed = b"%s.%d.%s" % (webhook_id.encode(), timestamp, body)
    return "v1," + base64.b64encode(hmac.digest(key, signed, hashlib.sha256)).decode()


def signature_header(*, secrets: Sequence[str], webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: one entry per secret, separated by spaces."""
    return " ".join(
        sign(key=secret_key(s), webhook_id=webhook_id, timestamp=timestamp, body=body) for s in secrets
    )


def active_secrets(
    *, secret: str, previous_secret: str | None, previous_expires_at: datetime | None, now: datetime
) -> tuple[str, ...]:
    """The secrets that sign at `now`: the current one, and the previous one while its overlap lasts."""
    if previous_secret and previous_expires_at is not None and as_utc(previous_expires_at) > now:
        return (secret, previous_secret)
    return (secret,)
