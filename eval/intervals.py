"""Confidence intervals of evaluation figures: Wilson for proportions, BCa bootstrap for means.

Every headline figure is the mean of one value per question. Which interval
it gets depends on those values, so a metric added later needs no entry here:

* **Proportion** — every value is 0 or 1 (hit@k, abstention rates, a correct
  short answer): the Wilson score interval. A percentile bootstrap of 0/1
  outcomes is too narrow at small n and cannot pass 1.0: 11 abstentions out of
  13 gave [0.615, 1.000], where Wilson gives [0.578, 0.957].
* **Mean** — anything else (MRR, faithfulness, key-fact recall, latency):
  the bias-corrected and accelerated (BCa) bootstrap of `scipy.stats.bootstrap`,
  seeded so a report is reproducible.
* **Degenerate sample** — BCa is undefined when every value is equal (its
  acceleration divides by zero) or a single value is given. Then a figure
  bounded in [0, 1] gets the Wilson interval of `n * mean` successes: among
  variables in [0, 1] with a given mean, a 0/1 variable has the largest
  variance, so this is the cautious interval (20 faithful answers out of 20
  do not prove a faithfulness of 1.0). An unbounded figure (seconds) gets the
  zero-width interval at its value.

`Interval.method` records which rule gave the bounds.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import bootstrap, norm

CONFIDENCE = 0.95  # two-sided confidence level of every reported interval
BOOTSTRAP_RESAMPLES = 4000  # BCa resamples: enough for stable 2.5 % / 97.5 % tails at a few ms per metric
BOOTSTRAP_SEED = 0  # fixed: the same results give the same report


@dataclass(frozen=True)
class Interval:
    """A sample mean with its confidence interval and the method that gave it."""

    mean: float
    low: float
    high: float
    n: int
    method: str  # "wilson", "bca", "wilson-degenerate" or "constant"

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def wilson_interval(successes: float, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of a proportion `successes / n`.

    The closed form (Wilson 1927, no continuity correction), which equals
    `scipy.stats.binomtest(k, n).proportion_ci(method="wilson")` for whole
    `k`; it is written out because the degenerate-mean fallback passes a
    fractional number of successes (`n * mean`).
    """
    if n < 1:
        raise ValueError("a proportion needs at least one observation")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, n]: {successes} of {n}")
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0 or n successes the exact bound is 0 or 1; in floating point `centre ± half`
    # can miss it by one ulp (148 of 148 gave 0.9999999999999999, below the mean 1.0).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def is_proportion(values: Sequence[float]) -> bool:
    """True when every value is a 0/1 outcome."""
    return all(v in (0.0, 1.0) for v in values)


def _bounded(values: np.ndarray) -> bool:
    return bool(np.all((values >= 0.0) & (values <= 1.0)))


def bca_interval(
    values: Sequence[float],
    *,
    confidence: float = CONFIDENCE,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float] | None:
    """The BCa bootstrap interval of the mean, or None when it is undefined (degenerate sample)."""
    data = np.asarray(values, dtype=float)
    if data.size < 2 or np.all(data == data[0]):
        return None
    with warnings.catch_warnings():
        # scipy warns, then returns NaN, when the jackknife acceleration is undefined
        warnings.simplefilter("ignore")
        result = bootstrap(
            (data,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
            method="BCa", random_state=np.random.default_rng(seed),
        )
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    if math.isnan(low) or math.isnan(high):
        return None
    return low, high


def interval(values: Sequence[float], *, confidence: float = CONFIDENCE, seed: int = BOOTSTRAP_SEED) -> Interval:
    """The mean of `values` with its interval, chosen as the module docstring says."""
    data = np.asarray(list(values), dtype=float)
    if data.size == 0:
        raise ValueError("an interval needs at least one value")
    mean, n = float(data.mean()), int(data.size)
    if is_proportion(data.tolist()):
        low, high = wilson_interval(float(data.sum()), n, confidence)
        return _around(mean, low, high, n, "wilson")
    bounds = bca_interval(data, confidence=confidence, seed=seed)
    if bounds is not None:
        # BCa bounds are order statistics of resampled means
        return _around(mean, bounds[0], bounds[1], n, "bca")
    if _bounded(data):
        # values a rounding error apart (1.0 and 0.9999999999999999) land here too
        low, high = wilson_interval(min(mean * n, n), n, confidence)
        return _around(mean, low, high, n, "wilson-degenerate")
    return Interval(mean, mean, mean, n, "constant")


def _around(mean: float, low: float, high: float, n: int, method: str) -> Interval:
    """The interval with its bounds widened, by rounding errors at most, to hold the mean."""
    return Interval(mean, min(low, mean), max(high, mean), n, method)
