"""Two stores, every endpoint: one store's key never reads, changes or reveals another store's rows.

The cases are keyed by (method, path) and checked against the OpenAPI document, so a new endpoint without
an isolation case here, or in the domain's own `test_isolation_<domain>.py` listed in `DOMAIN_CASES`, fails
the suite.
"""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.messaging.endpoints import create_endpoint, get_endpoint
from goodword.messaging.models import MessageStatus
from goodword.messaging.outbox import get_message
from goodword.stores import api_keys, customers, orders, products, ties
from goodword.stores.inputs import CustomerIn, OrderIn, ProductIn, TieIn
from tests.api import (
    test_isolation_public_reviews,
    test_isolation_questions,
    test_isolation_referral_ops,
    test_isolation_referrals,
    test_isolation_reviews,
    test_isolation_rewards,
)
from tests.api.assertions import assert_problem
from tests.api.isolation import isolation_cases, not_found, only_intruder_rows, own_rows
from tests.factories.messaging import fail_permanently, make_message
from tests.factories.stores import (
    StoreAccess,
    customer_payload,
    order_event_payload,
    order_payload,
    product_payload,
    signed_webhook,
)


@dataclass(frozen=True)
class Seeded:
    """What the first store holds; the other store holds look-alikes under the same external ids."""

    owner: StoreAccess
    intruder: StoreAccess
    tie_id: int
    api_key_id: int
    message_id: int = 0  # the owner's dead message
    endpoint_id: int = 0  # the owner's webhook endpoint


def _seed(session: Session, owner: StoreAccess, intruder: StoreAccess) -> Seeded:
    # Seeded through the services, which is quicker than through HTTP; each case then goes through HTTP.
    tie_ids = []
    for store, label in ((owner, "owner"), (intruder, "intruder")):
        people = [
            CustomerIn.model_validate(
                customer_payload(external_id=f"{label}-{n}", email=f"{label}{n}@example.com")
            )
            for n in (1, 2)
        ]
        customers.upsert_customers(session, store_id=store.store_id, customers=people, source="test")
        products.upsert_products(
            session,
            store_id=store.store_id,
            products=[ProductIn.model_validate(product_payload(sku=f"SKU-{label}"))],
        )
        order = OrderIn.model_validate(
            order_payload(external_id=f"order-{label}", customer_external_id=f"{label}-1")
        )
        orders.upsert_orders(session, store_id=store.store_id, orders=[order], source="test")
        tie = TieIn(from_external_id=f"{label}-1", to_external_id=f"{label}-2")
        [(recorded, _)] = ties.record_ties(session, store_id=store.store_id, ties=[tie])
        tie_ids.append(recorded.id)
    api_key_id = api_keys.list_api_keys(session, store_id=owner.store_id)[0].id
    message_ids = [make_message(session, store_id=store.store_id) for store in (owner, intruder)]
    fail_permanently(session)
    endpoint_ids = [
        create_endpoint(
            session, store_id=store.store_id, url=f"https://{label}.example.com/hook", event_types=["*"]
        ).id
        for store, label in ((owner, "owner"), (intruder, "intruder"))
    ]
    return Seeded(
        owner, intruder, tie_ids[0], api_key_id, message_id=message_ids[0], endpoint_id=endpoint_ids[0]
    )


def _owner_unchanged(session: Session, seeded: Seeded) -> None:
    session.expire_all()  # the requests wrote with Core statements the identity map has not seen
    owner = seeded.owner.store_id
    customer = customers.get_customer(session, store_id=owner, external_id="owner-1")
    assert (customer.email, customer.erased_at) == ("owner1@example.com", None)
    assert orders.get_order(session, store_id=owner, external_id="order-owner").total_minor == 2700
    assert products.get_product(session, store_id=owner, sku="SKU-owner").price_minor == 1250
    assert (
        len(
            customers.list_customers(
                session, store_id=owner, filters=customers.CustomerFilter(), cursor=None, limit=10
            ).items
        )
        == 2
    )
    assert [k.revoked_at for k in api_keys.list_api_keys(session, store_id=owner)] == [None, None]
    message = get_message(session, store_id=owner, message_id=seeded.message_id)
    assert message.status is MessageStatus.DEAD
    endpoint = get_endpoint(session, store_id=owner, endpoint_id=seeded.endpoint_id)
    assert (endpoint.enabled, endpoint.previous_secret) == (True, None)


def _upsert_own(path: str, body: object, expected: int) -> Callable[[TestClient, Seeded], None]:
    def check(client: TestClient, seeded: Seeded) -> None:
        response = client.post(path, json=body, headers=seeded.intruder.writer)
        assert response.status_code == expected, response.text

    return check


def _refers_to_owner_customers(
    path: str, body: object, fields: list[str]
) -> Callable[[TestClient, Seeded], None]:
    def check(client: TestClient, seeded: Seeded) -> None:
        response = client.post(path, json=body, headers=seeded.intruder.writer)
        assert_problem(response, 422, "invalid_input")
        assert [e["field"] for e in response.json()["errors"]] == fields

    return check


