"""The comprehensive evaluation of scientists (综合评价) and the city's talent tiers.

The model is a YAML file (`data/evaluation/v1.yaml`: components, weights, tier thresholds);
its version is the file's `version` plus a hash of its bytes, stored with every result, so an
edited file is a new version and the derived step re-scores everyone.

Per scientist, from the works in the graph (ending at the latest publication year loaded):

- impact: mean field-normalised citation impact of their works: the record's FWCI where
  OpenAlex gives a usable one (usable_fwci: not the 0 it stores where it computed none), else
  citations over the mean citations of the graph's works of the same
  primary topic and year (at least MIN_BASELINE works; else of the same field and year; else of
  the year);
- citation percentile: the mean of OpenAlex's `citation_normalized_percentile` of their works
  (the share of the works of the same subfield, year and type cited less) over the works whose
  record has one; 0.5, the middle, when none has (not known is not "never cited");
- output: works; momentum: share of the works in the last `recent_years` years;
- leadership: share of works as first, last or corresponding author, plus a bonus for leading
  a derived team (at most 1);
- collaboration: distinct institutions plus distinct countries on their works plus log2(1 +
  distinct co-authors);
- career age: years since the first work (scored only if weighted; used by the YOUNG tier).

Each component becomes a percentile (mid-rank, ingest.derived.heat.percentiles) among the
scientists of the same main field (the field of most of their works' primary topics), the score
is Σ weight * percentile, and the tier is the first of TOP, LEADING, YOUNG, ENGINEER whose
thresholds hold. For a segment, segment fit (works on the segment's topics * their share of the
career) is a percentile among the segment's ranked scientists, stored on RANKED_IN by
`derive_segment_fit`, and weighs `segment_fit_weight`, the rest scaled to make room.

Incremental: the derived step marks the scientists it recomputes; their raw components are
recomputed and their old and new fields marked; each marked field's percentiles, scores and
tiers are recomputed from the stored raw values (numbers, no traversal). A new model version
or a new latest year marks everyone, since both move every raw value. Baselines moved by other
scientists' new works are picked up when a scientist is next marked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.unit_of_work import Writer
from graph.write import evaluation as ev_write
from ingest.derived.heat import percentiles

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "data" / "evaluation" / "v1.yaml"
COMPONENTS = (
    "impact",
    "citation_percentile",
    "output",
    "momentum",
    "leadership",
    "collaboration",
    "career_age",
)
# citation_percentile of a scientist none of whose works has OpenAlex's percentile.
UNKNOWN_PERCENTILE = 0.5
FIT = "segment_fit"
TIERS = ("TOP", "LEADING", "YOUNG", "ENGINEER")
MIN_BASELINE = 3
FIELDS_PER_TRANSACTION = 5
# Rising stars when the model file has no `rising_stars:` section.
RISING = {"max_career_age": 10.0, "momentum": 0.6, "impact": 0.6}


@dataclass(frozen=True)
class Model:
    version: str
    weights: Mapping[str, float]
    descriptions: Mapping[str, str]
    recent_years: int
    team_lead_bonus: float
    segment_fit_weight: float
    tiers: Mapping[str, Mapping[str, float]]
    min_field_size: int
    rising: Mapping[str, float] = dataclasses.field(default_factory=dict)


def parse_model(text: bytes) -> Model:
    """The model in a YAML document; ValueError when it is not a usable model."""
    doc = yaml.safe_load(text)
    comps = doc["components"]
    unknown = set(comps) - set(COMPONENTS)
    if unknown or set(comps) != set(COMPONENTS):
        raise ValueError(f"components must be exactly {COMPONENTS}; got {sorted(comps)}")
    weights = {name: float(comps[name]["weight"]) for name in COMPONENTS}
    if any(w < 0 for w in weights.values()) or abs(sum(weights.values()) - 1) > 1e-6:
        raise ValueError(f"component weights must be >= 0 and add up to 1: {weights}")
    tiers = {name: {k: float(v) for k, v in doc["tiers"][name].items()} for name in TIERS}
    fit_weight = float(doc["segment_fit_weight"])
    if not 0 <= fit_weight < 1:
        raise ValueError("segment_fit_weight must be in [0, 1)")
    return Model(
        version=f"{doc['version']}+{hashlib.sha256(text).hexdigest()[:12]}",
        weights=weights,
        descriptions={n: " ".join(str(comps[n].get("description", "")).split()) for n in comps},
        recent_years=int(doc["recent_years"]),
        team_lead_bonus=float(doc["team_lead_bonus"]),
        segment_fit_weight=fit_weight,
        tiers=tiers,
        min_field_size=int(doc["min_field_size"]),
        rising={k: float(v) for k, v in (doc.get("rising_stars") or RISING).items()},
    )


def load_model(path: Path = DEFAULT_MODEL) -> Model:
    return parse_model(path.read_bytes())


@dataclass
class Baselines:
    """Mean citations per (topic, year), (field, year) and year, with the works counted."""

    topic: dict[tuple[str, int], tuple[int, float]] = dataclasses.field(default_factory=dict)
    field: dict[tuple[str, int], tuple[int, float]] = dataclasses.field(default_factory=dict)
    year: dict[int, tuple[int, float]] = dataclasses.field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[Mapping[str, Any]], field_of: Mapping[str, str]) -> Baselines:
        """From rows {topic, year, works, citations} (citations: their sum)."""
        out = cls()
        sums: dict[Any, list[float]] = {}
        for r in rows:
            n, c, y = int(r["works"]), float(r["citations"]), int(r["year"])
            keys: list[Any] = [("y", y)]
            if r["topic"] is not None:
                keys.append(("t", r["topic"], y))
            if r["topic"] in field_of:
                keys.append(("f", field_of[r["topic"]], y))
            for key in keys:
                acc = sums.setdefault(key, [0, 0.0])
                acc[0] += n
                acc[1] += c
        for key, (total, cited) in sums.items():
            value = (int(total), cited / total)
            if key[0] == "t":
                out.topic[(key[1], key[2])] = value
            elif key[0] == "f":
                out.field[(key[1], key[2])] = value
            else:
                out.year[key[1]] = value
        return out

    def expected(self, topic: str | None, field_id: str | None, year: int) -> float | None:
        for table, key in ((self.topic, (topic, year)), (self.field, (field_id, year))):
            found = table.get(key)  # type: ignore[arg-type]  # None keys simply miss
            if found and found[0] >= MIN_BASELINE:
                return found[1]
        found_year = self.year.get(year)
        return found_year[1] if found_year else None


def usable_fwci(work: Mapping[str, Any]) -> float | None:
    """The record's FWCI when it measures something. OpenAlex stores 0 where it did not compute
    one (preprints such as arXiv records, works older than its citation-year data): an FWCI of
    0 on a work that has been cited is not a measurement (W2525778437: 5,625 citations, FWCI
    0.0), so only an uncited work keeps a 0."""
    fwci = work.get("fwci")
    if fwci is None or (fwci == 0 and (work.get("citations") or 0) > 0):
        return None
    return float(fwci)


def work_impact(
    work: Mapping[str, Any], baselines: Baselines, field_of: Mapping[str, str]
) -> float | None:
    """A usable FWCI (usable_fwci), else citations over the graph's expected citations (a
    baseline of 0 means nobody was cited: as expected, 1.0)."""
    if (fwci := usable_fwci(work)) is not None:
        return fwci
    topic = primary_topic(work)
    expected = baselines.expected(topic, field_of.get(topic or ""), int(work["year"]))
    if expected is None:
        return None
    return float(work["citations"] or 0) / expected if expected > 0 else 1.0


def primary_topic(work: Mapping[str, Any]) -> str | None:
    """The topic OpenAlex marks primary, else the highest-scored one (ties: smallest id), as
    graph.write.evaluation.BASELINES picks it."""
    topics = work.get("topics") or []
    if not topics:
        return None
    best = min(topics, key=lambda t: (not t.get("primary"), -(t.get("score") or 0), t["id"]))
    return str(best["id"])


@dataclass(frozen=True)
class Raw:
    """A scientist's raw component values and what the tiers need besides percentiles."""

    values: Mapping[str, float]
    field: str | None
    works: int
    industry_share: float


