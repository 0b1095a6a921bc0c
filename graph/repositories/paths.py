"""Introduction paths: the shortest co-author chains from a scientist to a scientist, to anyone
affiliated with an institution, or to anyone affiliated with an institution in a region.

A breadth-first search over COAUTHORED (stored once per pair, walked both ways), one Cypher
query per level for the whole frontier and one to find which newly reached people are targets,
inside one read transaction; so a search costs at most 2 x max_hops + 1 queries whatever the
graph. It is bounded three ways: `max_hops` (at most MAX_HOPS), the people one level may add
(MAX_FRONTIER; a search cut there says `truncated`) and the shortest paths it enumerates
(MAX_PATHS, strongest ties first).

Among the shortest paths, strong ties win: the weakest hop's shared works, then the total, then
the ids along the path (for a stable order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.reader import Tx, fetch
from graph.records import to_model
from graph.repositories.region import in_region_pattern, region_node_match
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.work import Work

MAX_HOPS = 4
MAX_FRONTIER = 20_000
MAX_PATHS = 2_000
EVIDENCE_PER_HOP = 5


class TargetKind(StrEnum):
    SCIENTIST = "scientist"
    INSTITUTION = "institution"
    REGION = "region"


NEIGHBOURS = f"""
UNWIND $ids AS sid
MATCH (:{Label.SCIENTIST} {{id: sid}})-[c:{Rel.COAUTHORED}]-(n:{Label.SCIENTIST})
RETURN sid, n.id AS nid, c.works AS works
LIMIT $limit
"""
# Which of `$ids` are targets: affiliated (any AFFILIATED_WITH) with the institution, or with an
# institution in the region.
TARGETS = {
    TargetKind.INSTITUTION: f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
WHERE EXISTS {{ (s)-[:{Rel.AFFILIATED_WITH}]->(:{Label.INSTITUTION} {{id: $target}}) }}
RETURN sid
""",
    TargetKind.REGION: f"""
{region_node_match("target", "r")}
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
WHERE EXISTS {{
  MATCH (s)-[:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
  MATCH {in_region_pattern("i", "r")}
}}
RETURN sid
""",
}
# Each hop: both people, the tie, and the newest works both authored.
HOPS = f"""
UNWIND $pairs AS pair
MATCH (a:{Label.SCIENTIST} {{id: pair.a}})-[c:{Rel.COAUTHORED}]-(b:{Label.SCIENTIST} {{id: pair.b}})
CALL (a, b) {{
  OPTIONAL MATCH (a)-[:{Rel.AUTHORED}]->(w:{Label.WORK})<-[:{Rel.AUTHORED}]-(b)
  WITH DISTINCT w
  ORDER BY w.publication_year DESC, w.publication_date DESC, w.id
  LIMIT $per_hop
  RETURN collect(properties(w)) AS works
}}
RETURN pair.a AS a, pair.b AS b, properties(a) AS a_props, properties(b) AS b_props,
       c.works AS shared, c.first_year AS first_year, c.last_year AS last_year, works
"""


@dataclass(frozen=True)
class PathKey:
    source_id: str
    target_kind: TargetKind
    target_id: str
    max_hops: int
    first: int


@dataclass(frozen=True)
class Hop:
    source: Scientist
    target: Scientist
    shared_works: int
    first_year: int | None
    last_year: int | None
    works: list[Work]


@dataclass(frozen=True)
class IntroPath:
    hops: list[Hop]
    weakest: int
    total: int


@dataclass(frozen=True)
class PathSearch:
    paths: list[IntroPath]
    # Hops of the shortest paths (None when no target is within reach).
    length: int | None
    # Shortest paths enumerated and ranked (at most MAX_PATHS).
    considered: int
    # The search stopped at a bound (frontier or path cap) before seeing everything.
    truncated: bool


async def _targets(tx: Tx, key: PathKey, ids: list[str]) -> set[str]:
    if key.target_kind is TargetKind.SCIENTIST:
        return {key.target_id} & set(ids)
    rows = await fetch(tx, TARGETS[key.target_kind], ids=ids, target=key.target_id)
    return {str(r["sid"]) for r in rows}


async def _search(tx: Tx, key: PathKey) -> PathSearch:
    if not 1 <= key.max_hops <= MAX_HOPS:
        raise ValueError(f"max_hops must be 1..{MAX_HOPS}, got {key.max_hops}")
    # parents[n] = [(parent, shared works)] for n first reached at some level
    parents: dict[str, list[tuple[str, int]]] = {key.source_id: []}
    frontier = [key.source_id]
    hits: set[str] = set()
    truncated = False
    length: int | None = None
    for level in range(1, key.max_hops + 1):
        rows = await fetch(tx, NEIGHBOURS, ids=frontier, limit=MAX_FRONTIER * 10)
        found: dict[str, list[tuple[str, int]]] = {}
        for row in rows:
            nid = str(row["nid"])
            if nid in parents:
                continue
            found.setdefault(nid, []).append((str(row["sid"]), int(row["works"] or 0)))
        if len(rows) >= MAX_FRONTIER * 10 or len(found) > MAX_FRONTIER:
            truncated = True
            found = dict(sorted(found.items())[:MAX_FRONTIER])
        if not found:
            break
        parents.update(found)
        frontier = sorted(found)
        hits = await _targets(tx, key, frontier)
        if hits:
            length = level
            break
    if length is None:
        return PathSearch(paths=[], length=None, considered=0, truncated=truncated)

    # Every shortest path, back from each hit, strongest ties first, up to MAX_PATHS.
    candidates: list[tuple[list[str], list[int]]] = []

    def walk(node: str, nodes: list[str], weights: list[int]) -> None:
        if len(candidates) >= MAX_PATHS:
            return
        if node == key.source_id:
            candidates.append((nodes[::-1], weights[::-1]))
            return
        for parent, works in sorted(parents[node], key=lambda p: (-p[1], p[0])):
            walk(parent, [*nodes, parent], [*weights, works])

    for hit in sorted(hits):
        walk(hit, [hit], [])
    if len(candidates) >= MAX_PATHS:
        truncated = True
    candidates.sort(key=lambda c: (-min(c[1]), -sum(c[1]), c[0]))
    best = candidates[: key.first]
    pairs = sorted({(p[i], p[i + 1]) for p, _ in best for i in range(len(p) - 1)})
    hops = {
        (str(r["a"]), str(r["b"])): r
        for r in await fetch(
            tx,
            HOPS,
            pairs=[{"a": a, "b": b} for a, b in pairs],
            per_hop=EVIDENCE_PER_HOP,
        )
    }
    paths = []
    for nodes, weights in best:
        steps = [_hop(hops[(nodes[i], nodes[i + 1])]) for i in range(len(nodes) - 1)]
        paths.append(IntroPath(hops=steps, weakest=min(weights), total=sum(weights)))
    return PathSearch(paths=paths, length=length, considered=len(candidates), truncated=truncated)


def _hop(row: dict[str, Any]) -> Hop:
    source = to_model(Scientist, row["a_props"])
    target = to_model(Scientist, row["b_props"])
    assert source is not None and target is not None  # matched nodes have properties
    works = [to_model(Work, props) for props in row["works"]]
    return Hop(
        source=source,
        target=target,
        shared_works=int(row["shared"] or 0),
        first_year=row["first_year"],
        last_year=row["last_year"],
        works=[w for w in works if w is not None],
    )


async def introduction_paths(tx: Tx, keys: Sequence[PathKey]) -> list[PathSearch]:
    """Each key's shortest co-author paths, best first (a root field asks for one)."""
    return [await _search(tx, key) for key in keys]
