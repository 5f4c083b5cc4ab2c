"""Offer experiments: referrers keep the variant they were first given; Thompson sampling favours the winner."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from goodword.errors import Conflict, InvalidInput
from goodword.referrals.experiment_report import experiment_report
from goodword.referrals.experiment_stats import probability_b_beats_a
from goodword.referrals.experiments import (
    Experiment,
    VariantSpec,
    create_experiment,
    stop_experiment,
    variant_for_referrer,
)
from goodword.referrals.models import ReferralProgram, ReferralStatus
from goodword.referrals.ops_models import Allocation, OfferAssignment
from goodword.referrals.programs import RegistrationRule, Reward
from goodword.referrals.rewarding import reward_referral
from tests.factories.referral_ops import NOW, make_customer, make_program, make_referral
from tests.factories.stores import StoreAccess

DOUBLE = {"registration": RegistrationRule(reward=Reward(form="credit", amount=1000)).model_dump(mode="json")}


def _experiment(
    session: Session, program: ReferralProgram, allocation: Allocation, weights: tuple[int, int] = (1, 1)
) -> Experiment:
    return create_experiment(
        session, store_id=program.store_id, program_id=program.id, name="double or not", allocation=allocation,
        variants=[VariantSpec("control", weights[0], {}), VariantSpec("double", weights[1], DOUBLE)],
        who="staff:api-key:1", seed=2026, now=NOW - timedelta(days=30),
    )  # fmt: skip


def test_a_referrer_keeps_the_variant_assigned_on_first_call_with_its_rules_over_the_programs(
    session: Session, store: StoreAccess
) -> None:
    # given
    program = make_program(session, store_id=store.store_id, credit_minor=500)
    found = _experiment(session, program, Allocation.FIXED, weights=(0, 1))
    referrer = make_customer(session, store_id=store.store_id)
    # when
    first = variant_for_referrer(session, store_id=store.store_id, program_id=program.id,
                                 referrer_customer_id=referrer.id, now=NOW)  # fmt: skip
    again = variant_for_referrer(session, store_id=store.store_id, program_id=program.id,
                                 referrer_customer_id=referrer.id, now=NOW + timedelta(days=1))  # fmt: skip
    # then
    assert first is not None
    assert first == again
    assert first.variant_id == found.variants[1].id
    assert first.rules["registration"]["reward"]["amount"] == 1000


def test_no_experiment_or_a_stopped_one_assigns_nothing(session: Session, store: StoreAccess) -> None:
    # given
    program = make_program(session, store_id=store.store_id)
    referrer = make_customer(session, store_id=store.store_id)

    def ask() -> object:
        return variant_for_referrer(
            session, store_id=store.store_id, program_id=program.id, referrer_customer_id=referrer.id, now=NOW
        )

    # when / then
    assert ask() is None
    found = _experiment(session, program, Allocation.FIXED)
    stop_experiment(session, store_id=store.store_id, experiment_id=found.experiment.id, who="t", now=NOW)
    assert ask() is None


def test_a_second_running_experiment_and_unusable_variants_are_refused(
    session: Session, store: StoreAccess
) -> None:
    # given
    program = make_program(session, store_id=store.store_id)
    _experiment(session, program, Allocation.FIXED)
    # when / then
    with pytest.raises(Conflict, match=f"program {program.id} already runs experiment"):
        _experiment(session, program, Allocation.THOMPSON)
    other = make_program(session, store_id=store.store_id)
    with pytest.raises(InvalidInput) as refused:
        create_experiment(
            session, store_id=store.store_id, program_id=other.id, name="bad", allocation=Allocation.FIXED,
            variants=[VariantSpec("a", 1, {"registration": {"reward": {"form": "gold"}}}), VariantSpec("a", 0, {})],
            who="t", seed=1, now=NOW,
        )  # fmt: skip
    assert "repeat" in str(refused.value.issues)
    assert any(i.field.startswith("variants.0.rules.registration") for i in refused.value.issues)


def test_thompson_sampling_sends_new_referrers_to_the_variant_that_converts(
    session: Session, store: StoreAccess
) -> None:
    # given ten referrers in each variant, where only the "double" ones brought paying friends
    program = make_program(session, store_id=store.store_id)
    found = _experiment(session, program, Allocation.FIXED)
    control, double = found.variants
    for variant in (control, double):
        for _ in range(10):
            referrer = make_customer(session, store_id=store.store_id)
            session.add(OfferAssignment(store_id=store.store_id, experiment_id=found.experiment.id,
                                        variant_id=variant.id, referrer_customer_id=referrer.id,
                                        assigned_at=NOW - timedelta(days=20)))  # fmt: skip
            status = ReferralStatus.CONVERTED if variant is double else ReferralStatus.REGISTERED
            make_referral(session, program=program, referrer=referrer, friend=make_customer(session, store_id=store.store_id),
                          status=status, variant_id=variant.id, at=NOW - timedelta(days=10))  # fmt: skip
    found.experiment.allocation = Allocation.THOMPSON
    session.flush()
    # when twenty new referrers are assigned
    chosen = [
        variant_for_referrer(session, store_id=store.store_id, program_id=program.id,
                             referrer_customer_id=make_customer(session, store_id=store.store_id).id, now=NOW)
        for _ in range(20)
    ]  # fmt: skip
    # then
    assert sum(1 for c in chosen if c is not None and c.variant_id == double.id) >= 19


def test_the_report_counts_conversion_cost_and_confidence_per_variant(
    session: Session, store: StoreAccess
) -> None:
    # given one referrer per variant, control with 4 registered friends of which 1 paid, double with 4 of which 3
    program = make_program(session, store_id=store.store_id)
    found = _experiment(session, program, Allocation.FIXED)
    for variant, paid in ((found.variants[0], 1), (found.variants[1], 3)):
        referrer = make_customer(session, store_id=store.store_id)
        session.add(OfferAssignment(store_id=store.store_id, experiment_id=found.experiment.id, variant_id=variant.id,
                                    referrer_customer_id=referrer.id, assigned_at=NOW - timedelta(days=20)))  # fmt: skip
        for n in range(4):
            referral = make_referral(
                session, program=program, referrer=referrer, friend=make_customer(session, store_id=store.store_id),
                status=ReferralStatus.CONVERTED if n < paid else ReferralStatus.REGISTERED, variant_id=variant.id,
                at=NOW - timedelta(days=10),
            )  # fmt: skip
            referral.rules = {**program.rules, **variant.rules}
            session.flush()
            reward_referral(
                session, store_id=store.store_id, referral_id=referral.id, now=NOW - timedelta(days=9)
            )
    # when
    report = experiment_report(session, store_id=store.store_id, experiment_id=found.experiment.id)
    # then
    control, double = report.variants
    assert (control.assigned, control.registered, control.converted, control.friends_reached) == (1, 4, 1, 4)
    assert (double.converted, double.conversion_rate) == (3, 0.75)
    # registration rewards of every registered friend: 4 x 500 and 4 x 1000, per paying friend
    assert (control.reward_cost_minor, control.cost_per_acquired_customer_minor) == (2000, 2000)
    assert (double.reward_cost_minor, double.cost_per_acquired_customer_minor) == (4000, 1333)
    # z = (0.75 - 0.25) / sqrt(0.5 · 0.5 · (1/4 + 1/4)) = √2, two-sided p = erfc(1) = 0.1573
    assert double.p_value_vs_control == pytest.approx(0.157299, abs=1e-6)
    assert control.p_value_vs_control is None
    assert double.probability_best == pytest.approx(probability_b_beats_a(1, 4, 3, 4), abs=0.01)
    assert report.currency == "USD"
    assert "share_rate" in report.definitions
