"""Identifiers and secrets. Public ids carry a short prefix that says what they are."""

from __future__ import annotations

import hashlib
import secrets


def new_public_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