def raw_components(
    works: Sequence[Mapping[str, Any]],
    *,
    leads_team: bool,
    end: int,
    model: Model,
    baselines: Baselines,
    field_of: Mapping[str, str],
) -> Raw:
    """Works: {year, fwci, percentile, citations, lead, industry, institutions, countries,
    topics, coauthors}."""
    if not works:
        return Raw({n: 0.0 for n in COMPONENTS}, None, 0, 0.0)
    impacts = [v for w in works if (v := work_impact(w, baselines, field_of)) is not None]
    years = [int(w["year"]) for w in works]
    lead = sum(1 for w in works if w["lead"]) / len(works)
    institutions = {i for w in works for i in w["institutions"] or []}
    countries = {c for w in works for c in w["countries"] or [] if c}
    coauthors = {a for w in works for a in w.get("coauthors") or []}
    fields = Counter(f for w in works if (f := field_of.get(primary_topic(w) or "")))
    main = min(fields, key=lambda f: (-fields[f], f)) if fields else None
    ranks = [float(w["percentile"]) for w in works if w.get("percentile") is not None]
    values = {
        "impact": sum(impacts) / len(impacts) if impacts else 0.0,
        "citation_percentile": sum(ranks) / len(ranks) if ranks else UNKNOWN_PERCENTILE,
        "output": float(len(works)),
        "momentum": sum(1 for y in years if y > end - model.recent_years) / len(works),
        "leadership": min(1.0, lead + (model.team_lead_bonus if leads_team else 0.0)),
        "collaboration": collaboration(len(institutions), len(countries), len(coauthors)),
        "career_age": float(end - min(years) + 1),
    }
    industry = sum(1 for w in works if w["industry"]) / len(works)
    return Raw(values, main, len(works), industry)