def _list_api_keys(client: TestClient, seeded: Seeded) -> None:
    keys = client.get("/api/v1/api-keys", headers=seeded.intruder.writer).json()
    owner_ids = {k["id"] for k in client.get("/api/v1/api-keys", headers=seeded.owner.writer).json()}
    assert keys
    assert not owner_ids & {k["id"] for k in keys}


def _issue_api_key(client: TestClient, seeded: Seeded) -> None:
    issued = client.post(
        "/api/v1/api-keys", json={"name": "mine", "scope": "write"}, headers=seeded.intruder.writer
    )
    new_key = {"Authorization": f"Bearer {issued.json()['key']}"}
    assert client.get("/api/v1/customers/owner-1", headers=new_key).status_code == 404


def _webhook_for_owner_signed_by_intruder(client: TestClient, seeded: Seeded) -> None:
    event = order_event_payload(external_id="order-owner", total_minor=1)
    body, headers = signed_webhook(seeded.intruder, event)
    response = client.post(
        "/api/v1/webhooks/orders",
        content=body,
        headers={**headers, "X-Goodword-Store": seeded.owner.store_id},
    )
    assert_problem(response, 401, "bad_signature")
    own = client.post("/api/v1/webhooks/orders", content=body, headers=headers)
    assert own.json()["status"] == "applied"


def _public(path: str) -> Callable[[TestClient, Seeded], None]:
    def check(client: TestClient, seeded: Seeded) -> None:
        response = client.get(path)
        assert response.status_code == 200
        only_intruder_rows(response.json())

    return check


def _computed(method: str, path: str, body: object) -> Callable[[TestClient, Seeded], None]:
    """Computed from the request alone: the intruder gets an answer that holds nothing of the owner's."""

    def check(client: TestClient, seeded: Seeded) -> None:
        response = client.request(method, path, json=body, headers=seeded.intruder.reader)
        assert response.status_code == 200, response.text
        assert b"owner" not in response.content

    return check


def _bounce_owner_address(client: TestClient, seeded: Seeded) -> None:
    """A bounce reported by the intruder stops only the intruder's mail, and cannot name the owner's message."""
    report = {"email": "owner1@example.com", "kind": "hard"}
    response = client.post("/api/v1/email-bounces", json=report, headers=seeded.intruder.writer)
    assert response.status_code == 201, response.text
    assert response.json()["customers_stopped"] == 0  # the owner's customer with that address was not touched
    owner_message = {**report, "message_id": seeded.message_id}
    assert_problem(
        client.post("/api/v1/email-bounces", json=owner_message, headers=seeded.intruder.writer),
        404,
        "not_found",
    )


