"""The world's works per year, per topic, from the OpenAlex API (`group_by=publication_year`):
what the heat of a topic is computed from when they are fetched, since a partial graph
understates the world.

`talentmap ingest openalex-counts` asks once for all works, then once per topic (by default
every topic the loaded works are about), and stores the counts on the Topic nodes
(`world_years`, `world_works`, `world_totals`, `world_fetched_at`); the derived step's heat then
uses them for those topics (`source: openalex`). The client is the API job's: the same retries,
key and mailto.
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
from schema.ids import OpenAlexKind, openalex_id
from schema.settings import Settings


@dataclass(frozen=True)
class CountsReport:
    topics: int
    years: int  # distinct years in the world totals
    requests: int
    retries: int
    seconds: float


def fetch_topic_counts(
    settings: Settings,
    writer: Writer,
    topics: Sequence[str] | None = None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    backoff: Backoff | None = None,
) -> CountsReport:
    """Fetch and store the world's works per year of each topic (`topics`: T-ids; default the
    topics of the loaded works). A topic's counts are written as soon as they arrive, so an
    interrupted run keeps what it fetched; running it again refreshes them."""
    started = time.monotonic()
    if topics:
        wanted = sorted({openalex_id(t, OpenAlexKind.TOPIC) for t in topics})
        missing = sorted(set(wanted) - set(writer(heat_write.topics_present, wanted)))
        if missing:
            raise IngestError(
                f"not topics of the graph (load the taxonomy first): {', '.join(missing)}"
            )
    else:
        wanted = writer(heat_write.topics_with_works)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with OpenAlexClient(settings, backoff=backoff) as client:
        totals = client.year_counts("")
        for done, topic in enumerate(wanted, start=1):
            counts = client.year_counts(f"topics.id:{topic}")
            writer(heat_write.write_world_counts, topic, counts, totals, stamp)
            if on_progress is not None:
                on_progress(done, len(wanted))
        return CountsReport(
            topics=len(wanted),
            years=len(totals),
            requests=client.requests,
            retries=client.retries,
            seconds=time.monotonic() - started,
        )
