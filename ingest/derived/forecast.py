"""Yearly counts: growth, acceleration and a 3-year forecast with an 80% interval.

The method (chosen by the backtest in bench/forecast.py, on the OpenAlex institutions' and
concepts' `counts_by_year`):

- Damped-trend exponential smoothing (Holt's linear method with a damping factor, Gardner and
  McKenzie 1985) on log(1 + count): counts grow multiplicatively and never go below zero, and
  the damping keeps a few good years from being extrapolated for ever. One set of smoothing
  parameters for all series, chosen on a calibration set (see ALPHA): a series of 5 to 13
  years is too short to choose its own without overfitting, and a fit costs microseconds,
  not the ~50 ms of a statsmodels fit, which matters for 4,500 topics in the derived step.
- The interval is split-conformal: the forecast's log error at horizon h, divided by the
  series' own in-sample one-step error (floored), has empirical 10% and 90% quantiles that
  the backtest measures on a calibration half of the institutions (`CALIBRATION`); the
  interval is the forecast times exp(quantile * scale). Coverage is then measured on the
  other half and on the concepts, which the calibration never saw.

Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

HORIZON = 3
# Level smoothing, trend smoothing, damping: one set for every series, chosen on the
# calibration half of the institutions (the lowest 3-year MAPE over a grid of alpha 0.3..1,
# beta 0..0.4, phi 0..0.9; per-series choice from 5..12 training years overfitted and lost
# to the last value, see the README).
ALPHA = 0.5
BETA = 0.2
PHI = 0.5
# Smallest in-sample one-step log error the interval scales with: a perfectly smooth training
# series would otherwise give an interval of zero width.
SCALE_FLOOR = 0.05
# Standardised log-error quantiles (10%, 90%) per horizon 1..3, measured by
# `python -m bench.forecast --calibrate` on the calibration half of the institutions
# (origins 2017..2021); see the README's backtest table.
CALIBRATION: tuple[tuple[float, float], ...] = (
    (-0.99, 2.07),
    (-1.07, 3.17),
    (-1.28, 3.65),
)


@dataclass(frozen=True)
class Forecast:
    year: int
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Fit:
    """The chosen parameters, the final level and trend (log space), the in-sample scale."""

    alpha: float
    beta: float
    phi: float
    level: float
    trend: float
    scale: float


def fit_damped(
    values: Sequence[float], alpha: float = ALPHA, beta: float = BETA, phi: float = PHI
) -> Fit:
    """Run damped-trend smoothing over log(1 + values) (at least two values)."""
    y = np.log1p(np.asarray(values, dtype=float))
    if len(y) < 2:
        raise ValueError("a trend needs at least two years")
    level, trend = float(y[0]), float(y[1] - y[0])
    sse = 0.0
    for t in range(1, len(y)):
        predicted = level + phi * trend
        error = float(y[t]) - predicted
        if t >= 2:  # the first step only sets the trend it was started from
            sse += error**2
        level = predicted + alpha * error
        trend = phi * trend + alpha * beta * error
    scale = max(math.sqrt(sse / max(len(y) - 2, 1)), SCALE_FLOOR)
    return Fit(alpha, beta, phi, level, trend, scale)


def forecast(
    years: Sequence[int],
    values: Sequence[float],
    horizon: int = HORIZON,
    calibration: Sequence[tuple[float, float]] = CALIBRATION,
) -> list[Forecast]:
    """The next `horizon` years after the last of `years` (consecutive, oldest first)."""
    if not values:
        return []
    if len(values) == 1:
        fit = Fit(1.0, 0.0, 1.0, math.log1p(values[0]), 0.0, 1.0)
    else:
        fit = fit_damped(values)
    out = []
    damp = 0.0
    for h in range(1, horizon + 1):
        damp += fit.phi**h
        log_value = fit.level + damp * fit.trend
        q_low, q_high = calibration[min(h, len(calibration)) - 1]
        out.append(
            Forecast(
                year=years[-1] + h,
                value=_count(log_value),
                low=_count(log_value + q_low * fit.scale),
                high=_count(log_value + q_high * fit.scale),
            )
        )
    return out


def _count(log_value: float) -> float:
    return max(math.expm1(min(log_value, 50.0)), 0.0)


def cagr(values: Sequence[float], span: int = 3) -> float | None:
    """Compound annual growth over the last `span` years (the last value against the one
    `span` years before); None when there are too few years or the start is zero."""
    if len(values) <= span or values[-1 - span] <= 0:
        return None
    return float((values[-1] / values[-1 - span]) ** (1 / span) - 1)


def window_growth(values: Sequence[float], span: int = 3) -> float | None:
    """Annual growth between the last `span` years' total and the `span` years' before it,
    ((recent / previous) ** (1 / span) - 1): a 3-year CAGR that sparse counts (a topic with a
    few works a year) do not turn into noise; None when the previous total is 0."""
    if len(values) < 2 * span:
        return None
    recent = sum(values[-span:])
    previous = sum(values[-2 * span : -span])
    if previous <= 0:
        return None
    return float((recent / previous) ** (1 / span) - 1)


def acceleration(values: Sequence[float], span: int = 3) -> float | None:
    """The change of growth: this year's `window_growth` minus last year's."""
    now = window_growth(values, span)
    before = window_growth(values[:-1], span)
    if now is None or before is None:
        return None
    return now - before
