"""Demo orders: how often each customer buys, when, what, for how much, and what became of the order.

Buying rates are gamma-distributed across customers (most buy once or twice, a loyal few buy monthly), and
repeat buyers often reorder their favourite tea. Order moments follow the seasonal intensity of
`calendar.py`. All amounts are integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from goodword.demo.calendar import DAY, Ints, Window, sample_moments, shopping_intensity
from goodword.demo.catalogue import CATALOGUE, CURRENCY, Kind
from goodword.demo.people import Bools, Population, customer_external_id
from goodword.stores.inputs import OrderIn, OrderLineIn
from goodword.stores.models import OrderStatus

ORDERS_PER_CUSTOMER = 4.0
STATUSES = tuple(OrderStatus)
_NO_MOMENT = -1


@dataclass(frozen=True)
class Orders:
    """Orders in the order they were placed, as parallel arrays; lines of order k are line_start[k]:[k+1]."""

    customer: Ints
    placed_at: Ints
    status: Ints  # index into STATUSES
    paid_at: Ints  # -1 where the order never got there
    fulfilled_at: Ints
    refunded_at: Ints
    cancelled_at: Ints
    subtotal: Ints
    discount: Ints
    shipping: Ints
    tax: Ints
    total: Ints
    line_start: Ints
    line_product: Ints
    line_quantity: Ints

    def __len__(self) -> int:
        return len(self.customer)


def draw_orders(
    rng: np.random.Generator, window: Window, population: Population, *, referred: Bools
) -> Orders:
    customer, placed_at, first = _when(rng, window, population)
    line_start, product, quantity = _lines(rng, customer, placed_at, first)
    prices = np.array([item.price_minor for item in CATALOGUE], dtype=np.int64)
    subtotal = np.add.reduceat(prices[product] * quantity, line_start[:-1])
    # Friends who came through a referral get 15% off their first order; promotions around Singles' Day and
    # Black Friday (and a few all year) give 10%.
    festive = np.isin(_month_day(placed_at), [1110, 1111, 1112, 1128, 1129, 1130, 1201, 1202])
    promotion = rng.random(len(customer)) < np.where(festive, 0.35, 0.08)
    percent_off = np.where(first & referred[customer], 15, np.where(promotion, 10, 0))
    discount = subtotal * percent_off // 100
    domestic = population.domestic()[customer]
    net = subtotal - discount
    shipping = np.where(domestic, np.where(net >= 4900, 0, 695), np.where(net >= 7900, 0, 1495))
    tax = np.where(domestic, (net * 7 + 50) // 100, 0)  # a flat 7% sales-tax estimate, rounded half up
    return Orders(
        customer=customer,
        placed_at=placed_at,
        **_fates(rng, window, placed_at),
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        tax=tax,
        total=net + shipping + tax,
        line_start=line_start,
        line_product=product,
        line_quantity=quantity,
    )


def _when(rng: np.random.Generator, window: Window, population: Population) -> tuple[Ints, Ints, Bools]:
    """Who orders when, sorted by moment; `first` marks each customer's first order."""
    size = len(population)
    joined = population.joined_at
    buys = rng.random(size) >= 0.08  # some sign up and never order
    # Customers who join during the window order as they sign up; those who joined before it just come back.
    signs_up = buys & (joined >= window.start_s)
    active_share = np.clip((window.end_s - joined) / (window.end_s - window.start_s), 0.0, 1.0)
    appetite = rng.gamma(0.5, 1.0, size) * active_share * buys
    scale = max(ORDERS_PER_CUSTOMER * size - signs_up.sum(), 0) / max(appetite.sum(), 1e-9)
    repeats = rng.poisson(appetite * scale)
    first_at = np.minimum(joined + 60 + rng.exponential(1500.0, size).astype(np.int64), window.end_s - 1)
    repeat_customer = np.repeat(np.arange(size, dtype=np.int64), repeats)
    repeat_at = np.empty(len(repeat_customer), dtype=np.int64)
    after = np.minimum(np.maximum(joined[repeat_customer] + DAY, window.start_s), window.end_s - 3600)
    chinese = population.chinese[repeat_customer]
    offsets = population.utc_offsets()[repeat_customer]
    for is_chinese in (False, True):
        group = chinese == is_chinese
        repeat_at[group] = sample_moments(
            rng,
            window,
            shopping_intensity(window, chinese=is_chinese),
            after=after[group],
            utc_offset_hours=offsets[group],
        )
    buyers = np.flatnonzero(signs_up)
    customer = np.concatenate([buyers, repeat_customer])
    placed_at = np.concatenate([first_at[buyers], repeat_at])
    first = np.concatenate([np.ones(len(buyers), np.bool_), np.zeros(len(repeat_customer), np.bool_)])
    order = np.lexsort((customer, placed_at))
    return customer[order], placed_at[order], first[order]


