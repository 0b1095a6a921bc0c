"""The world's works per year, per topic, subfield, field and chain segment, from the OpenAlex
API (`group_by=publication_year`): what the heat of a node is computed from when they are
fetched, since a partial graph understates the world.

`talentmap ingest openalex-counts` asks once for all works, then once per node, each by its own
filter: a topic `topics.id:T…`, a subfield `topics.subfield.id:N`, a field `topics.field.id:N`,
a segment its topics OR-ed (`topics.id:T1|T2|…`). A work has up to three topics, so adding up
the topics' counts would count a work once per topic it has in the node; the node's own filter
counts it once, as OpenAlex does. A segment with more topics than one filter may OR
(`MAX_OR`) is asked in chunks, each without the works of the chunks before it
(`topics.id:!T` for each of their topics), so the chunks' counts add up to the segment's.

With `citations`, also the citations each node's works received per year: `group_by` counts
works and never sums, so they are the works' `counts_by_year` added up, paged with cursors
(`select=id,counts_by_year`, one request per 200 works: fine for topics and segments, costly
for a large field; OpenAlex keeps about the last ten years), each chunk of a segment once.

By default: every topic the loaded works are about, their subfields and fields, and every
segment with topics. The counts are stored on the nodes (`world_years`, `world_works`,
`world_totals`, `world_fetched_at`); the derived step's heat then uses them for those nodes
(`source: openalex`). The client is the API job's: the same retries, key and mailto.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graph.unit_of_work import Writer
from graph.write import heat as heat_write
from ingest.errors import IngestError
from ingest.openalex.api import Backoff, OpenAlexClient
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id, taxonomy_id
from schema.labels import Label
from schema.settings import Settings

# OpenAlex ORs at most 100 values in one filter; 50 keeps the URL short (the largest bundled
# segment has 40 topics, so every one is a single request).
MAX_OR = 50


@dataclass(frozen=True)
class CountsReport:
    topics: int
    subfields: int
    fields: int
    segments: int
    years: int  # distinct years in the world totals
    requests: int
    retries: int
    seconds: float

    @property
    def nodes(self) -> int:
        return self.topics + self.subfields + self.fields + self.segments


@dataclass(frozen=True)
class Wanted:
    """The nodes to count, by level (ids as the graph keys them)."""

    topics: Sequence[str] = ()
    subfields: Sequence[str] = ()
    fields: Sequence[str] = ()
    segments: Sequence[str] = ()

    def __bool__(self) -> bool:
        return bool(self.topics or self.subfields or self.fields or self.segments)

    def by_label(self) -> dict[Label, Sequence[str]]:
        return {
            Label.TOPIC: self.topics,
            Label.SUBFIELD: self.subfields,
            Label.FIELD: self.fields,
            Label.CHAIN_SEGMENT: self.segments,
        }


def level_filter(label: Label, node: str) -> str:
    """The OpenAlex works filter of a topic (`T10001`), subfield (`subfields/1702`) or field
    (`fields/17`)."""
    if label == Label.TOPIC:
        return f"topics.id:{node}"
    kind, _, number = node.partition("/")
    if label == Label.SUBFIELD and kind == "subfields":
        return f"topics.subfield.id:{number}"
    if label == Label.FIELD and kind == "fields":
        return f"topics.field.id:{number}"
    raise ValueError(f"no world-count filter for {label} {node!r}")


def segment_filters(topics: Sequence[str], max_or: int = MAX_OR) -> list[str]:
    """A segment's filters, one per chunk of at most `max_or` topics: the chunk's topics OR-ed,
    without the works about any topic of the chunks before it, so that no work is in two
    chunks and their counts add up to the segment's works."""
    ordered = sorted(set(topics))
    filters = []
    for start in range(0, len(ordered), max_or):
        parts = ["topics.id:" + "|".join(ordered[start : start + max_or])]
        parts += [f"topics.id:!{t}" for t in ordered[:start]]
        filters.append(",".join(parts))
    return filters


