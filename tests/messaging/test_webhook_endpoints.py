"""Webhook endpoint rules: which URLs are accepted, how rotation keeps a receiver working, who is sent what."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.errors import Conflict, InvalidInput
from goodword.messaging import event_types
from goodword.messaging.endpoints import create_endpoint, rotate_secret, url_issues
from goodword.messaging.events import publish_event, send_test_event
from goodword.messaging.models import OutboxMessage
from tests.factories.stores import StoreAccess

NOON = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/goodword",
        "https://93.184.216.34:8443/in",
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://[fd00::1]/hook",
        "http://receiver:8080/hook",
        "http://erp.internal/hook",
    ],
)
def test_https_anywhere_and_http_on_local_networks_are_accepted(url: str) -> None:
    assert url_issues(url) == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hooks.example.com/goodword", "must use https"),
        ("http://93.184.216.34/in", "must use https"),
        ("ftp://hooks.example.com/", "not an http(s) URL"),
        ("https:///no-host", "not an http(s) URL"),
        ("https://hooks.example.com:99999/", "invalid port"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://hooks.example.com/a b", "whitespace"),
    ],
)
def test_unusable_urls_are_refused_saying_why(url: str, says: str) -> None:
    [issue] = url_issues(url)
    assert issue.field == "url"
    assert says in issue.message


def test_unknown_event_types_are_refused_and_star_stands_alone(session: Session, store: StoreAccess) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_endpoint(
            session, store_id=store.store_id, url="https://a.example.com/", event_types=["order.payed"]
        )
    assert [i.field for i in refused.value.issues] == ["event_types.0"]
    everything = create_endpoint(
        session, store_id=store.store_id, url="https://a.example.com/", event_types=["webhook.test", "*"]
    )
    assert json.loads(everything.event_types) == ["*"]


def test_a_second_rotation_inside_the_overlap_keeps_the_secret_receivers_had(
    session: Session, store: StoreAccess
) -> None:
    # given
    endpoint = create_endpoint(
        session, store_id=store.store_id, url="https://a.example.com/", event_types=["*"]
    )
    original = endpoint.secret
    # when the rotation is retried a minute later (its first answer was lost)
    rotate_secret(session, store_id=store.store_id, endpoint_id=endpoint.id, now=NOON)
    rotated = rotate_secret(
        session, store_id=store.store_id, endpoint_id=endpoint.id, now=NOON + timedelta(minutes=1)
    )
    # then the receiver's original secret still signs, for a full overlap from the retry
    assert rotated.previous_secret == original
    assert rotated.secret != original
    assert rotated.previous_secret_expires_at == NOON + timedelta(minutes=1, hours=24)


def test_a_rotation_without_overlap_drops_the_old_secret_at_once(
    session: Session, store: StoreAccess
) -> None:
    endpoint = create_endpoint(
        session, store_id=store.store_id, url="https://a.example.com/", event_types=["*"]
    )
    rotated = rotate_secret(session, store_id=store.store_id, endpoint_id=endpoint.id, overlap=timedelta(0))
    assert (rotated.previous_secret, rotated.previous_secret_expires_at) == (None, None)


def test_an_event_goes_only_to_enabled_endpoints_subscribed_to_it(
    session: Session, store: StoreAccess, other_store: StoreAccess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given endpoints that subscribe to everything, to something else, or are disabled, and one elsewhere
    def endpoint(store_id: str, event_types: list[str]) -> int:
        return create_endpoint(
            session, store_id=store_id, url="https://a.example.com/", event_types=event_types
        ).id

    everything = endpoint(store.store_id, ["*"])
    endpoint(store.store_id, ["webhook.test"])
    disabled = create_endpoint(
        session, store_id=store.store_id, url="https://b.example.com/", event_types=["*"]
    )
    disabled.enabled = False
    endpoint(other_store.store_id, ["*"])
    # when an event no one names explicitly is published (registered for this test only)
    monkeypatch.setitem(event_types.EVENT_TYPES, "order.paid", "an order was paid")
    published = publish_event(session, store_id=store.store_id, event_type="order.paid", data={"n": 1})
    # then only the endpoint subscribed to everything gets it
    [sent] = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(published.message_ids)))
    assert sent.endpoint_id == everything


def test_an_unknown_event_type_cannot_be_published(session: Session, store: StoreAccess) -> None:
    with pytest.raises(InvalidInput):
        publish_event(session, store_id=store.store_id, event_type="order.payed", data={})


def test_a_disabled_endpoint_cannot_be_sent_a_test_event(session: Session, store: StoreAccess) -> None:
    endpoint = create_endpoint(
        session, store_id=store.store_id, url="https://a.example.com/", event_types=["*"]
    )
    endpoint.enabled = False
    with pytest.raises(Conflict):
        send_test_event(session, store_id=store.store_id, endpoint_id=endpoint.id)
