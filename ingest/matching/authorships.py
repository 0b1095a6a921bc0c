"""The affiliation matcher in ingestion: raw affiliation strings to the graph's institutions.

- `GraphMatcher`: the matcher (`ingest.matching.affiliations.Matcher`, used only through
  `match`) over the graph's ROR institutions, and what its ROR ids are as institution node ids.
  Building it takes a while (about a minute for all of ROR), so callers build it only when they have
  strings to match (`LazyMatcher`).
- `match_authorships`: the ingestion step for OpenAlex authorships with raw affiliation
  strings their record links to no institution (`unlinked_affiliation`). It matches only the
  authorships not matched yet (or whose strings changed since), stores the result on the
  authorship (graph.write.affiliation) and marks the scientists whose matches changed;
  the derive step then turns them into `AFFILIATED_WITH {source: "matcher", confidence}`
  edges, apart from the edges of structured sources, which it never touches. A re-run with
  nothing new reads one count and does not build the matcher.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from graph.unit_of_work import Writer
from graph.write import affiliation as repo
from ingest.matching.affiliations import Entry, Match, Matcher


@dataclass(frozen=True)
class GraphMatcher:
    matcher: Matcher
    node_ids: dict[str, str]  # ROR id -> institution node id
    seconds: float = 0.0  # how long building took

    def institutions(self, match: Match) -> list[tuple[str, float]]:
        """The institution node ids a match names, each with the match's confidence."""
        return [(self.node_ids[r], match.confidence) for r in match.ror_ids if r in self.node_ids]


def matcher_from_rows(rows: Sequence[dict[str, object]]) -> GraphMatcher:
    """The matcher over registry rows (graph.write.affiliation.affiliation_registry)."""
    started = time.perf_counter()
    matcher = Matcher([Entry.from_graph(row) for row in rows])
    node_ids = {str(row["ror_id"]): str(row.get("id") or row["ror_id"]) for row in rows}
    return GraphMatcher(matcher, node_ids, time.perf_counter() - started)


def matcher_from_graph(writer: Writer) -> GraphMatcher:
    """The matcher over every ROR institution in the graph (empty when there is none)."""
    return matcher_from_rows(writer(repo.affiliation_registry))


class LazyMatcher:
    """Builds the matcher on first use, once."""

    def __init__(self, build: Callable[[], GraphMatcher]) -> None:
        self._build = build
        self._built: GraphMatcher | None = None

    @property
    def built(self) -> bool:
        return self._built is not None

    def get(self) -> GraphMatcher:
        if self._built is None:
            self._built = self._build()
        return self._built


@dataclass
class AuthorshipMatchReport:
    pending: int = 0  # authorships to match at the start
    matched: int = 0  # of them, those the matcher linked to at least one institution
    links: int = 0  # (authorship, institution) pairs found
    strings: int = 0  # distinct raw strings matched
    registry: int = 0  # institutions in the matcher (0: not built)
    build_seconds: float = 0.0
    seconds: float = 0.0
    institutions: dict[str, int] = field(default_factory=dict)  # node id -> authorships

    @property
    def abstained(self) -> int:
        return self.pending - self.matched


def match_authorships(
    writer: Writer,
    matcher: LazyMatcher | None = None,
    *,
    rematch: bool = False,
    chunk: int = 500,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> AuthorshipMatchReport:
    """Match the raw strings of the authorships that need it; idempotent. `rematch` first makes
    every matched authorship pending again (after the registry changed). The matcher is
    built from the graph unless given, and only when there is something to match."""
    started = time.perf_counter()
    report = AuthorshipMatchReport()
    if rematch:
        writer(repo.forget_matches)
    report.pending = writer(repo.pending_count)
    if not report.pending:
        report.seconds = time.perf_counter() - started
        return report
    lazy = matcher or LazyMatcher(lambda: matcher_from_graph(writer))
    built = lazy.get()
    report.registry = len(built.node_ids)
    report.build_seconds = built.seconds
    if not built.node_ids:  # no ROR institution loaded yet: left pending, not abstained
        report.seconds = time.perf_counter() - started
        return report
    cache: dict[str, Match] = {}
    after: str | None = ""
    done = 0
    while after is not None:
        page, after = writer(repo.pending_page, after, chunk)
        if not page:
            continue
        results = []
        for pending in page:
            found: dict[str, float] = {}
            for text in pending.strings:
                if text not in cache:
                    cache[text] = built.matcher.match(text)
                for node_id, confidence in built.institutions(cache[text]):
                    found[node_id] = max(confidence, found.get(node_id, 0.0))
            results.append(
                repo.AuthorshipMatch(
                    pending.scientist_id,
                    pending.work_id,
                    pending.strings,
                    tuple(found),
                    tuple(found.values()),
                )
            )
            if found:
                report.matched += 1
                report.links += len(found)
                for node_id in found:
                    report.institutions[node_id] = report.institutions.get(node_id, 0) + 1
        writer(repo.record_matches, results)
        done += len(page)
        if on_progress is not None:
            on_progress(done, report.pending)
    report.strings = len(cache)
    report.seconds = time.perf_counter() - started
    return report
