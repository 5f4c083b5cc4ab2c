"""Unsubscribe tokens, the unsubscribe service, the public page and the API endpoint."""

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.config import Settings
from goodword.errors import NotFound
from goodword.messaging.unsubscribe import FROM_LINK, make_token, read_token, unsubscribe
from goodword.stores.customers import upsert_customers
from goodword.stores.inputs import CustomerIn
from goodword.stores.models import ConsentEvent, Customer, Store
from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess

SECRET = "a-secret-only-these-tests-know"


def add_customer(
    session: Session, store_id: str, external_id: str = "c1", *, consent: bool = True
) -> Customer:
    [outcome] = upsert_customers(
        session,
        store_id=store_id,
        customers=[
            CustomerIn(external_id=external_id, email=f"{external_id}@example.com", marketing_consent=consent)
        ],
        source="test",
    )
    return session.get_one(Customer, outcome.id)


def consent_events(session: Session, customer: Customer) -> list[tuple[bool, str]]:
    events = session.scalars(
        select(ConsentEvent).where(ConsentEvent.customer_id == customer.id).order_by(ConsentEvent.id)
    )
    return [(e.granted, e.source) for e in events]


def test_a_token_reads_back_as_its_store_and_customer() -> None:
    token = make_token(SECRET, store_id="st_0123456789abcdef", customer_id=42)
    target = read_token(SECRET, token)
    assert (target.store_id, target.customer_id) == ("st_0123456789abcdef", 42)
    assert token.replace("_", "").replace("-", "").replace(".", "").isalnum()  # URL-safe as it is


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t.replace("st_0123456789abcdef", "st_fedcba9876543210"),  # another store
        lambda t: t.replace(".42.", ".43."),  # another customer
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # another signature
        lambda t: t.rsplit(".", 1)[0],  # no signature
        lambda t: t + "=",
        lambda t: "",
    ],
)
def test_a_changed_token_is_refused(forge: object) -> None:
    token = make_token(SECRET, store_id="st_0123456789abcdef", customer_id=42)
    with pytest.raises(NotFound):
        read_token(SECRET, forge(token))  # type: ignore[operator]


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = make_token("another-secret", store_id="st_0123456789abcdef", customer_id=42)
    with pytest.raises(NotFound, match="not valid"):
        read_token(SECRET, token)


@given(st.text(max_size=300))
def test_any_string_is_refused_cleanly(token: str) -> None:
    with pytest.raises(NotFound):
        read_token(SECRET, token)


def test_unsubscribing_twice_records_one_event(session: Session, store: StoreAccess) -> None:
    customer = add_customer(session, store.store_id)
    for _ in range(2):
        unsubscribe(session, store_id=store.store_id, customer_id=customer.id, source=FROM_LINK)
    assert customer.marketing_consent is False
    assert consent_events(session, customer) == [(True, "test"), (False, "unsubscribe-link")]


def test_unsubscribing_by_external_id_touches_only_the_callers_store(
    session: Session, store: StoreAccess, other_store: StoreAccess
) -> None:
    mine = add_customer(session, store.store_id, "same-id")
    theirs = add_customer(session, other_store.store_id, "same-id")
    unsubscribe(session, store_id=store.store_id, external_id="same-id", source="api")
    assert (mine.marketing_consent, theirs.marketing_consent) == (False, True)
    with pytest.raises(NotFound, match="no customer 'nobody'"):
        unsubscribe(session, store_id=store.store_id, external_id="nobody", source="api")


def link_for(settings: Settings, store: StoreAccess, customer: Customer) -> str:
    return "/u/" + make_token(settings.secret_key, store_id=store.store_id, customer_id=customer.id)


def test_the_page_asks_in_the_visitors_language_and_changes_nothing(
    client: TestClient, session: Session, settings: Settings, store: StoreAccess
) -> None:
    # given a store whose name is markup
    session.get_one(Store, store.store_id).name = "<b>Tea</b> & Co"
    customer = add_customer(session, store.store_id)
    # when a mail scanner, then a Chinese reader, open the link
    english = client.get(link_for(settings, store, customer))
    chinese = client.get(
        link_for(settings, store, customer), headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    )
    # then both are asked to confirm, the name is shown as text, and nobody is unsubscribed yet
    assert english.status_code == 200
    assert english.headers["content-type"].startswith("text/html")
    assert english.headers["referrer-policy"] == "no-referrer"
    assert "Unsubscribe from &lt;b&gt;Tea&lt;/b&gt; &amp; Co?" in english.text
    assert '<html lang="zh-CN">' in chinese.text
    assert "确认退订" in chinese.text
    session.refresh(customer)
    assert customer.marketing_consent is True


def test_a_one_click_post_unsubscribes_and_says_where_it_came_from(
    client: TestClient, session: Session, settings: Settings, store: StoreAccess
) -> None:
    customer = add_customer(session, store.store_id)
    answer = client.post(
        link_for(settings, store, customer),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert "You are unsubscribed" in answer.text
    session.refresh(customer)
    assert consent_events(session, customer)[-1] == (False, "list-unsubscribe-post")


@pytest.mark.parametrize(
    "token", ["nonsense", "st_x.1.abc", "a" * 5000, "%00", "st_x.99999999999999999999999.a"]
)
def test_a_bad_link_gets_a_not_found_page_not_an_error(client: TestClient, token: str) -> None:
    for answer in (client.get(f"/u/{token}"), client.post(f"/u/{token}")):
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert "This link is not valid" in answer.text


def test_the_api_unsubscribes_a_customer_by_external_id(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    customer = add_customer(session, store.store_id, "c-7")
    first = client.post("/api/v1/customers/c-7/unsubscribe", headers=store.writer)
    again = client.post("/api/v1/customers/c-7/unsubscribe", headers=store.writer)
    assert first.status_code == again.status_code == 200
    assert first.json()["marketing_consent"] is False
    assert first.json()["external_id"] == "c-7"
    assert consent_events(session, customer) == [(True, "test"), (False, "unsubscribe-api")]


def test_the_api_answers_404_for_an_unknown_customer_and_403_for_a_read_key(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    add_customer(session, store.store_id, "c-8")
    assert_problem(
        client.post("/api/v1/customers/nobody/unsubscribe", headers=store.writer), 404, "not_found"
    )
    assert_problem(
        client.post("/api/v1/customers/c-8/unsubscribe", headers=store.reader), 403, "read_only_key"
    )


def test_a_stale_consent_from_the_shop_does_not_undo_an_unsubscribe(
    session: Session, store: StoreAccess
) -> None:
    # given a consenting customer who then unsubscribed through the link in an email
    [created] = upsert_customers(
        session,
        store_id=store.store_id,
        customers=[CustomerIn(external_id="tea-lover", email="t@example.com", marketing_consent=True)],
        source="shop",
    )
    unsubscribe(session, store_id=store.store_id, customer_id=created.id, source=FROM_LINK)
    # when the shop sends its copy again, still saying yes, with a new name
    upsert_customers(
        session,
        store_id=store.store_id,
        customers=[
            CustomerIn(
                external_id="tea-lover", email="t@example.com", name="Tea Lover", marketing_consent=True
            )
        ],
        source="shop",
    )
    # then the name changed but the customer's "no" stands
    customer = session.get_one(Customer, created.id)
    session.refresh(customer)
    assert customer.name == "Tea Lover"
    assert customer.marketing_consent is False
