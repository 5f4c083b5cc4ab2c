"""A store's webhook endpoints: create, list, read, delete, rotate the secret, and read the delivery log.

URLs: https anywhere; plain http only to hosts on a network the operator controls (loopback, private
addresses, `localhost`, `*.local`, `*.internal`, single-label names such as a compose service), where TLS is
often not set up and the traffic never crosses the internet. Link-local, multicast and unspecified addresses
are refused whatever the scheme: 169.254.169.254 is the cloud metadata service, never a webhook receiver.
Names are not resolved here; a receiver's address may change after it is registered.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.clock import as_utc, utc_now
from goodword.errors import FieldIssue, InvalidInput, NotFound
from goodword.messaging.event_types import check_event_types
from goodword.messaging.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from goodword.messaging.signing import new_signing_secret
from goodword.stores.pagination import Page, paginate

DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
MAX_URL_LENGTH = 2000
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def create_endpoint(
    session: Session, *, store_id: str, url: str, event_types: list[str], description: str | None = None
) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret, enabled at once.

    Raises:
        InvalidInput: the URL is not usable (see the module's rules) or an event type is unknown.
    """
    issues = url_issues(url)
    try:
        subscribed = check_event_types(event_types)
    except InvalidInput as error:
        issues += error.issues
    if issues:
        raise InvalidInput("the webhook endpoint is not usable", issues)
    endpoint = WebhookEndpoint(
        store_id=store_id,
        url=url,
        description=description,
        event_types=json.dumps(subscribed),
        secret=new_signing_secret(),
        enabled=True,
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def list_endpoints(
    session: Session, *, store_id: str, cursor: str | None, limit: int
) -> Page[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.store_id == store_id, WebhookEndpoint.deleted_at.is_(None)
    )
    return paginate(session, query, WebhookEndpoint.id, cursor=cursor, limit=limit)


def get_endpoint(session: Session, *, store_id: str, endpoint_id: int) -> WebhookEndpoint:
    """Raises:
    NotFound: the store has no such endpoint, or it was deleted.
    """
    endpoint = session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.store_id == store_id,
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.deleted_at.is_(None),
        )
    ).one_or_none()
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return endpoint


def delete_endpoint(
    session: Session, *, store_id: str, endpoint_id: int, now: datetime | None = None
) -> WebhookEndpoint:
    """Mark the endpoint deleted; the row stays for its delivery log, and the worker suppresses what is
    still pending for it when it comes due.

    Raises:
        NotFound: the store has no such endpoint, or it was deleted already.
    """
    endpoint = get_endpoint(session, store_id=store_id, endpoint_id=endpoint_id)
    endpoint.deleted_at = now or utc_now()
    session.flush()
    return endpoint


def rotate_secret(
    session: Session,
    *,
    store_id: str,
    endpoint_id: int,
    overlap: timedelta = DEFAULT_ROTATION_OVERLAP,
    now: datetime | None = None,
) -> WebhookEndpoint:
    """Give the endpoint a new secret; the old one keeps signing beside it until `overlap` has passed.

    A second rotation inside an overlap keeps the secret the receiver had before the first one and drops
    the first one's new secret, which was shown once moments ago and is presumed lost (a retried request).
    An `overlap` of zero drops every old secret at once, as after a leak.

    Raises:
        NotFound: the store has no such endpoint, or it was deleted.
    """
    endpoint = get_endpoint(session, store_id=store_id, endpoint_id=endpoint_id)
    now = now or utc_now()
    in_overlap = (
        endpoint.previous_secret is not None
        and endpoint.previous_secret_expires_at is not None
        and as_utc(endpoint.previous_secret_expires_at) > now
    )
    if overlap <= timedelta(0):
        endpoint.previous_secret = endpoint.previous_secret_expires_at = None
    else:
        endpoint.previous_secret = endpoint.previous_secret if in_overlap else endpoint.secret
        endpoint.previous_secret_expires_at = now + overlap
    endpoint.secret = new_signing_secret()
    session.flush()
    return endpoint


@dataclass(frozen=True)
class Delivery:
    """One attempt at delivering one event to an endpoint, as the delivery log shows it."""

    id: int
    message_id: int
    event_type: str
    attempt: int
    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    started_at: datetime


def list_deliveries(
    session: Session, *, store_id: str, endpoint_id: int, cursor: str | None, limit: int
) -> Page[Delivery]:
    """Every attempt at the endpoint's messages, oldest first.

    Raises:
        NotFound: the store has no such endpoint, or it was deleted.
    """
    get_endpoint(session, store_id=store_id, endpoint_id=endpoint_id)
    its_messages = select(OutboxMessage.id).where(
        OutboxMessage.store_id == store_id, OutboxMessage.endpoint_id == endpoint_id
    )
    query = select(DeliveryAttempt).where(
        DeliveryAttempt.store_id == store_id, DeliveryAttempt.message_id.in_(its_messages)
    )
    page = paginate(session, query, DeliveryAttempt.id, cursor=cursor, limit=limit)
    kinds = dict(
        session.execute(
            select(OutboxMessage.id, OutboxMessage.kind).where(
                OutboxMessage.id.in_({a.message_id for a in page.items})
            )
        ).all()
    )
    deliveries = [
        Delivery(
            id=a.id,
            message_id=a.message_id,
            event_type=kinds[a.message_id],
            attempt=a.attempt,
            succeeded=a.succeeded,
            status_code=a.status_code,
            error=a.error,
            duration_ms=a.duration_ms,
            started_at=as_utc(a.started_at),
        )
        for a in page.items
    ]
    return Page(deliveries, page.next_cursor)


def event_types_of(endpoint: WebhookEndpoint) -> list[str]:
    subscribed: list[str] = json.loads(endpoint.event_types)
    return subscribed


def url_issues(url: str) -> list[FieldIssue]:
    """What is wrong with `url` as a webhook receiver's address; empty when nothing is."""
    if len(url) > MAX_URL_LENGTH:
        return [FieldIssue("url", f"at most {MAX_URL_LENGTH} characters")]
    if any(c.isspace() or not c.isprintable() for c in url):
        return [FieldIssue("url", f"{url!r} holds whitespace or control characters")]
    parts = urllib.parse.urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("https", "http") or not host:
        return [FieldIssue("url", f"{url!r} is not an http(s) URL with a host")]
    try:
        parts.port  # noqa: B018 - reading it is the check: a port outside 0-65535 raises
    except ValueError:
        return [FieldIssue("url", f"{url!r} has an invalid port")]
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (address.is_link_local or address.is_multicast or address.is_unspecified):
        return [FieldIssue("url", f"{host!r} is a link-local, multicast or unspecified address")]
    if scheme == "http" and not _on_local_network(host, address):
        return [FieldIssue("url", f"{url!r} must use https; plain http is only for local or private hosts")]
    return []


def _on_local_network(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if address is not None:
        return address.is_loopback or address.is_private
    return host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host
