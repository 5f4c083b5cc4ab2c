"""The demo plan: deterministic, the right size, heavy-tailed ties, seasonal orders, consistent money."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import numpy as np
import pytest

from goodword.demo.catalogue import CATALOGUE
from goodword.demo.orders import order_inputs
from goodword.demo.people import customer_inputs
from goodword.demo.plan import DemoPlan, plan_demo
from goodword.demo.social import SOURCES
from goodword.stores.models import TieSource


def digest(plan: DemoPlan) -> str:
    """Everything the demo would load: customers and orders as the services take them, and the ties."""
    sha = hashlib.sha256()
    for customer in customer_inputs(plan.population, 0, len(plan.population)):
        sha.update(customer.model_dump_json().encode())
    for order in order_inputs(plan.orders, 0, len(plan.orders)):
        sha.update(order.model_dump_json().encode())
    for array in (plan.ties.from_index, plan.ties.to_index, plan.ties.source, plan.ties.created_at):
        sha.update(array.tobytes())
    return sha.hexdigest()


@pytest.fixture(scope="module")
def large_plan() -> DemoPlan:
    return plan_demo(seed=11, customers=5_000)


def test_the_same_seed_plans_the_same_shop_and_another_seed_a_different_one() -> None:
    assert digest(plan_demo(seed=7, customers=300)) == digest(plan_demo(seed=7, customers=300))
    assert digest(plan_demo(seed=7, customers=300)) != digest(plan_demo(seed=8, customers=300))


def test_a_small_plan_has_about_four_orders_and_three_ties_per_customer() -> None:
    plan = plan_demo(seed=3, customers=300)
    assert len(plan.population) == 300
    assert 3 * 300 <= len(plan.orders) <= 5 * 300
    assert 2 * 300 <= len(plan.ties) <= 4 * 300


def test_history_spans_eighteen_months_ending_on_the_last_day() -> None:
    plan = plan_demo(seed=3, customers=300)
    assert plan.window.start == datetime(2025, 5, 1, tzinfo=UTC)
    assert plan.window.end == datetime(2026, 11, 1, tzinfo=UTC)
    assert plan.window.start_s <= plan.orders.placed_at.min()
    assert plan.orders.placed_at.max() < plan.window.end_s


def test_a_few_customers_know_very_many(large_plan: DemoPlan) -> None:
    ties = large_plan.ties
    degree = np.bincount(
        np.concatenate([ties.from_index, ties.to_index]), minlength=len(large_plan.population)
    )
    top_percent = np.sort(degree)[::-1][: len(degree) // 100]
    assert top_percent.sum() >= 0.10 * degree.sum()
    assert degree.max() >= 20 * np.median(degree)


def test_referrals_run_from_an_earlier_customer_to_a_later_one_who_joined_then(large_plan: DemoPlan) -> None:
    ties, joined = large_plan.ties, large_plan.population.joined_at
    referral = ties.source == SOURCES.index(TieSource.REFERRAL)
    assert referral.sum() > 0.1 * len(large_plan.population)
    assert (joined[ties.from_index[referral]] < joined[ties.to_index[referral]]).all()
    assert (ties.created_at[referral] == joined[ties.to_index[referral]]).all()
    assert len(np.unique(ties.to_index[referral])) == referral.sum()  # nobody is referred twice


def test_november_and_december_sell_more_per_day_than_the_year(large_plan: DemoPlan) -> None:
    placed = large_plan.orders.placed_at.astype("datetime64[s]")
    months = (placed.astype("datetime64[M]").astype(np.int64) % 12) + 1
    holiday_days = (np.datetime64("2026-01-01") - np.datetime64("2025-11-01")).astype(int)
    holiday_rate = np.isin(months, [11, 12]).sum() / holiday_days
    overall_rate = len(placed) / large_plan.window.days
    assert holiday_rate > 1.2 * overall_rate


def test_order_amounts_are_whole_cents_that_add_up(large_plan: DemoPlan) -> None:
    for order in order_inputs(large_plan.orders, 0, 500):
        assert order.subtotal_minor == sum(line.quantity * line.unit_price_minor for line in order.lines)
        assert order.total_minor == (
            order.subtotal_minor - order.discount_minor + order.shipping_minor + order.tax_minor
        )
        assert len({line.sku for line in order.lines}) == len(order.lines)
    assert large_plan.orders.total.dtype == np.int64


def test_customers_mix_english_and_chinese_with_valid_contacts() -> None:
    customers = customer_inputs(plan_demo(seed=5, customers=400).population, 0, 400)
    locales = {c.locale for c in customers}
    assert locales == {"en", "zh-CN"}
    assert any(c.name and "\u4e00" <= c.name[0] <= "\u9fff" for c in customers)
    assert all(c.phone is None or c.phone.startswith("+") for c in customers)
    assert len({c.email for c in customers}) == len(customers)
    assert len({c.time_zone for c in customers}) > 5


def test_the_catalogue_has_sixty_products_with_distinct_skus() -> None:
    assert len(CATALOGUE) == 60
    assert len({item.sku for item in CATALOGUE}) == 60
    assert all(item.product_input().price_minor == item.price_minor for item in CATALOGUE)
