"""The demo store in a database: built through the services, idempotent, and served with working keys."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased
from typer.testing import CliRunner

from goodword.cli.app import app
from goodword.config import Settings
from goodword.db.session import Database
from goodword.demo.build import DemoSummary, build_demo_store
from goodword.demo.loading import UnitOfWork
from goodword.stores.api_keys import authenticate
from goodword.stores.models import (
    ApiKeyScope,
    ConsentEvent,
    Customer,
    CustomerTie,
    Order,
    OrderLine,
    Product,
    TieSource,
)
from goodword.web.app import DemoInfo, create_app


def in_test_transaction(session: Session) -> UnitOfWork:
    """Units of work that are savepoints inside the test's transaction, so the build is rolled back too."""

    @contextmanager
    def unit_of_work() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    return unit_of_work


def store_digest(session: Session, store_id: str) -> str:
    """Every row the demo writes for a store, ids and timestamps included."""
    sha = hashlib.sha256()
    for model in (Product, Customer, ConsentEvent, CustomerTie, Order, OrderLine):
        table = model.__table__
        rows = session.execute(select(table).where(table.c.store_id == store_id).order_by(table.c.id))
        for row in rows:
            sha.update(repr(tuple(row)).encode())
    return sha.hexdigest()


def build(session: Session, *, seed: int = 7, customers: int = 300) -> DemoSummary:
    return build_demo_store(in_test_transaction(session), seed=seed, customers=customers)


def test_the_demo_store_holds_what_was_planned(session: Session) -> None:
    summary = build(session)
    count = {
        model: len(session.scalars(select(model.id).where(model.store_id == summary.store_id)).all())
        for model in (Product, Customer, CustomerTie, Order)
    }
    assert count == {
        Product: summary.products,
        Customer: summary.customers,
        CustomerTie: summary.ties,
        Order: summary.orders,
    }
    assert (summary.customers, summary.products) == (300, 60)
    assert 900 <= summary.orders <= 1500
    assert not summary.reused


def test_building_again_changes_nothing_but_issues_new_keys(session: Session) -> None:
    first = build(session)
    before = store_digest(session, first.store_id)
    again = build(session)
    assert again.store_id == first.store_id
    assert again.reused
    assert store_digest(session, first.store_id) == before
    assert again.write_key != first.write_key
    assert authenticate(session, token=again.read_key).scope is ApiKeyScope.READ


def test_an_interrupted_build_is_completed_without_duplicates(session: Session) -> None:
    summary = build(session)
    session.execute(OrderLine.__table__.delete().where(OrderLine.store_id == summary.store_id))
    session.execute(Order.__table__.delete().where(Order.store_id == summary.store_id))
    resumed = build(session)
    assert not resumed.reused
    orders = session.scalars(select(Order.id).where(Order.store_id == summary.store_id)).all()
    assert len(orders) == summary.orders


def test_referred_customers_joined_after_their_referrer(session: Session) -> None:
    summary = build(session)
    referrer, referred = aliased(Customer), aliased(Customer)
    pairs = session.execute(
        select(referrer.created_at, referred.created_at)
        .join(CustomerTie, CustomerTie.from_customer_id == referrer.id)
        .join(referred, CustomerTie.to_customer_id == referred.id)
        .where(CustomerTie.store_id == summary.store_id, CustomerTie.source == TieSource.REFERRAL)
    ).all()
    assert len(pairs) > 30
    assert all(earlier < later for earlier, later in pairs)


def test_money_is_stored_in_whole_cents_that_add_up(session: Session) -> None:
    summary = build(session)
    orders = session.scalars(select(Order).where(Order.store_id == summary.store_id).limit(200)).all()
    for order in orders:
        amounts = (order.subtotal_minor, order.discount_minor, order.shipping_minor, order.tax_minor)
        assert all(type(amount) is int for amount in (*amounts, order.total_minor))
        assert (
            order.total_minor
            == order.subtotal_minor - order.discount_minor + order.shipping_minor + order.tax_minor
        )
        assert order.subtotal_minor == sum(line.total_minor for line in order.lines)


def test_goodword_demo_saves_keys_that_work(tmp_path: Path) -> None:
    # given an empty SQLite database
    url = f"sqlite:///{tmp_path / 'x.db'}"
    # when the demo is built without serving
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--customers", "200", "--database", url])
    # then the keys are saved for the owner only, printed, and authenticate against the demo store
    assert result.exit_code == 0, result.output
    saved = tmp_path / "demo-credentials.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    credentials = json.loads(saved.read_text())
    assert credentials["base_url"] == "http://127.0.0.1:8000"
    assert credentials["read_api_key"] in result.stdout
    assert "http://127.0.0.1:8000/" in result.stdout
    database = Database(Settings(database_url=url))
    with database.unit_of_work() as session:
        write_key = authenticate(session, token=credentials["write_api_key"])
        assert (write_key.store_id, write_key.scope) == (credentials["store_id"], ApiKeyScope.WRITE)
    database.dispose()


def test_the_home_pages_demo_links_lead_to_the_demo_stores_reviews(tmp_path: Path) -> None:
    # given a demo built on an empty SQLite database
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--customers", "300", "--database", url])
    assert result.exit_code == 0, result.output
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    settings = Settings(database_url=url)
    demo = DemoInfo("Demo", credentials["store_id"], 300, 0, str(tmp_path / "demo-credentials.json"))
    with TestClient(create_app(settings, demo=demo)) as client:
        # when a newcomer follows the links on the home page
        home = client.get("/")
        links = re.findall(r'href="(/public/v1/[^"]+)"', home.text)
        answers = [client.get(link) for link in links]
    # then both answer, and the store has a rating from its reviews
    assert len(links) == 2
    assert [a.status_code for a in answers] == [200, 200]
    rating = next(a.json() for a in answers if a.headers["content-type"].startswith("application/json"))
    assert rating["aggregate"]["count"] > 0
