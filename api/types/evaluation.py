"""A scientist's evaluation: score, tier, model version and the components that make it."""

from __future__ import annotations

from functools import cache
from typing import Annotated

import strawberry

from api.errors import InvalidId, NotFound
from api.types.case import TalentTier
from graph.queries import evaluation as model
from ingest.derived.evaluation import load_model

_FIT = (
    "Works on the segment's topics times their share of the career, as a percentile among the "
    "segment's ranked scientists."
)


@cache
def _descriptions() -> dict[str, str]:
    # The shipped model file, read once: its descriptions are documentation, not results.
    return {**load_model().descriptions, model.FIT: _FIT}


@strawberry.type(description="One component of the evaluation score.")
class EvaluationComponent:
    name: str
    value: float = strawberry.field(description="The raw value (see `description`).")
    percentile: float = strawberry.field(
        description="Share of the scientists of the same main field below it (0..1); for "
        "segment_fit, of the segment's ranked scientists."
    )
    weight: float
    contribution: float = strawberry.field(description="weight * percentile.")
    description: str


@strawberry.type(
    description="A scientist's score under the evaluation model (overall, or for a chain "
    "segment), its tier and components; the contributions add up to `score`."
)
class Evaluation:
    score: float
    score_percentile: float = strawberry.field(
        description="Overall score's percentile within the main field (what the tiers use)."
    )
    tier: TalentTier | None
    model_version: str = strawberry.field(
        description="data/evaluation/*.yaml's version + a hash of the file that scored it."
    )
    field: strawberry.ID = strawberry.field(description="The main field percentiles are in.")
    field_name: str | None = strawberry.field(
        description="The main field's name in English (the OpenAlex taxonomy's)."
    )
    field_name_zh: str | None = strawberry.field(
        description="The main field's name in Chinese, where the taxonomy has one (null: "
        "show field_name)."
    )
    segment: strawberry.ID | None
    components: list[EvaluationComponent]

    @classmethod
    def from_model(cls, m: model.Evaluation) -> Evaluation:
        notes = _descriptions()
        return cls(
            score=round(m.score, 6),
            score_percentile=m.score_percentile,
            tier=TalentTier(m.tier) if m.tier else None,
            model_version=m.version,
            field=strawberry.ID(m.field),
            field_name=m.field_name,
            field_name_zh=m.field_name_zh,
            segment=strawberry.ID(m.segment) if m.segment else None,
            components=[
                EvaluationComponent(
                    name=c.name,
                    value=c.value,
                    percentile=c.percentile,
                    weight=round(c.weight, 6),
                    contribution=round(c.contribution, 6),
                    description=notes.get(c.name, ""),
                )
                for c in m.components
            ],
        )


EvaluationResult = Annotated[
    Evaluation | NotFound | InvalidId, strawberry.union("EvaluationResult")
]
