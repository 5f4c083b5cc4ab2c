"""The statistics of offer experiments: allocation (fixed weights, Thompson sampling) and comparison.

Pure functions over counts; randomness comes in as a seeded `numpy.random.Generator`.

References:
    W. R. Thompson, "On the likelihood that one unknown probability exceeds another in view of the evidence
    of two samples", Biometrika 25 (1933) 285-294.
    O. Chapelle and L. Li, "An empirical evaluation of Thompson sampling", NeurIPS 2011.
    E. Miller, "Formulas for Bayesian A/B testing" (2015), https://www.evanmiller.org/bayesian-ab-testing.html
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from goodword.errors import InvalidInput

# Beta(1, 1): every conversion rate equally likely before any data.
PRIOR_ALPHA = 1.0
PRIOR_BETA = 1.0


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float  # two-sided


def weighted_bucket(key: str, weights: Sequence[int]) -> int:
    """The index a key falls into, with probability proportional to its weight, the same on every call.

    >>> weighted_bucket("experiment-1:customer-42", [50, 50]) in (0, 1)
    True
    """
    total = sum(weights)
    if total <= 0 or any(w < 0 for w in weights):
        raise InvalidInput(f"weights {list(weights)!r} must be non-negative with a positive sum")
    point = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % total
    for index, weight in enumerate(weights):
        if point < weight:
            return index
        point -= weight
    raise AssertionError("unreachable: point < total")  # pragma: no cover


def thompson_choice(successes: Sequence[int], trials: Sequence[int], rng: np.random.Generator) -> int:
    """One Thompson-sampling draw: sample each arm's Beta posterior, pick the largest.

    Arms that convert better win more draws, so traffic shifts towards them while weaker arms keep some.
    """
    alpha, beta = _posteriors(successes, trials)
    return int(np.argmax(rng.beta(alpha, beta)))


def probability_best(
    successes: Sequence[int], trials: Sequence[int], *, draws: int = 20_000, seed: int = 0
) -> list[float]:
    """For each arm, the posterior probability that its conversion rate is the highest (Monte Carlo).

    >>> [round(p, 1) for p in probability_best([10, 10], [100, 100], seed=1)]
    [0.5, 0.5]
    """
    if not successes:
        return []
    alpha, beta = _posteriors(successes, trials)
    rng = np.random.default_rng(seed)
    samples = rng.beta(alpha, beta, size=(draws, len(alpha)))
    wins = np.bincount(np.argmax(samples, axis=1), minlength=len(alpha))
    return [float(w) / draws for w in wins]


def probability_b_beats_a(successes_a: int, trials_a: int, successes_b: int, trials_b: int) -> float:
    """P(p_B > p_A) for Beta(1+s, 1+n-s) posteriors, exactly (Miller 2015): checks the Monte Carlo above."""
    alpha_a, beta_a = PRIOR_ALPHA + successes_a, PRIOR_BETA + trials_a - successes_a
    alpha_b, beta_b = PRIOR_ALPHA + successes_b, PRIOR_BETA + trials_b - successes_b
    total = 0.0
    for i in range(int(alpha_b)):
        total += math.exp(
            _log_beta(alpha_a + i, beta_a + beta_b)
            - math.log(beta_b + i)
            - _log_beta(1 + i, beta_b)
            - _log_beta(alpha_a, beta_a)
        )
    return total


def two_proportion_z_test(successes_a: int, trials_a: int, successes_b: int, trials_b: int) -> ZTest | None:
    """The pooled two-proportion z-test of p_A = p_B; None when either arm is empty or nothing varies.

    >>> round(two_proportion_z_test(200, 1000, 250, 1000).p_value, 4)
    0.0074
    """
    if trials_a == 0 or trials_b == 0:
        return None
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    variance = pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b)
    if variance == 0:
        return None
    z = (successes_b / trials_b - successes_a / trials_a) / math.sqrt(variance)
    return ZTest(z=z, p_value=math.erfc(abs(z) / math.sqrt(2)))


def _posteriors(successes: Sequence[int], trials: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    wins = np.asarray(successes, dtype=float)
    tries = np.asarray(trials, dtype=float)
    if wins.shape != tries.shape or (wins < 0).any() or (wins > tries).any():
        raise InvalidInput(f"successes {list(successes)!r} must lie between 0 and trials {list(trials)!r}")
    return PRIOR_ALPHA + wins, PRIOR_BETA + tries - wins


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