CASES: dict[tuple[str, str], Callable[[TestClient, Seeded], None]] = {
    ("GET", "/api/v1/customers"): own_rows("/api/v1/customers"),
    ("POST", "/api/v1/customers"): _upsert_own(
        "/api/v1/customers", customer_payload(external_id="owner-1"), 201
    ),
    ("POST", "/api/v1/customers/batch"): _upsert_own(
        "/api/v1/customers/batch", {"items": [customer_payload(external_id="owner-1")]}, 200
    ),
    ("GET", "/api/v1/customers/{external_id}"): not_found(
        "GET", "/api/v1/customers/owner-1", "/api/v1/customers/ghost-1"
    ),
    ("GET", "/api/v1/customers/{external_id}/export"): not_found(
        "GET", "/api/v1/customers/owner-1/export", "/api/v1/customers/ghost-1/export"
    ),
    ("POST", "/api/v1/customers/{external_id}/erase"): not_found(
        "POST", "/api/v1/customers/owner-1/erase", "/api/v1/customers/ghost-1/erase"
    ),
    ("GET", "/api/v1/products"): own_rows("/api/v1/products"),
    ("POST", "/api/v1/products"): _upsert_own(
        "/api/v1/products", product_payload(sku="SKU-owner", price_minor=1), 201
    ),
    ("GET", "/api/v1/products/{sku}"): not_found(
        "GET", "/api/v1/products/SKU-owner", "/api/v1/products/SKU-ghost"
    ),
    ("GET", "/api/v1/orders"): own_rows("/api/v1/orders"),
    ("POST", "/api/v1/orders"): _refers_to_owner_customers(
        "/api/v1/orders", order_payload(customer_external_id="owner-1"), ["customer_external_id"]
    ),
    ("POST", "/api/v1/orders/batch"): _refers_to_owner_customers(
        "/api/v1/orders/batch",
        {"items": [order_payload(external_id="order-owner", total_minor=1, customer_external_id="owner-2")]},
        ["items.0.customer_external_id"],
    ),
    ("GET", "/api/v1/orders/{external_id}"): not_found(
        "GET", "/api/v1/orders/order-owner", "/api/v1/orders/order-ghost"
    ),
    ("GET", "/api/v1/ties"): own_rows("/api/v1/ties"),
    ("POST", "/api/v1/ties"): _refers_to_owner_customers(
        "/api/v1/ties",
        {"from_external_id": "owner-2", "to_external_id": "owner-1"},
        ["from_external_id", "to_external_id"],
    ),
    ("GET", "/api/v1/ties/{tie_id}"): not_found(
        "GET", "/api/v1/ties/{seeded.tie_id}", "/api/v1/ties/987654321"
    ),
    ("POST", "/api/v1/webhooks/orders"): _webhook_for_owner_signed_by_intruder,
    ("POST", "/api/v1/api-keys"): _issue_api_key,
    ("GET", "/api/v1/api-keys"): _list_api_keys,
    ("DELETE", "/api/v1/api-keys/{api_key_id}"): not_found(
        "DELETE", "/api/v1/api-keys/{seeded.api_key_id}", "/api/v1/api-keys/987654321"
    ),
    ("GET", "/api/v1/messages"): own_rows("/api/v1/messages"),
    ("GET", "/api/v1/messages/{message_id}"): not_found(
        "GET", "/api/v1/messages/{seeded.message_id}", "/api/v1/messages/987654321"
    ),
    ("POST", "/api/v1/messages/{message_id}/retry"): not_found(
        "POST", "/api/v1/messages/{seeded.message_id}/retry", "/api/v1/messages/987654321/retry"
    ),
    ("POST", "/api/v1/share-links"): _computed(
        "POST", "/api/v1/share-links", {"url": "https://x.example/r/1"}
    ),
    ("GET", "/api/v1/qr"): _computed("GET", "/api/v1/qr?data=https%3A%2F%2Fx.example%2Fr%2F1", None),
    ("GET", "/api/v1/webhook-endpoints"): own_rows("/api/v1/webhook-endpoints"),
    ("POST", "/api/v1/webhook-endpoints"): _upsert_own(
        "/api/v1/webhook-endpoints", {"url": "https://owner.example.com/hook", "event_types": ["*"]}, 201
    ),
    ("GET", "/api/v1/webhook-endpoints/{endpoint_id}"): not_found(
        "GET", "/api/v1/webhook-endpoints/{seeded.endpoint_id}", "/api/v1/webhook-endpoints/987654321"
    ),
    ("DELETE", "/api/v1/webhook-endpoints/{endpoint_id}"): not_found(
        "DELETE", "/api/v1/webhook-endpoints/{seeded.endpoint_id}", "/api/v1/webhook-endpoints/987654321"
    ),
    ("POST", "/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret"): not_found(
        "POST",
        "/api/v1/webhook-endpoints/{seeded.endpoint_id}/rotate-secret",
        "/api/v1/webhook-endpoints/987654321/rotate-secret",
    ),
    ("POST", "/api/v1/webhook-endpoints/{endpoint_id}/test"): not_found(
        "POST",
        "/api/v1/webhook-endpoints/{seeded.endpoint_id}/test",
        "/api/v1/webhook-endpoints/987654321/test",
    ),
    ("GET", "/api/v1/webhook-endpoints/{endpoint_id}/deliveries"): not_found(
        "GET",
        "/api/v1/webhook-endpoints/{seeded.endpoint_id}/deliveries",
        "/api/v1/webhook-endpoints/987654321/deliveries",
    ),
    ("POST", "/api/v1/customers/{external_id}/unsubscribe"): not_found(
        "POST", "/api/v1/customers/owner-1/unsubscribe", "/api/v1/customers/ghost-1/unsubscribe"
    ),
    ("POST", "/api/v1/email-bounces"): _bounce_owner_address,
    ("GET", "/healthz"): _public("/healthz"),
    ("GET", "/readyz"): _public("/readyz"),
}


# Later domains keep their cases beside their own seeding; each module has a `CASES` dict keyed like ours.
DOMAIN_CASES = (
    test_isolation_rewards,
    test_isolation_referrals,
    test_isolation_referral_ops,
    test_isolation_reviews,
    test_isolation_questions,
    test_isolation_public_reviews,
)


def test_every_endpoint_in_the_openapi_document_has_an_isolation_case(app: FastAPI) -> None:
    # given
    documented = {
        (method.upper(), path) for path, operations in app.openapi()["paths"].items() for method in operations
    }
    covered = set(CASES).union(*(module.CASES for module in DOMAIN_CASES))
    # then
    assert sorted(documented - covered) == [], "endpoints without an isolation case"
    assert sorted(covered - documented) == [], "isolation cases for endpoints that do not exist"


@isolation_cases(CASES)
def test_another_stores_key_neither_sees_nor_changes_the_first_stores_rows(
    client: TestClient,
    session: Session,
    store: StoreAccess,
    other_store: StoreAccess,
    endpoint: tuple[str, str],
) -> None:
    # given
    seeded = _seed(session, store, other_store)
    # when / then
    CASES[endpoint](client, seeded)
    _owner_unchanged(session, seeded)