def _lines(
    rng: np.random.Generator, customer: Ints, placed_at: Ints, first: Bools
) -> tuple[Ints, Ints, Ints]:
    count = len(customer)
    per_order = rng.choice([1, 2, 3, 4], count, p=[0.5, 0.3, 0.14, 0.06])
    line_order = np.repeat(np.arange(count, dtype=np.int64), per_order)
    popularity = np.array([item.popularity for item in CATALOGUE])
    kinds = np.array([item.kind for item in CATALOGUE])
    gifting = popularity * np.where(kinds == Kind.GIFT, 5.0, 1.0)
    in_season = _month_day(placed_at) >= 1101  # November and December: gifting season
    product = np.where(
        in_season[line_order],
        rng.choice(len(CATALOGUE), len(line_order), p=gifting / gifting.sum()),
        rng.choice(len(CATALOGUE), len(line_order), p=popularity / popularity.sum()),
    )
    # Repeat buyers come back for their favourite tea about half the time.
    teas = np.flatnonzero(kinds == Kind.TEA)
    tea_share = popularity[teas] / popularity[teas].sum()
    favourite = teas[rng.choice(len(teas), int(customer.max(initial=0)) + 1, p=tea_share)]
    first_line = np.concatenate([[True], line_order[1:] != line_order[:-1]])
    reorder = first_line & ~first[line_order] & (rng.random(len(line_order)) < 0.5)
    product = np.where(reorder, favourite[customer[line_order]], product)
    quantity = np.where(
        kinds[product] == Kind.TEA, rng.choice([1, 2, 3], len(product), p=[0.78, 0.17, 0.05]), 1
    )
    # The same product twice in one order becomes one line with the quantities added, in first-seen order.
    key = line_order * len(CATALOGUE) + product
    unique_keys, first_seen, inverse = np.unique(key, return_index=True, return_inverse=True)
    merged_quantity = np.bincount(inverse, weights=quantity).astype(np.int64)
    keep = np.argsort(first_seen, kind="stable")
    merged_order = unique_keys[keep] // len(CATALOGUE)
    line_start = np.searchsorted(merged_order, np.arange(count + 1)).astype(np.int64)
    return line_start, (unique_keys[keep] % len(CATALOGUE)).astype(np.int64), merged_quantity[keep]


