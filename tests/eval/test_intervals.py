"""Intervals on known values: Wilson for proportions, BCa for means, the degenerate fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from eval.intervals import bca_interval, interval, is_proportion, wilson_interval


def test_wilson_interval_of_11_out_of_13_is_the_published_value():
    low, high = wilson_interval(11, 13)
    assert (round(low, 3), round(high, 3)) == (0.578, 0.957)


@pytest.mark.parametrize("k, n", [(0, 5), (3, 7), (50, 100), (99, 100), (148, 148)])
def test_wilson_interval_equals_scipys_for_whole_counts(k, n):
    expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((expected.low, expected.high), abs=1e-12)


def test_wilson_interval_of_a_perfect_score_stays_below_one():
    low, high = wilson_interval(20, 20)
    assert high == 1.0 and 0.83 < low < 0.84  # 20/20 does not prove 100 %


@pytest.mark.parametrize("n", [20, 135, 148, 1000])
def test_a_perfect_or_null_score_reaches_its_bound_exactly(n):
    # the closed form missed 1.0 by one ulp at 148 of 148, putting the mean above its interval
    assert wilson_interval(n, n)[1] == 1.0 and wilson_interval(0, n)[0] == 0.0
    perfect = interval([1.0] * n)
    assert perfect.low < perfect.mean == perfect.high == 1.0


@pytest.mark.parametrize("values", [
    [1.0] * 147 + [0.9999999999999999],  # a rounding error apart: BCa undefined
    [1.0] * 140 + [0.9999999999999998] * 8,
    [0.9999999999999999] * 148,
])
def test_every_interval_holds_its_mean(values):
    result = interval(values)
    assert result.low <= result.mean <= result.high


def test_wilson_interval_rejects_impossible_counts():
    with pytest.raises(ValueError):
        wilson_interval(3, 0)
    with pytest.raises(ValueError):
        wilson_interval(4, 3)


def test_zero_one_outcomes_get_the_wilson_interval():
    result = interval([1.0] * 11 + [0.0] * 2)
    assert result.method == "wilson" and result.n == 13
    assert result.mean == pytest.approx(11 / 13)
    assert (round(result.low, 3), round(result.high, 3)) == (0.578, 0.957)
    assert interval([True, False, True]).method == "wilson"  # booleans are outcomes too


def test_means_get_a_seeded_bca_interval_around_the_mean():
    values = [1.0, 0.5, 0.333, 1.0, 0.25, 1.0, 0.0, 0.5, 1.0, 0.2] * 5
    result = interval(values)
    assert result.method == "bca"
    assert result.low < result.mean < result.high
    assert interval(values) == result  # seeded: reproducible
    assert interval(values, seed=1) != result


def test_bca_corrects_the_skew_a_percentile_interval_ignores():
    # Mostly perfect scores with a long lower tail: the BCa interval sits lower
    # than the percentile interval of the same resamples.
    values = np.array([1.0] * 40 + [0.9, 0.5, 0.2, 0.0, 0.0])
    rng = np.random.default_rng(0)
    means = values[rng.integers(0, values.size, size=(4000, values.size))].mean(axis=1)
    percentile_low = float(np.percentile(means, 2.5))
    low, high = bca_interval(values)
    assert low < percentile_low
    assert high <= 1.0


def test_bca_interval_narrows_with_more_data():
    small = bca_interval([0.2, 0.9, 0.5, 1.0] * 5)
    large = bca_interval([0.2, 0.9, 0.5, 1.0] * 100)
    assert (large[1] - large[0]) < (small[1] - small[0])


def test_a_degenerate_sample_in_zero_one_gets_the_cautious_wilson_interval():
    assert bca_interval([0.75] * 30) is None  # BCa is undefined here
    result = interval([0.75] * 30)
    assert result.method == "wilson-degenerate"
    assert result.low < 0.75 < result.high
    assert (result.low, result.high) == pytest.approx(wilson_interval(22.5, 30))


def test_a_degenerate_unbounded_sample_gets_a_zero_width_interval():
    result = interval([2.5, 2.5, 2.5])
    assert (result.mean, result.low, result.high, result.method) == (2.5, 2.5, 2.5, "constant")


def test_is_proportion_and_empty_input():
    assert is_proportion([0.0, 1.0, 1.0]) and not is_proportion([0.0, 0.5])
    with pytest.raises(ValueError):
        interval([])
