"""A scientist's evaluation: score, tier, model version and the components that make it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, NotFound
from api.types.case import TalentTier
from api.types.connection import Connection, build_connection, page_window
from api.types.work import Work
from graph.queries import evaluation as model
from graph.reader import Tx
from ingest.derived.evaluation import load_model

_FIT = (
    "Works on the segment's topics times their share of the career, as a percentile among the "
    "segment's ranked scientists."
)


@cache
def _descriptions() -> dict[str, str]:
    # The shipped model file, read once: its descriptions are documentation, not results.
    return {**load_model().descriptions, model.FIT: _FIT}


async def _evidence(tx: Tx, keys: Sequence[model.EvidenceKey]) -> list[model.EvidencePage]:
    # The shipped model's window for momentum, as the derived step used it.
    return await model.evidence(tx, keys, recent=load_model().recent_years)


@strawberry.type(description="One component of the evaluation score.")
class EvaluationComponent:
    scientist: strawberry.Private[str]
    segment_id: strawberry.Private[str | None]
    name: str
    value: float = strawberry.field(description="The raw value (see `description`).")
    percentile: float = strawberry.field(
        description="Share of the scientists of the same main field below it (0..1); for "
        "segment_fit, of the segment's ranked scientists."
    )
    weight: float
    contribution: float = strawberry.field(description="weight * percentile.")
    description: str

    @strawberry.field(
        description="The works behind the component: impact, most cited first; citation "
        "percentile, the works with OpenAlex's percentile, highest first; output, newest first; "
        "momentum, the recent years' works; leadership, first, last or corresponding "
        "authorships; collaboration, works with an institution or a co-author; career age, "
        "oldest first; segment fit, works on the segment's topics."
    )
    async def evidence(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Work]:
        offset, limit = page_window(first, after)
        key = model.EvidenceKey(self.scientist, self.name, self.segment_id, offset, limit)
        page = await info.context.loader(_evidence).load(key)
        return build_connection([Work.from_model(w) for w in page.works], page.total, offset)


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
                    scientist=m.scientist,
                    segment_id=m.segment,
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