def collaboration(institutions: int, countries: int, coauthors: int) -> float:
    """Distinct institutions plus distinct countries on their works plus log2(1 + distinct
    co-authors): records that name no institution (arXiv preprints) still show who a person
    worked with, and the logarithm keeps a 1,000-author consortium from outweighing the
    institutions."""
    return institutions + countries + math.log2(1 + coauthors)


def weighted(percentile: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The score: Σ weight * percentile."""
    return sum(w * percentile.get(name, 0.0) for name, w in weights.items())


@dataclass(frozen=True)
class Scored:
    score: float
    score_percentile: float
    percentiles: Mapping[str, float]
    tier: str | None
    rising: float | None = None


def score_field(population: Mapping[str, Raw], model: Model) -> dict[str, Scored]:
    """Percentiles, score, score percentile and tier of every scientist of one field."""
    pct = {
        name: percentiles({k: r.values[name] for k, r in population.items()}) for name in COMPONENTS
    }
    per = {k: {name: pct[name][k] for name in COMPONENTS} for k in population}
    scores = {k: weighted(per[k], model.weights) for k in population}
    score_pct = percentiles(dict(scores))
    big_enough = len(population) >= model.min_field_size
    return {
        k: Scored(
            scores[k],
            score_pct[k],
            per[k],
            tier_of(population[k], per[k], score_pct[k], model) if big_enough else None,
            rising_of(population[k], per[k], model) if big_enough else None,
        )
        for k in population
    }


def rising_of(raw: Raw, pct: Mapping[str, float], model: Model) -> float | None:
    """The rising-star score (mean of the momentum and impact percentiles) when the model's
    `rising_stars` thresholds hold, else None."""
    bounds = {**RISING, **model.rising}
    if raw.values["career_age"] > bounds["max_career_age"]:
        return None
    if pct["momentum"] < bounds["momentum"] or pct["impact"] < bounds["impact"]:
        return None
    return (pct["momentum"] + pct["impact"]) / 2


def tier_of(raw: Raw, pct: Mapping[str, float], score_pct: float, model: Model) -> str | None:
    """The first tier whose thresholds all hold. Keys: `score` and component names are field
    percentiles; min_/max_career_age years; min_works works; industry_share a share."""
    for tier in TIERS:
        if all(_holds(key, bound, raw, pct, score_pct) for key, bound in model.tiers[tier].items()):
            return tier
    return None


def _holds(key: str, bound: float, raw: Raw, pct: Mapping[str, float], score_pct: float) -> bool:
    if key == "score":
        return score_pct >= bound
    if key == "min_career_age":
        return raw.values["career_age"] >= bound
    if key == "max_career_age":
        return raw.values["career_age"] <= bound
    if key == "min_works":
        return raw.works >= bound
    if key == "industry_share":
        return raw.industry_share >= bound
    if key in pct:
        return pct[key] >= bound
    raise ValueError(f"unknown tier threshold {key!r}")


def segment_fit(matching: int, total: int) -> float:
    """Works on the segment's topics * their share of the career: 10 of 20 gives 5, 10 of 100
    gives 1."""
    return matching * matching / total if total else 0.0


def derive_evaluation(
    writer: Writer,
    model: Model | None = None,
    *,
    chunk: int = 500,
    write_chunk: int = ev_write.WRITE_CHUNK,
) -> int:
    """Re-score the marked scientists (`chunk` at a time) and their fields (their scores
    written `write_chunk` rows a transaction); the scientists re-scored."""
    model = model or load_model()
    end = writer(ev_write.latest_year)
    if end is None:
        return 0
    stamp = f"{model.version}@{end}"
    if writer(ev_write.stale, stamp):
        writer(ev_write.mark_all)
    if not writer(ev_write.dirty_scientists, 1):
        return 0
    field_of = writer(ev_write.topic_fields)
    baselines = Baselines.build(writer(ev_write.baselines), field_of)
    done = 0
    while ids := writer(ev_write.dirty_scientists, chunk):
        rows = []
        for sid, works, leads in writer(ev_write.scientist_works, ids):
            raw = raw_components(
                works,
                leads_team=leads,
                end=end,
                model=model,
                baselines=baselines,
                field_of=field_of,
            )
            rows.append(
                {
                    "id": sid,
                    "field": raw.field,
                    "props": {
                        "eval_stamp": stamp,
                        "eval_values": [round(raw.values[n], 6) for n in COMPONENTS],
                        "eval_works": raw.works,
                        "eval_industry_share": round(raw.industry_share, 6),
                    },
                }
            )
        writer(ev_write.write_raw, rows, ids)
        done += len(ids)
    # A few fields at a time, their scores written in chunks (graph/write/evaluation.py): at
    # 1M authorships one field's scores in one transaction went over Neo4j's transaction
    # memory. A field's mark goes only once all its scores are written, so a run stopped
    # between chunks scores the whole field again.
    while fields := writer(ev_write.dirty_fields, FIELDS_PER_TRANSACTION):
        populations = writer(ev_write.field_populations, fields)
        rows = [row for f, people in populations.items() for row in _score_rows(f, people, model)]
        for start in range(0, len(rows), write_chunk):
            writer(ev_write.write_scores, rows[start : start + write_chunk])
        writer(ev_write.clear_fields, fields)
    return done


def _score_rows(
    field_id: str, population: ev_write.Population, model: Model
) -> list[dict[str, Any]]:
    raws = {
        sid: Raw(dict(zip(COMPONENTS, values, strict=True)), field_id, works, share)
        for sid, values, works, share in population
    }
    return [
        {
            "id": sid,
            "props": {
                "eval_version": model.version,
                "eval_score": round(s.score, 6),
                "eval_score_percentile": round(s.score_percentile, 6),
                "eval_tier": s.tier,
                "eval_rising": round(s.rising, 6) if s.rising is not None else None,
                "eval_names": list(COMPONENTS),
                "eval_percentiles": [round(s.percentiles[n], 6) for n in COMPONENTS],
                "eval_weights": [model.weights[n] for n in COMPONENTS],
                "eval_fit_weight": model.segment_fit_weight,
            },
        }
        for sid, s in score_field(raws, model).items()
    ]


def _fit_rows(counts: ev_write.SegmentCounts) -> list[dict[str, Any]]:
    fits = {sid: segment_fit(matching, total) for sid, matching, total in counts}
    pct = percentiles(dict(fits))
    return [
        {"id": k, "fit": round(v, 6), "fit_percentile": round(pct[k], 6)} for k, v in fits.items()
    ]


def derive_segment_fit(writer: Writer, segments: list[str], *, chunk: int = 50) -> int:
    """Segment fit of these segments' ranked scientists, on their RANKED_IN edges; how many."""
    done = 0
    for start in range(0, len(segments), chunk):
        counts = writer(ev_write.segment_counts, segments[start : start + chunk])
        rows = [
            {**row, "segment": seg} for seg, found in counts.items() for row in _fit_rows(found)
        ]
        for at in range(0, len(rows), ev_write.WRITE_CHUNK):
            done += writer(ev_write.write_segment_fit, rows[at : at + ev_write.WRITE_CHUNK])
    return done
