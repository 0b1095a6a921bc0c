"""Introduction paths: the shortest co-author chains from a scientist to a scientist, to anyone
affiliated with an institution, or to anyone affiliated with an institution in a region.

Scientist to scientist: Neo4j's `ALL SHORTEST` lists the shortest paths (its own search runs
from both ends inside the server; MAX_PATHS bounds the list). Measured at ~100K scientists it
was about ten times faster than the search below for this case.

Institution and region targets: a bidirectional breadth-first search over COAUTHORED (stored
once per pair, walked both ways), inside one read transaction. One side starts at the scientist,
the other at the target set (everyone AFFILIATED_WITH the institution
or with an institution in the region, the start excepted). Each step expands, by one level, the
side whose frontier has fewer people: one batched `UNWIND $ids` query that returns only ids; the
frontier sets live here, in Python. The first level that reaches a person the other side has
reached fixes the length, and every shortest path runs through those meeting people. Only then
are the ties' strengths fetched, for the edges of the shortest paths (one query), and the
evidence works, for the paths returned (one query). A search costs at most 3 + 2 x max_hops
queries whatever the graph (3 + 4 x max_hops with a target set checked in Cypher).

Hubs (more than HUB_DEGREE co-authors, counted in Cypher) in a frontier are expanded after the
rest of it, in a second query: if the others already meet the other side, the hubs are left
out (the length is the same; only alternative paths through them are missed, and the answer
says `truncated`), else they are expanded too, so the length is never wrong because of them.

Bounds: `max_hops` (at most MAX_HOPS); the neighbour rows one expansion may fetch (MAX_ROWS; a
side cut there stops growing and the answer says `truncated`); a target set larger than
MAX_TARGETS is not expanded, the search then checks each level of the start's side against it
in Cypher; the shortest paths enumerated (MAX_PATHS, strongest ties first, `truncated` beyond).

Among the shortest paths, strong ties win: the weakest hop's shared works, then the total, then
the ids along the path (for a stable order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.nodes import to_model
from graph.reader import Tx, fetch
from graph.write.region import (
    in_region_pattern,
    region_institutions_match,
    region_node_match,
)
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.work import Work

MAX_HOPS = 4
MAX_ROWS = 200_000
MAX_TARGETS = 50_000
MAX_PATHS = 2_000
HUB_DEGREE = 500
EVIDENCE_PER_HOP = 5


class TargetKind(StrEnum):
    SCIENTIST = "scientist"
    INSTITUTION = "institution"
    REGION = "region"


# One level: each of `$ids`'s co-authors (ids only, no properties), as [sid, hub, nid]
# triples in ONE record (the async driver pays per record: thousands of small records cost
# seconds, one list of them milliseconds). A hub (over `$hub` co-authors) is not expanded:
# one triple with hub true and no nid says it is there.
NEIGHBOURS = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
WITH s, sid, COUNT {{ (s)-[:{Rel.COAUTHORED}]-() }} > $hub AS hub
OPTIONAL MATCH (s)-[:{Rel.COAUTHORED}]-(n:{Label.SCIENTIST}) WHERE NOT hub
WITH sid, hub, n.id AS nid
LIMIT $limit
RETURN collect([sid, hub, nid]) AS rows
"""
# The target set: everyone affiliated (any AFFILIATED_WITH) with the institution, or with an
# institution in the region.
TARGET_SET = {
    TargetKind.INSTITUTION: f"""
MATCH (n:{Label.SCIENTIST})-[:{Rel.AFFILIATED_WITH}]->(:{Label.INSTITUTION} {{id: $target}})
WITH DISTINCT n.id AS nid
LIMIT $limit
RETURN collect(nid) AS nids
""",
    TargetKind.REGION: f"""
{region_institutions_match("target", "i")}
MATCH (n:{Label.SCIENTIST})-[:{Rel.AFFILIATED_WITH}]->(i)
WITH DISTINCT n.id AS nid
LIMIT $limit
RETURN collect(nid) AS nids
""",
}
# Which of `$ids` are targets (for a target set too large to hold here).
TARGETS = {
    TargetKind.INSTITUTION: f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
WHERE EXISTS {{ (s)-[:{Rel.AFFILIATED_WITH}]->(:{Label.INSTITUTION} {{id: $target}}) }}
RETURN collect(sid) AS sids
""",
    TargetKind.REGION: f"""
{region_node_match("target", "r")}
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
WHERE EXISTS {{
  MATCH (s)-[:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION})
  MATCH {in_region_pattern("i", "r")}
}}
RETURN collect(sid) AS sids
""",
}
# Scientist to scientist: Neo4j's own shortest-path search (bidirectional, inside the
# server) lists the shortest paths; a quantifier's bounds cannot be parameters, so one
# query per hop count.
PAIR_PATHS = {
    hops: f"""
