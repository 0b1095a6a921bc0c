"""The industrial chains this project ships (`data/industries.yaml`), validated into
Industry and ChainSegment models, and the job that makes the graph match the file.

The whole file is checked before anything is written; every problem is listed with file, line
and entry (`InvalidInputError`). The file's header comment describes the format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.unit_of_work import Writer
from graph.write.industry import IndustrySync, sync_industries
from ingest.reference.yamlfile import Loc, Problems, entry_id, read_yaml
from schema.industry import ChainSegment, Industry

DEFAULT_INDUSTRIES_PATH = Path(__file__).resolve().parents[2] / "data" / "industries.yaml"

STAGES = ("upstream", "midstream", "downstream")
# Set by the loader from where a segment sits, so the file cannot contradict them.
_DERIVED = {
    "industry_id": "it is the industry it is listed under",
    "order": "it is its position in the list",
}


@dataclass(frozen=True)
class IndustryChain:
    """An industry and its segments, upstream first."""

    industry: Industry
    segments: tuple[ChainSegment, ...]


@dataclass(frozen=True)
class IndustriesReport(IndustrySync):
    """What loading the file at `path` did to the graph."""

    path: Path

    @property
    def unknown_topic_ids(self) -> list[str]:
        return sorted({m.target_id for m in self.missing_topics})

    @property
    def unknown_subfield_ids(self) -> list[str]:
        return sorted({m.target_id for m in self.missing_subfields})


def read_industries(path: Path) -> list[IndustryChain]:
    """Every industry of the file, validated; all problems at once as `InvalidInputError`."""
    document = read_yaml(path)
    problems = Problems(document)
    chains: list[IndustryChain] = []
    data = document.data
    if problems.mapping(data, ()):
        unknown = sorted(str(key) for key in data if key != "industries")
        if unknown:
            problems.add((), f"unknown key(s) {', '.join(unknown)}; expected only industries")
        entries = data.get("industries")
        if problems.sequence(entries, ("industries",)):
            if not entries:
                problems.add(("industries",), "no industries listed")
            chains = [
                chain
                for index, entry in enumerate(entries)
                if (chain := _industry(problems, entry, ("industries", index))) is not None
            ]
    _unique(problems, [(c.industry.id, ("industries", i)) for i, c in enumerate(chains)])
    segment_locs = [
        (segment.id, ("industries", i, "segments", segment.order - 1))
        for i, chain in enumerate(chains)
        for segment in chain.segments
    ]
    _unique(problems, segment_locs)
    problems.raise_if_any()
    return chains


def _industry(problems: Problems, entry: Any, loc: Loc) -> IndustryChain | None:
    name = entry_id(entry)
    if not problems.mapping(entry, loc, entry=name):
        return None
    fields = {str(key): value for key, value in entry.items() if key != "segments"}
    industry: Industry | None = None
    try:
        industry = Industry(**fields)
    except ValidationError as e:
        problems.add_validation(loc, e, entry=name)
    raw_segments = entry.get("segments")
    segments: list[ChainSegment] = []
    complete = industry is not None
    if problems.sequence(raw_segments, (*loc, "segments"), entry=name):
        if not raw_segments:
            problems.add((*loc, "segments"), "an industry needs at least one segment", entry=name)
        for position, raw in enumerate(raw_segments):
            segment = _segment(
                problems, raw, (*loc, "segments", position), position, industry, name
            )
            if segment is None:
                complete = False
            else:
                segments.append(segment)
    else:
        complete = False
    _check_stages(problems, segments, loc)
    if industry is None or not complete:
        return None
    return IndustryChain(industry, tuple(segments))


def _segment(
    problems: Problems,
    raw: Any,
    loc: Loc,
    position: int,
    industry: Industry | None,
    industry_name: str | None,
) -> ChainSegment | None:
    name = entry_id(raw)
    if not problems.mapping(raw, loc, entry=name):
        return None
    if problems.given(raw, loc, _DERIVED, entry=name):
        return None
    # An industry that failed validation still names its segments' industry, so the segments'
    # own problems are reported without a cascade of "not under industry" ones.
    prefix = name.split("/", 1)[0] if name else industry_name
    industry_id = industry.id if industry is not None else (prefix or "")
    fields = {str(key): value for key, value in raw.items()}
    try:
        segment = ChainSegment(**fields, industry_id=industry_id, order=position + 1)
    except ValidationError as e:
        problems.add_validation(loc, e, entry=name)
        return None
    if not (segment.topic_ids or segment.subfield_ids or segment.keywords):
        problems.add(
            loc,
            "a segment needs at least one topic id, subfield id or keyword to be matched",
            entry=name,
        )
        return None
    for key, values in (("topic_ids", segment.topic_ids), ("subfield_ids", segment.subfield_ids)):
        for index, value in enumerate(values):
            if value in values[:index]:
                problems.add(
                    loc, f"{key}: {value} is listed twice", entry=name, line_of=(*loc, key, index)
                )
    return segment


def _check_stages(problems: Problems, segments: Sequence[ChainSegment], loc: Loc) -> None:
    """A chain runs upstream, then midstream, then downstream: never back up."""
    for before, after in pairwise(segments):
        if STAGES.index(after.stage) < STAGES.index(before.stage):
            problems.add(
                (*loc, "segments", after.order - 1),
                f"stage {after.stage} after a {before.stage} segment ({before.id}); list the "
                "segments upstream first, then midstream, then downstream",
                entry=after.id,
                line_of=(*loc, "segments", after.order - 1, "stage"),
            )


def _unique(problems: Problems, ids: Sequence[tuple[str, Loc]]) -> None:
    seen: dict[str, Loc] = {}
    for key, loc in ids:
        if key in seen:
            line = problems.document.line(seen[key])
            problems.add(loc, f"id {key} is already used (line {line})", entry=key)
        else:
            seen[key] = loc


def load_industries(writer: Writer, path: Path = DEFAULT_INDUSTRIES_PATH) -> IndustriesReport:
    """Make the graph's curated industries and chain segments exactly those of `path`.

    Validates the whole file first (nothing is written on a problem), then in one transaction
    upserts industries and segments, deletes curated ones the file no longer lists, and
    refreshes PART_OF, UPSTREAM_OF and NEEDS. Topic and subfield ids without a node in the
    graph are returned in the report. Idempotent.
    """
    chains = read_industries(path)
    result = writer(
        sync_industries,
        [chain.industry for chain in chains],
        [segment for chain in chains for segment in chain.segments],
    )
    return IndustriesReport(**vars(result), path=path)
