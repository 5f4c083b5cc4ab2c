"""Our Standard Webhooks signatures, checked against the independent `standardwebhooks` package."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from goodword.messaging.signing import (
    SECRET_PREFIX,
    active_secrets,
    new_signing_secret,
    secret_key,
    signature_header,
)

BODY = '{"type":"webhook.test","data":{"note":"茶"}}'.encode()


def headers_for(secrets: list[str], *, body: bytes = BODY) -> dict[str, str]:
    timestamp = int(datetime.now(UTC).timestamp())
    return {
        "webhook-id": "event:evt_1:7",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            secrets=secrets, webhook_id="event:evt_1:7", timestamp=timestamp, body=body
        ),
    }


def test_a_new_secret_is_the_prefix_and_32_random_bytes_in_base64() -> None:
    secret = new_signing_secret()
    assert secret.startswith(SECRET_PREFIX)
    assert len(base64.b64decode(secret.removeprefix(SECRET_PREFIX))) == 32
    assert secret != new_signing_secret()


def test_the_independent_verifier_accepts_our_signature() -> None:
    secret = new_signing_secret()
    assert Webhook(secret).verify(BODY, headers_for([secret])) == {
        "type": "webhook.test",
        "data": {"note": "茶"},
    }


def test_with_two_secrets_either_one_verifies() -> None:
    old, new = new_signing_secret(), new_signing_secret()
    headers = headers_for([new, old])
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)
    assert len(headers["webhook-signature"].split(" ")) == 2


def test_a_changed_body_or_another_secret_does_not_verify() -> None:
    secret = new_signing_secret()
    headers = headers_for([secret])
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"test", b"tset"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_signing_secret()).verify(BODY, headers)


def test_a_secret_that_is_not_base64_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'whsec_not"):
        secret_key("whsec_not base64!")


def test_the_previous_secret_signs_only_until_its_overlap_ends() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    during = active_secrets(
        secret="new", previous_secret="old", previous_expires_at=now + timedelta(seconds=1), now=now
    )
    after = active_secrets(secret="new", previous_secret="old", previous_expires_at=now, now=now)
    assert (during, after) == (("new", "old"), ("new",))