MATCH p = ALL SHORTEST (:{Label.SCIENTIST} {{id: $source}})-[:{Rel.COAUTHORED}]-{{1,{hops}}}
                      (:{Label.SCIENTIST} {{id: $target}})
RETURN [n IN nodes(p) | n.id] AS ids
LIMIT $limit
"""
    for hops in range(1, MAX_HOPS + 1)
}
# The strength (shared works) of each tie `$pairs` names.
STRENGTHS = f"""
UNWIND $pairs AS pair
MATCH (:{Label.SCIENTIST} {{id: pair.a}})-[c:{Rel.COAUTHORED}]-(:{Label.SCIENTIST} {{id: pair.b}})
RETURN pair.a AS a, pair.b AS b, c.works AS works
"""
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
    # The search stopped at a bound (rows, hubs, path cap) before seeing everything.
    truncated: bool


@dataclass
class _Side:
    """One side of the search: everyone it reached, with the people one level nearer its seeds
    through whom it reached them, and its last level (the frontier)."""

    parents: dict[str, list[str]]
    frontier: set[str]
    level: int = 0
    # False when the side may not grow: a cut expansion, or a target set held in Cypher.
    growing: bool = True

    @classmethod
    def seeded(cls, ids: set[str]) -> _Side:
        return cls(parents={n: [] for n in ids}, frontier=set(ids))


async def _expand(
    tx: Tx, side: _Side, ids: list[str], hub: int, found: dict[str, list[str]]
) -> tuple[list[str], bool]:
    """Add the co-authors of `ids` not reached before to `found` (with their parents), hubs
    (over `hub` co-authors) excepted; the hubs, and False when MAX_ROWS cut the answer."""
    [record] = await fetch(tx, NEIGHBOURS, ids=ids, hub=hub, limit=MAX_ROWS)
    rows = record["rows"]
    hubs = []
    for sid, is_hub, nid in rows:
        if is_hub:
            hubs.append(str(sid))
        elif nid is not None and (nid := str(nid)) not in side.parents:
            found.setdefault(nid, []).append(str(sid))
    return hubs, len(rows) < MAX_ROWS


async def _step(tx: Tx, key: PathKey, side: _Side, other: _Side | None) -> tuple[set[str], bool]:
    """Grow `side` by one level; the new people the other side reached (or, with `other`
    None, who are targets), and whether anything was left out (hubs, rows)."""
    found: dict[str, list[str]] = {}
    hubs, complete = await _expand(tx, side, sorted(side.frontier), HUB_DEGREE, found)
    meeting = await _meeting(tx, key, list(found), other)
    skipped = bool(hubs and meeting)  # the rest met the other side: hubs' paths are no shorter
    if hubs and not meeting:
        before = set(found)
        _, done = await _expand(tx, side, hubs, MAX_ROWS, found)
        complete = complete and done
        meeting = await _meeting(tx, key, [n for n in found if n not in before], other)
    side.parents.update(found)
    side.frontier = set(found)
    side.level += 1
    side.growing = complete
    return meeting, not complete or skipped


async def _meeting(tx: Tx, key: PathKey, found: list[str], other: _Side | None) -> set[str]:
    if other is not None:
        return {n for n in found if n in other.parents}
    if not found:
        return set()
    # No record at all when the region has gone since the id was resolved.
    records = await fetch(tx, TARGETS[key.target_kind], ids=sorted(found), target=key.target_id)
    return {str(sid) for record in records for sid in record["sids"]}


async def _target_side(tx: Tx, key: PathKey) -> _Side:
    """The target set as a search side: held here, or, too large, a side that only checks."""
    if key.target_kind is TargetKind.SCIENTIST:
        targets = {key.target_id}
        held = True
    else:
        records = await fetch(
            tx, TARGET_SET[key.target_kind], target=key.target_id, limit=MAX_TARGETS
        )
        targets = {str(nid) for record in records for nid in record["nids"]}
        held = len(targets) < MAX_TARGETS
    side = _Side.seeded(targets - {key.source_id})
    side.growing = held
    return side


async def _search(tx: Tx, key: PathKey) -> PathSearch:
    if not 1 <= key.max_hops <= MAX_HOPS:
        raise ValueError(f"max_hops must be 1..{MAX_HOPS}, got {key.max_hops}")
    if key.target_kind is TargetKind.SCIENTIST:
        return await _search_pair(tx, key)
    start = _Side.seeded({key.source_id})
    end = await _target_side(tx, key)
    held = end.growing  # the target set is here, else TARGETS checks each level in Cypher
    truncated = False
    meeting: set[str] = set()
    while start.level + end.level < key.max_hops and not meeting:
        # An empty frontier: that side's whole component is seen, and nothing met it.
        if not start.frontier or (held and not end.frontier):
            break
        sides = [s for s in ((start, end) if held else (start,)) if s.growing]
        if not sides:
            break
        side = min(sides, key=lambda s: len(s.frontier))  # the smaller; the start's on a tie
        other = (end if side is start else start) if held else None
        meeting, left_out = await _step(tx, key, side, other)
        truncated = truncated or left_out
    if not meeting:
        return PathSearch(paths=[], length=None, considered=0, truncated=truncated)
    length = start.level + end.level
    strengths = await _strengths(tx, _ties(start, end, meeting))
    candidates = _enumerate(key.source_id, start, end, meeting, strengths)
    return await _ranked(tx, key, candidates, strengths, length, truncated)


async def _search_pair(tx: Tx, key: PathKey) -> PathSearch:
    """Scientist to scientist: the shortest paths from Neo4j's ALL SHORTEST (no hub rule: the
    server's search is bidirectional, and MAX_PATHS bounds what it lists)."""
    if key.source_id == key.target_id:
        return PathSearch(paths=[], length=None, considered=0, truncated=False)
    rows = await fetch(
        tx,
        PAIR_PATHS[key.max_hops],
        source=key.source_id,
        target=key.target_id,
        limit=MAX_PATHS,
    )
    candidates = [[str(n) for n in r["ids"]] for r in rows]
    if not candidates:
        return PathSearch(paths=[], length=None, considered=0, truncated=False)
    ties = {frozenset(p[i : i + 2]) for p in candidates for i in range(len(p) - 1)}
    strengths = await _strengths(tx, ties)
    return await _ranked(tx, key, candidates, strengths, len(candidates[0]) - 1, False)


