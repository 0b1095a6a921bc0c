"""The evaluation model's results, as the derived step stored them (ingest/derived/evaluation.py):
a scientist's score, tier and components, overall or for a chain segment.

A batch function for per-request DataLoaders: one query per batch of (scientist, segment) keys.
For a segment, the stored overall weights are scaled by (1 - the stored segment-fit weight) and
segment fit (on the scientist's RANKED_IN edge to it; 0 when not ranked there) takes the rest;
the arithmetic is done here, on stored numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.nodes import to_model
from graph.reader import Tx, fetch
from schema.labels import Label, Rel
from schema.work import Work

FIT = "segment_fit"

EVALUATIONS = f"""
UNWIND $keys AS key
MATCH (s:{Label.SCIENTIST} {{id: key.scientist}})
OPTIONAL MATCH (s)-[r:{Rel.RANKED_IN} {{segment: key.segment}}]->(:{Label.CHAIN_SEGMENT})
OPTIONAL MATCH (f:{Label.FIELD} {{id: s.eval_field}})
RETURN key.scientist AS scientist, key.segment AS segment, f.name AS field_name,
       f.name_zh AS field_name_zh,
       s {{.eval_version, .eval_field, .eval_score, .eval_score_percentile, .eval_tier,
          .eval_names, .eval_values, .eval_percentiles, .eval_weights, .eval_fit_weight}} AS e,
       r.fit AS fit, r.fit_percentile AS fit_percentile, r.works AS matching
"""


@dataclass(frozen=True)
class EvalKey:
    scientist: str
    segment: str | None = None


@dataclass(frozen=True)
class Component:
    name: str
    value: float
    percentile: float
    weight: float

    @property
    def contribution(self) -> float:
        return self.weight * self.percentile


@dataclass(frozen=True)
class Evaluation:
    scientist: str
    segment: str | None
    version: str
    field: str
    field_name: str | None
    field_name_zh: str | None
    score: float
    score_percentile: float
    tier: str | None
    components: tuple[Component, ...]


def _evaluation(row: dict[str, Any]) -> Evaluation | None:
    e = row["e"]
    if not e or e.get("eval_score") is None:
        return None
    parts = [
        Component(str(n), float(v), float(p), float(w))
        for n, v, p, w in zip(
            e["eval_names"], e["eval_values"], e["eval_percentiles"], e["eval_weights"], strict=True
        )
    ]
    score = float(e["eval_score"])
    if row["segment"] is not None:
        fit_weight = float(e["eval_fit_weight"])
        parts = [
            Component(c.name, c.value, c.percentile, c.weight * (1 - fit_weight)) for c in parts
        ]
        parts.append(
            Component(
                FIT, float(row["fit"] or 0.0), float(row["fit_percentile"] or 0.0), fit_weight
            )
        )
        score = sum(c.contribution for c in parts)
    return Evaluation(
        scientist=str(row["scientist"]),
        segment=row["segment"],
        version=str(e["eval_version"]),
        field=str(e["eval_field"]),
        field_name=row["field_name"],
        field_name_zh=row["field_name_zh"],
        score=score,
        score_percentile=float(e["eval_score_percentile"]),
        tier=e.get("eval_tier"),
        components=tuple(parts),
    )


async def evaluations(tx: Tx, keys: Sequence[EvalKey]) -> list[Evaluation | None]:
    """Each key's evaluation, None when the scientist is unknown or has none (no works with
    topics)."""
    rows = await fetch(
        tx, EVALUATIONS, keys=[{"scientist": k.scientist, "segment": k.segment} for k in keys]
    )
    found = {EvalKey(r["scientist"], r["segment"]): _evaluation(r) for r in rows}
    return [found.get(k) for k in keys]


# The works behind one component of a scientist's evaluation, paged: impact (most cited first),
# citation percentile (those with OpenAlex's percentile, highest first), output (newest first),
# momentum (the last `recent` years', newest first), leadership (first,
# last or corresponding authorship), collaboration (with an institution or a co-author),
# career age (oldest first) and segment fit (about the segment's topics).
EVIDENCE = f"""
UNWIND $keys AS key
MATCH (s:{Label.SCIENTIST} {{id: key.scientist}})
WITH key, s, toInteger(split(coalesce(s.eval_stamp, '@0'), '@')[1]) - $recent AS since
CALL (key, s, since) {{
  MATCH (s)-[a:{Rel.AUTHORED}]->(w:{Label.WORK})
  WHERE w.publication_year IS NOT NULL AND NOT coalesce(w.stub, false) AND CASE key.component
    WHEN 'momentum' THEN w.publication_year > since
    WHEN 'citation_percentile' THEN w.citation_percentile IS NOT NULL
    WHEN 'leadership' THEN a.author_position IN ['first', 'last']
                           OR coalesce(a.is_corresponding, false)
    WHEN 'collaboration' THEN EXISTS {{ (w)-[:{Rel.BY_INSTITUTION}]->(:{Label.INSTITUTION}) }}
                              OR EXISTS {{ (w)<-[:{Rel.AUTHORED}]-(o:{Label.SCIENTIST})
                                           WHERE o <> s }}
    WHEN 'segment_fit' THEN EXISTS {{
      MATCH (seg:{Label.CHAIN_SEGMENT} {{id: key.segment}}), (w)-[:{Rel.ABOUT}]->(t:{Label.TOPIC})
      WHERE (seg)-[:{Rel.NEEDS}]->(t)
         OR (seg)-[:{Rel.NEEDS}]->(:{Label.SUBFIELD})<-[:{Rel.PART_OF}]-(t) }}
    ELSE true END
  WITH w ORDER BY CASE key.component
      WHEN 'impact' THEN -coalesce(w.cited_by_count, 0)
      WHEN 'citation_percentile' THEN -w.citation_percentile
      WHEN 'career_age' THEN w.publication_year
      ELSE -w.publication_year END, w.id
  RETURN collect(properties(w)) AS items
}}
RETURN key.scientist AS scientist, key.component AS component, key.segment AS segment,
       key.offset AS offset, key.limit AS limit, size(items) AS total,
       items[key.offset..key.offset + key.limit] AS page
"""


@dataclass(frozen=True)
class EvidenceKey:
    scientist: str
    component: str
    segment: str | None
    offset: int
    limit: int


@dataclass(frozen=True)
class EvidencePage:
    total: int
    works: tuple[Work, ...]


async def evidence(tx: Tx, keys: Sequence[EvidenceKey], *, recent: int = 5) -> list[EvidencePage]:
    """Each key's page of the works behind the component (EVIDENCE)."""
    rows = await fetch(
        tx,
        EVIDENCE,
        keys=[
            {
                "scientist": k.scientist,
                "component": k.component,
                "segment": k.segment,
                "offset": k.offset,
                "limit": k.limit,
            }
            for k in keys
        ],
        recent=recent,
    )
    found = {
        EvidenceKey(r["scientist"], r["component"], r["segment"], r["offset"], r["limit"]): r
        for r in rows
    }
    pages = []
    for key in keys:
        row = found.get(key)
        if row is None:
            pages.append(EvidencePage(0, ()))
            continue
        works = (to_model(Work, props) for props in row["page"])
        pages.append(EvidencePage(int(row["total"]), tuple(w for w in works if w is not None)))
    return pages