def normalized(wanted: Wanted) -> Wanted:
    """`wanted` with its ids as the graph keys them (`T10001`, `subfields/1702`, `fields/17`);
    a malformed one is an IngestError naming it."""
    try:
        return Wanted(
            topics=sorted({openalex_id(t, OpenAlexKind.TOPIC) for t in wanted.topics}),
            subfields=sorted({_taxonomy(s, "subfields") for s in wanted.subfields}),
            fields=sorted({_taxonomy(f, "fields") for f in wanted.fields}),
            segments=sorted({s.strip() for s in wanted.segments}),
        )
    except InvalidIdError as e:
        raise IngestError(str(e)) from e


def _taxonomy(value: str, kind: str) -> str:
    text = value.strip()
    key = taxonomy_id(f"{kind}/{text}" if text.isdigit() else text)
    if not key.startswith(f"{kind}/"):
        raise InvalidIdError(f"{value!r} is not a {kind[:-1]} id ({kind}/<digits> or <digits>)")
    return key


def _resolve(writer: Writer, wanted: Wanted) -> Wanted:
    """The nodes asked for, all of them in the graph (else an IngestError naming the others);
    without any: the topics of the loaded works, their subfields and fields, every segment."""
    if not wanted:
        subfields, fields = writer(heat_write.levels_with_works)
        return Wanted(
            topics=writer(heat_write.topics_with_works),
            subfields=subfields,
            fields=fields,
            segments=sorted(s for s, ts in writer(heat_write.segment_topics).items() if ts),
        )
    missing = []
    for label, ids in wanted.by_label().items():
        if ids:
            present = set(writer(heat_write.nodes_present, label, list(ids)))
            missing += [i for i in ids if i not in present]
    if missing:
        raise IngestError(
            "not in the graph (load the taxonomy and the industries first): " + ", ".join(missing)
        )
    return wanted


def fetch_world_counts(
    settings: Settings,
    writer: Writer,
    wanted: Wanted | None = None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    backoff: Backoff | None = None,
    max_or: int = MAX_OR,
    citations: bool = False,
) -> CountsReport:
    """Fetch and store the world's works per year of each node asked for (default: see
    `_resolve`). A node's counts are written as soon as they arrive, so an interrupted run
    keeps what it fetched; running it again refreshes them."""
    started = time.monotonic()
    chosen = _resolve(writer, normalized(wanted or Wanted()))
    plan = _plan(writer, chosen, max_or)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with OpenAlexClient(settings, backoff=backoff) as client:
        totals = client.year_counts("")
        for done, (label, node, filters) in enumerate(plan, start=1):
            counts: dict[int, int] = {}
            for value in filters:
                for year, n in client.year_counts(value).items():
                    counts[year] = counts.get(year, 0) + n
            writer(heat_write.write_world_counts, label, node, counts, totals, stamp)
            if citations:
                cited: dict[int, int] = {}
                for value in filters:
                    for year, n in client.year_citations(value).items():
                        cited[year] = cited.get(year, 0) + n
                writer(heat_write.write_world_citations, label, node, cited)
            if on_progress is not None:
                on_progress(done, len(plan))
        return CountsReport(
            topics=len(chosen.topics),
            subfields=len(chosen.subfields),
            fields=len(chosen.fields),
            segments=len(chosen.segments),
            years=len(totals),
            requests=client.requests,
            retries=client.retries,
            seconds=time.monotonic() - started,
        )


def _plan(writer: Writer, chosen: Wanted, max_or: int) -> list[tuple[Label, str, list[str]]]:
    """(label, node, its filters) for every node to count, topics first."""
    plan: list[tuple[Label, str, list[str]]] = [
        (label, node, [level_filter(label, node)])
        for label, ids in chosen.by_label().items()
        if label != Label.CHAIN_SEGMENT
        for node in ids
    ]
    if chosen.segments:
        topics = writer(heat_write.segment_topics)
        for segment in chosen.segments:
            if not topics.get(segment):
                raise IngestError(f"segment {segment} needs no topic: nothing to count")
            plan.append((Label.CHAIN_SEGMENT, segment, segment_filters(topics[segment], max_or)))
    return plan