def _fates(rng: np.random.Generator, window: Window, placed_at: Ints) -> dict[str, Ints]:
    """Status and the moments of each step: most orders are fulfilled; some refunded, cancelled, pending."""
    count = len(placed_at)
    fate = rng.random(count)
    recent = window.end_s - placed_at < 2 * DAY
    pending = (fate < 0.005) | (recent & (rng.random(count) < 0.25))
    cancelled = ~pending & (fate >= 0.005) & (fate < 0.035)
    paid_at = np.where(pending | cancelled, _NO_MOMENT, placed_at + rng.integers(30, 900, count))
    fulfilled_at = paid_at + ((0.3 + rng.exponential(1.2, count)) * DAY).astype(np.int64)
    fulfilled = (paid_at != _NO_MOMENT) & (fulfilled_at < window.end_s)
    refunded_at = fulfilled_at + ((2 + rng.exponential(8.0, count)) * DAY).astype(np.int64)
    refunded = fulfilled & (fate >= 0.035) & (fate < 0.075) & (refunded_at < window.end_s)
    cancelled_at = np.minimum(placed_at + rng.integers(600, 2 * DAY, count), window.end_s - 1)
    status = np.select(
        [pending, cancelled, refunded, fulfilled],
        [STATUSES.index(s) for s in (OrderStatus.PENDING, OrderStatus.CANCELLED, OrderStatus.REFUNDED,
                                     OrderStatus.FULFILLED)],
        default=STATUSES.index(OrderStatus.PAID),
    )  # fmt: skip
    return {
        "status": status.astype(np.int64),
        "paid_at": paid_at,
        "fulfilled_at": np.where(fulfilled, fulfilled_at, _NO_MOMENT),
        "refunded_at": np.where(refunded, refunded_at, _NO_MOMENT),
        "cancelled_at": np.where(cancelled, cancelled_at, _NO_MOMENT),
    }


def _month_day(moments: Ints) -> Ints:
    """1111 for 11 November (UTC), for vectorised calendar tests."""
    days = moments.astype("datetime64[s]").astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    day = (days - months).astype(np.int64) + 1
    return np.asarray(month * 100 + day, dtype=np.int64)


def order_external_id(index: int) -> str:
    return f"demo-o{index + 1:08d}"


def order_inputs(orders: Orders, start: int, stop: int) -> list[OrderIn]:
    """Orders `start` to `stop` (exclusive) as the stores services take them."""
    names = (
        "customer", "placed_at", "status", "paid_at", "fulfilled_at", "refunded_at", "cancelled_at",
        "subtotal", "discount", "shipping", "tax", "total",
    )  # fmt: skip
    columns = [getattr(orders, name)[start:stop].tolist() for name in names]
    bounds = orders.line_start[start : stop + 1].tolist()
    products = orders.line_product[bounds[0] : bounds[-1]].tolist()
    quantities = orders.line_quantity[bounds[0] : bounds[-1]].tolist()
    result = []
    for offset, row in enumerate(zip(*columns, strict=True)):
        first, last = bounds[offset] - bounds[0], bounds[offset + 1] - bounds[0]
        lines = [_line(products[i], quantities[i]) for i in range(first, last)]
        result.append(_order(start + offset, lines, *row))
    return result


def _line(product: int, quantity: int) -> OrderLineIn:
    item = CATALOGUE[product]
    return OrderLineIn(sku=item.sku, title=item.title, quantity=quantity, unit_price_minor=item.price_minor)


def _order(
    index: int,
    lines: list[OrderLineIn],
    customer: int,
    placed_at: int,
    status: int,
    paid_at: int,
    fulfilled_at: int,
    refunded_at: int,
    cancelled_at: int,
    subtotal: int,
    discount: int,
    shipping: int,
    tax: int,
    total: int,
) -> OrderIn:
    return OrderIn(
        external_id=order_external_id(index),
        customer_external_id=customer_external_id(customer),
        status=STATUSES[status],
        currency=CURRENCY,
        subtotal_minor=subtotal,
        discount_minor=discount,
        shipping_minor=shipping,
        tax_minor=tax,
        total_minor=total,
        placed_at=datetime.fromtimestamp(placed_at, UTC),
        paid_at=_moment(paid_at),
        fulfilled_at=_moment(fulfilled_at),
        refunded_at=_moment(refunded_at),
        cancelled_at=_moment(cancelled_at),
        lines=lines,
    )


def _moment(seconds: int) -> datetime | None:
    return None if seconds == _NO_MOMENT else datetime.fromtimestamp(seconds, UTC)
