"""The statistics behind offer experiments, against published and closed-form values."""

import numpy as np
import pytest

from goodword.referrals.experiment_stats import (
    probability_b_beats_a,
    probability_best,
    thompson_choice,
    two_proportion_z_test,
    weighted_bucket,
)


def test_the_z_test_matches_r_prop_test_without_continuity_correction() -> None:
    # R: prop.test(c(200, 250), c(1000, 1000), correct = FALSE) gives X-squared = 7.1685, p-value = 0.007419
    test = two_proportion_z_test(200, 1000, 250, 1000)
    assert test is not None
    assert test.z**2 == pytest.approx(7.1685, abs=1e-4)
    assert test.p_value == pytest.approx(0.007419, abs=1e-6)


def test_the_z_test_has_no_answer_for_an_empty_arm_or_no_variation() -> None:
    assert two_proportion_z_test(0, 0, 5, 10) is None
    assert two_proportion_z_test(0, 10, 0, 10) is None


def test_the_exact_probability_that_b_beats_a_matches_known_integrals() -> None:
    # Beta(1,1) vs Beta(1,1): a coin toss; Beta(2,1) vs Beta(1,1): the integral of 2b·b over [0,1] is 2/3
    assert probability_b_beats_a(0, 0, 0, 0) == pytest.approx(0.5)
    assert probability_b_beats_a(0, 0, 1, 1) == pytest.approx(2 / 3)


def test_the_monte_carlo_probability_best_agrees_with_the_exact_formula_and_is_seeded() -> None:
    # given
    exact = probability_b_beats_a(30, 200, 45, 210)
    # when
    first = probability_best([30, 45], [200, 210], draws=200_000, seed=7)
    again = probability_best([30, 45], [200, 210], draws=200_000, seed=7)
    # then
    assert first == again
    assert first[1] == pytest.approx(exact, abs=0.005)
    assert sum(first) == pytest.approx(1.0)


def test_weighted_buckets_are_stable_and_follow_the_weights() -> None:
    keys = [f"exp-1:{n}" for n in range(20_000)]
    buckets = [weighted_bucket(k, [1, 3]) for k in keys]
    assert buckets == [weighted_bucket(k, [1, 3]) for k in keys]
    assert buckets.count(1) / len(keys) == pytest.approx(0.75, abs=0.015)


def test_thompson_sampling_sends_most_traffic_to_the_clearly_better_arm() -> None:
    rng = np.random.default_rng(42)
    picks = [thompson_choice([5, 40], [100, 100], rng) for _ in range(1000)]
    assert picks.count(1) > 990
