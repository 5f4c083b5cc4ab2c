"""The whole demo store as arrays, drawn from one seed: the same seed always gives the same shop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from goodword.demo.calendar import DEFAULT_LAST_DAY, Window
from goodword.demo.orders import Orders, draw_orders
from goodword.demo.people import Population, draw_population
from goodword.demo.social import Ties, draw_ties

DEFAULT_CUSTOMERS = 5_000
MAX_CUSTOMERS = 1_000_000


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    window: Window
    population: Population
    ties: Ties
    orders: Orders


def plan_demo(
    *, seed: int, customers: int = DEFAULT_CUSTOMERS, last_day: date = DEFAULT_LAST_DAY
) -> DemoPlan:
    """Customers, their ties and their orders over the 18 months ending with `last_day`.

    Each part draws from its own child of the seed, so changing how orders are drawn leaves the customers and
    their ties as they were.
    """
    window = Window.ending(last_day)
    people_seed, ties_seed, orders_seed = np.random.SeedSequence(seed).spawn(3)
    population = draw_population(np.random.default_rng(people_seed), window, size=customers)
    ties = draw_ties(np.random.default_rng(ties_seed), window, population)
    orders = draw_orders(
        np.random.default_rng(orders_seed), window, population, referred=ties.referred(customers)
    )
    return DemoPlan(seed, window, population, ties, orders)
