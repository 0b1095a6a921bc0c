"""Backtest of the heat forecast (ingest/derived/forecast.py) on real yearly series.

`python -m bench.forecast [--calibrate]` (also `talentmap eval forecast`): the OpenAlex
institution records (804) and concept records (34) in data/sample/openalex carry
`counts_by_year` (works and citations, up to 14 years). For every origin year Y in 2017..2021,
every method is fitted on the years up to Y and forecasts Y+1..Y+3, which are compared with
what happened: MAPE (actual 0 left out and counted), median APE, and how often the 80%
interval holds the actual value. The snapshot's own year is partial and left out.

Institutions are split in two halves by a hash of their id: the calibration half sets the
interval's quantiles (`--calibrate` prints them for forecast.CALIBRATION), the rest and the
concepts are the test set. The baselines: the last value (interval: a random walk in log
space, plus or minus 1.2816 sigma sqrt(h), sigma the std of the training log differences),
and an ordinary least-squares line over
the training years (interval: the OLS prediction interval, t quantile).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.derived.forecast import HORIZON, Forecast, fit_damped, forecast

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "openalex"
ORIGINS = range(2017, 2022)
Z80 = 1.2816
# Student's t 90% quantiles by degrees of freedom (the training windows have 3 to 12).
T90 = {
    1: 3.078,
    2: 1.886,
    3: 1.638,
    4: 1.533,
    5: 1.476,
    6: 1.440,
    7: 1.415,
    8: 1.397,
    9: 1.383,
    10: 1.372,
    11: 1.363,
    12: 1.356,
}

Method = Callable[[list[int], list[float]], list[Forecast]]


@dataclass(frozen=True)
class Series:
    name: str
    kind: str  # "works" or "citations"
    group: str  # "calibration", "institutions" (test half) or "concepts"
    years: tuple[int, ...]
    values: tuple[float, ...]


def read_series(sample: Path = SAMPLE) -> list[Series]:
    out: list[Series] = []
    for file, group in (("institutions.jsonl", "institutions"), ("concepts.jsonl", "concepts")):
        records = [json.loads(line) for line in (sample / file).open(encoding="utf-8") if line]
        latest = max(c["year"] for r in records for c in r.get("counts_by_year") or [])
        for record in records:
            counts = {
                c["year"]: c for c in record.get("counts_by_year") or [] if c["year"] < latest
            }
            if not counts:
                continue
            years = tuple(range(min(counts), max(counts) + 1))
            half = group
            if group == "institutions":
                digest = hashlib.sha256(record["id"].encode()).digest()[0]
                half = "calibration" if digest % 2 == 0 else "institutions"
            for kind, key in (("works", "works_count"), ("citations", "cited_by_count")):
                values = tuple(float(counts.get(y, {}).get(key) or 0) for y in years)
                out.append(Series(record["id"], kind, half, years, values))
    return out


def last_value(years: list[int], values: list[float]) -> list[Forecast]:
    logs = np.log1p(values)
    sigma = float(np.std(np.diff(logs), ddof=1)) if len(logs) > 2 else 0.1
    out = []
    for h in range(1, HORIZON + 1):
        width = Z80 * sigma * math.sqrt(h)
        log_value = float(logs[-1])
        out.append(
            Forecast(
                years[-1] + h,
                values[-1],
                math.expm1(log_value - width),
                math.expm1(log_value + width),
            )
        )
    return out


def linear_trend(years: list[int], values: list[float]) -> list[Forecast]:
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    n = len(x)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    dof = max(n - 2, 1)
    s = math.sqrt(float(residual @ residual) / dof)
    t = T90.get(dof, Z80)
    mean_x = float(x.mean())
    sxx = float(((x - mean_x) ** 2).sum())
    out = []
    for h in range(1, HORIZON + 1):
        year = years[-1] + h
        value = slope * year + intercept
        width = t * s * math.sqrt(1 + 1 / n + (year - mean_x) ** 2 / sxx)
        out.append(Forecast(year, max(value, 0.0), max(value - width, 0.0), value + width))
    return out


def damped(years: list[int], values: list[float]) -> list[Forecast]:
    return forecast(years, values)


METHODS: dict[str, Method] = {
    "damped trend (ours)": damped,
    "last value": last_value,
    "linear trend": linear_trend,
}


def cases(series: Sequence[Series]) -> Iterator[tuple[Series, list[int], list[float], int]]:
    """(series, training years, training values, origin) with 3 years to check after it and
    at least 5 to train on."""
    for s in series:
        for origin in ORIGINS:
            if origin not in s.years or origin + HORIZON not in s.years:
                continue
            cut = s.years.index(origin) + 1
            if cut < 5:
                continue
            yield s, list(s.years[:cut]), list(s.values[:cut]), origin


@dataclass
class Score:
    errors: list[float] = field(default_factory=list)
    zero_actuals: int = 0
    covered: int = 0
    checked: int = 0

    def add(self, predicted: Forecast, actual: float) -> None:
        self.checked += 1
        self.covered += predicted.low <= actual <= predicted.high
        if actual == 0:
            self.zero_actuals += 1
        else:
            self.errors.append(abs(predicted.value - actual) / actual)


def backtest(series: Sequence[Series]) -> dict[tuple[str, str, str, int], Score]:
    """Scores per (group, kind, method, horizon); horizon 0 is all three."""
    scores: dict[tuple[str, str, str, int], Score] = {}
    for s, years, values, _origin in cases(series):
        actual = dict(zip(s.years, s.values, strict=True))
        for name, method in METHODS.items():
            for h, predicted in enumerate(method(years, values), start=1):
                for key_h in (h, 0):
                    key = (s.group, s.kind, name, key_h)
                    scores.setdefault(key, Score()).add(predicted, actual[predicted.year])
    return scores


def calibrate(series: Sequence[Series]) -> list[tuple[float, float]]:
    """The 10% and 90% quantiles of the standardised log error per horizon, on the
    calibration half."""
    errors: list[list[float]] = [[] for _ in range(HORIZON)]
    for s, years, values, _origin in cases([x for x in series if x.group == "calibration"]):
        fit = fit_damped(values)
        actual = dict(zip(s.years, s.values, strict=True))
        for h, predicted in enumerate(damped(years, values), start=1):
            error = math.log1p(actual[predicted.year]) - math.log1p(predicted.value)
            errors[h - 1].append(error / fit.scale)
    return [
        (round(float(np.quantile(e, 0.1)), 2), round(float(np.quantile(e, 0.9)), 2)) for e in errors
    ]


def table(scores: dict[tuple[str, str, str, int], Score]) -> str:
    lines = [
        "| series | set | method | cases | MAPE h1 | MAPE h2 | MAPE h3 | MAPE all "
        "| median APE | 80% coverage |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for group in ("institutions", "concepts", "calibration"):
        for kind in ("works", "citations"):
            for name in METHODS:
                total = scores.get((group, kind, name, 0))
                if total is None:
                    continue
                mape = [
                    100 * float(np.mean(scores[(group, kind, name, h)].errors))
                    for h in (1, 2, 3, 0)
                ]
                label = {"institutions": "institutions (test half)"}.get(group, group)
                lines.append(
                    f"| {kind} | {label} | {name} | {total.checked} | "
                    + " | ".join(f"{m:.1f}%" for m in mape)
                    + f" | {100 * float(np.median(total.errors)):.1f}%"
                    + f" | {100 * total.covered / total.checked:.1f}% |"
                )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument(
        "--calibrate", action="store_true", help="print the interval quantiles and stop"
    )
    args = parser.parse_args(argv)
    series = read_series(args.sample)
    if args.calibrate:
        print(calibrate(series))
        return
    print(table(backtest(series)))
    zeros = sum(s.zero_actuals for (_, _, _, h), s in backtest(series).items() if h == 0)
    print(f"\nActual values of 0 left out of MAPE (all methods together): {zeros}")


if __name__ == "__main__":
    main()
