"""Who knows whom among the demo customers, and who referred whom along those ties.

Ties follow the Chung-Lu model (Chung & Lu 2002, "Connected components in random graphs with given expected
degree sequences"): each end of a tie is a customer drawn in proportion to their heavy-tailed sociability, so
the degrees come out heavy-tailed too, with a few hubs who know very many. Referrals then run along those
ties, from a customer who joined earlier to one who joined later, favouring the sociable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goodword.demo.calendar import DAY, Ints, Window
from goodword.demo.people import Bools, Population
from goodword.stores.models import TieSource

TIES_PER_CUSTOMER = 3.0
REFERRED_SHARE = 0.3
IMPORTED_SHARE = 0.35
SOURCES = (TieSource.DECLARED, TieSource.IMPORTED, TieSource.REFERRAL)


@dataclass(frozen=True)
class Ties:
    """Directed ties as parallel arrays; `source` indexes `SOURCES`."""

    from_index: Ints
    to_index: Ints
    source: Ints
    created_at: Ints

    def __len__(self) -> int:
        return len(self.from_index)

    def referred(self, population_size: int) -> Bools:
        """Which customers joined through a referral."""
        referred = np.zeros(population_size, dtype=np.bool_)
        referred[self.to_index[self.source == SOURCES.index(TieSource.REFERRAL)]] = True
        return referred


def draw_ties(rng: np.random.Generator, window: Window, population: Population) -> Ties:
    size = len(population)
    if size < 2:
        empty = np.zeros(0, dtype=np.int64)
        return Ties(empty, empty, empty, empty)
    earlier, later = _acquaintances(rng, population)
    joined = population.joined_at
    # Half the time the later customer is the one who named the other ("my friend Ann shops here too").
    flip = rng.random(len(earlier)) < 0.5
    known_since = joined[later] + (rng.exponential(30.0, len(later)) * DAY).astype(np.int64)
    referrer, referred = _referrals(rng, population, earlier, later)
    return Ties(
        from_index=np.concatenate([np.where(flip, later, earlier), referrer]),
        to_index=np.concatenate([np.where(flip, earlier, later), referred]),
        source=np.concatenate(
            [
                (rng.random(len(earlier)) < IMPORTED_SHARE).astype(np.int64),
                np.full(len(referrer), SOURCES.index(TieSource.REFERRAL), dtype=np.int64),
            ]
        ),
        created_at=np.concatenate([np.minimum(known_since, window.end_s - 1), joined[referred]]),
    )


def _acquaintances(rng: np.random.Generator, population: Population) -> tuple[Ints, Ints]:
    """Distinct unordered pairs as (earlier-joined, later-joined) index arrays."""
    size = len(population)
    draws = int(TIES_PER_CUSTOMER * size)
    probability = population.sociability / population.sociability.sum()
    a = rng.choice(size, draws, p=probability)
    b = rng.choice(size, draws, p=probability)
    keep = a != b
    low, high = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    pairs = np.unique(low.astype(np.int64) * size + high)
    return pairs // size, pairs % size


def _referrals(
    rng: np.random.Generator, population: Population, earlier: Ints, later: Ints
) -> tuple[Ints, Ints]:
    """For some customers, one earlier acquaintance who referred them; sociable people refer more.

    The weighted choice per customer is an exponential race (Efraimidis & Spirakis 2006): each candidate
    draws Exp(1)/weight and the smallest wins.
    """
    race = rng.exponential(1.0, len(earlier)) / population.sociability[earlier]
    order = np.lexsort((race, later))
    first_of_each = np.ones(len(order), dtype=np.bool_)
    first_of_each[1:] = later[order][1:] != later[order][:-1]
    winners = order[first_of_each]
    chosen = winners[rng.random(len(winners)) < REFERRED_SHARE]
    return earlier[chosen], later[chosen]