async def _ranked(
    tx: Tx,
    key: PathKey,
    candidates: list[list[str]],
    strengths: dict[frozenset[str], int],
    length: int,
    truncated: bool,
) -> PathSearch:
    """The `key.first` strongest of the shortest paths `candidates`, with their evidence."""
    if len(candidates) >= MAX_PATHS:
        truncated = True

    def weights(path: list[str]) -> list[int]:
        return [strengths[frozenset(path[i : i + 2])] for i in range(len(path) - 1)]

    ranked = sorted(
        ((p, weights(p)) for p in candidates), key=lambda c: (-min(c[1]), -sum(c[1]), c[0])
    )
    best = ranked[: key.first]
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
    for nodes, ws in best:
        steps = [_hop(hops[(nodes[i], nodes[i + 1])]) for i in range(len(nodes) - 1)]
        paths.append(IntroPath(hops=steps, weakest=min(ws), total=sum(ws)))
    return PathSearch(paths=paths, length=length, considered=len(candidates), truncated=truncated)


def _ties(start: _Side, end: _Side, meeting: set[str]) -> set[frozenset[str]]:
    """The ties on the shortest paths: back from the meeting people on both sides."""
    found: set[frozenset[str]] = set()
    for side in (start, end):
        todo, seen = list(meeting), set(meeting)
        while todo:
            node = todo.pop()
            for parent in side.parents.get(node, ()):
                found.add(frozenset((node, parent)))
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
    return found


async def _strengths(tx: Tx, ties: set[frozenset[str]]) -> dict[frozenset[str], int]:
    pairs = [{"a": a, "b": b} for a, b in sorted(tuple(sorted(t)) for t in ties)]
    rows = await fetch(tx, STRENGTHS, pairs=pairs)
    return {frozenset((str(r["a"]), str(r["b"]))): int(r["works"] or 0) for r in rows}


def _enumerate(
    source: str,
    start: _Side,
    end: _Side,
    meeting: set[str],
    strengths: dict[frozenset[str], int],
) -> list[list[str]]:
    """The shortest paths (at most MAX_PATHS), walked strongest tie first: from the source
    down the start's side to a meeting person, then up the target's side to a target."""
    children: dict[str, list[str]] = {}
    todo, seen = list(meeting), set(meeting)
    while todo:
        node = todo.pop()
        for parent in start.parents.get(node, ()):
            children.setdefault(parent, []).append(node)
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)

    def strongest(node: str, nxt: list[str]) -> list[str]:
        return sorted(nxt, key=lambda n: (-strengths.get(frozenset((node, n)), 0), n))

    paths: list[list[str]] = []

    def walk(node: str, path: list[str], down: bool) -> None:
        if len(paths) >= MAX_PATHS:
            return
        if down and node in meeting:
            down = False
        nxt = children.get(node, []) if down else end.parents.get(node, [])
        if not down and not nxt:
            paths.append(path)
            return
        for n in strongest(node, nxt):
            walk(n, [*path, n], down)

    walk(source, [source], True)
    return paths


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
