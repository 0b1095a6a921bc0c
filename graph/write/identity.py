"""Curators' identity decisions in the graph, and their effect on scientist nodes.

Decisions are `(:IdentityDecision)` nodes that no ingest job writes or deletes. What the
scientist-scope ones say now (schema.identity.plan_identities) is applied by `apply_identities`,
which every derive step runs first, so a decision holds whatever loads ran before:

- **Merge.** The absorbed scientist's own ties (AUTHORED, its Author record's AFFILIATED_WITH,
  anything not derived) move to the survivor, each marked `merged_from` with the id it came
  from; its derived ties (co-authors, expertise, teams, affiliations from authorships, also
  the matcher's) are dropped; the node is relabelled `MergedScientist {merged_into}`, keeping
  its identifiers, so lookups by them find the survivor (graph.queries.entities). The
  works it touched are marked `needs_derive`, so the derive step recomputes the survivor's
  and its co-authors' ties.
  A re-ingest that writes the absorbed scientist again (a new `Scientist` node, its works'
  AUTHORED edges back on it) is absorbed again the same way.
- **Split.** A `MergedScientist` whose merge no longer holds becomes a `Scientist` again, and
  the ties marked `merged_from` its id move back to it.

A tie the survivor already had (the same type to the same node and source, e.g. both profiles
list one institution) is not doubled: the absorbed node keeps its own copy, which a split
gives back with the node.

Every statement takes the plan as parameters and is a no-op where there is nothing to do, so
the steps are plain (query, parameters) pairs that the CLI's sync and the API's async
transactions run alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from graph.queries.entities import IdKey
from graph.reader import Tx, fetch
from graph.write.derived import AUTHORSHIP_SOURCE, MATCHER_SOURCE
from schema.identity import IdentityDecision, IdentityPlan, plan_identities
from schema.labels import Label, Rel

Step = tuple[str, dict[str, Any]]

SCIENTIST, MERGED = Label.SCIENTIST, Label.MERGED_SCIENTIST

# Ties the derive step recomputes from works: dropped from an absorbed node, never moved.
DERIVED_RELS = [str(Rel.COAUTHORED), str(Rel.EXPERT_IN), str(Rel.MEMBER_OF)]
_OWN_TIE = "NOT (type(r) IN $derived OR (type(r) = $affiliated AND r.source IN $authorship))"
_TIE_PARAMS = {
    "derived": DERIVED_RELS,
    "affiliated": str(Rel.AFFILIATED_WITH),
    "authorship": [AUTHORSHIP_SOURCE, MATCHER_SOURCE],  # affiliations derived from works
}

RECORD_DECISION = f"""
MERGE (d:{Label.IDENTITY_DECISION} {{id: $id}})
SET d += $props, d.decided_at = datetime($decided_at)
"""
LIST_DECISIONS = f"""
MATCH (d:{Label.IDENTITY_DECISION})
RETURN d.kind AS kind, d.scope AS scope, d.left AS left, d.right AS right,
       d.curator AS curator, d.reason AS reason, d.source AS source,
       toString(d.decided_at) AS decided_at
ORDER BY d.decided_at, d.id
"""
# A merged node whose merge no longer holds: gone if the scientist was loaded again meanwhile,
# else a scientist again.
DROP_STALE_MERGED = f"""
UNWIND $ids AS x
MATCH (m:{MERGED} {{id: x}})
WHERE EXISTS {{ MATCH (:{SCIENTIST} {{id: x}}) }}
DETACH DELETE m
"""
RESTORE = f"""
UNWIND $ids AS x
MATCH (m:{MERGED} {{id: x}})
CALL (m) {{
  MATCH (m)-[r]-()
  WHERE r.merged_from = m.id
  REMOVE r.merged_from
}}
REMOVE m:{MERGED}, m.merged_into
SET m:{SCIENTIST}, m.needs_derive = true
RETURN count(m) AS restored
"""
# The own ties of a scientist about to be absorbed are marked with where they came from.
MARK_TIES = f"""
UNWIND $aliases AS a
MATCH (s:{SCIENTIST} {{id: a.id}})
WHERE EXISTS {{ MATCH (:{SCIENTIST} {{id: a.into}}) }}
MATCH (s)-[r]-()
WHERE {_OWN_TIE}
SET r.merged_from = coalesce(r.merged_from, s.id)
"""


def _same_tie(a: str, b: str, outgoing: bool) -> str:
    """Cypher: `a` already has a tie like r (type, other end `o`, source) to `o`."""
    pattern = f"({a})-[x]->(o)" if outgoing else f"(o)-[x]->({a})"
    return (
        f"EXISTS {{ MATCH {pattern} WHERE type(x) = type({b}) "
        f"AND coalesce(x.source, '') = coalesce({b}.source, '') }}"
    )


def _move_ties(outgoing: bool) -> str:
    """Ties marked `merged_from` x that sit elsewhere than on the scientist x stands for now
    move there (unmarked when they are back home). A tie the target already has is not
    copied: it stays where it is if that scientist is about to be absorbed (so a split can
    give it back), else it goes."""
    here = "(n)-[r]->(o)" if outgoing else "(n)<-[r]-(o)"
    there = "(t)-[c:$(kind)]->(o)" if outgoing else "(o)-[c:$(kind)]->(t)"
    dup = _same_tie("t", "r", outgoing)
    return f"""
UNWIND $ids AS sid
MATCH (n:{SCIENTIST} {{id: sid}})
MATCH {here}
WHERE r.merged_from IS NOT NULL
WITH n, r, o, r.merged_from AS origin, $canonical[r.merged_from] AS into
WHERE into IS NOT NULL AND into <> n.id
MATCH (t:{SCIENTIST} {{id: into}})
WITH n, r, o, t, origin, type(r) AS kind, properties(r) AS props, {dup} AS dup
CALL (t, o, kind, props, origin, dup) {{
  WITH t, o, kind, props, origin, dup
  WHERE NOT dup
  CREATE {there}
  SET c = props
  SET c.merged_from = CASE WHEN origin = t.id THEN null ELSE origin END
}}
FOREACH (_ IN CASE WHEN o:{Label.WORK} OR o:{Label.INSTITUTION} THEN [1] ELSE [] END |
  SET o.needs_derive = true)
SET n.needs_derive = true, t.needs_derive = true
WITH n, r, dup
WHERE NOT dup OR $canonical[n.id] = n.id
DELETE r
"""


MOVE_OUT, MOVE_IN = _move_ties(True), _move_ties(False)
# The absorbed node keeps its identifiers as a MergedScientist, and the own ties the survivor
# had already (a split gives them back); its derived ties go. Its values: those of an Author
# record, whichever of the old merged node and the newly loaded one has it (the new one's if
# both or neither); the old node's kept ties join the new one's.
ABSORB = f"""
UNWIND $aliases AS a
MATCH (s:{SCIENTIST} {{id: a.id}})
WHERE EXISTS {{ MATCH (:{SCIENTIST} {{id: a.into}}) }}
OPTIONAL MATCH (m:{MERGED} {{id: a.id}})
WITH s, m, a, properties(s) AS own
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | SET s += properties(m))
FOREACH (_ IN CASE WHEN m IS NULL OR m.authority IS NULL OR own.authority IS NOT NULL
               THEN [1] ELSE [] END | SET s += own)
WITH s, m, a
CALL (s, m) {{
  WITH s, m WHERE m IS NOT NULL
  MATCH (m)-[r]->(o)
  WHERE NOT {_same_tie("s", "r", True)}
  CREATE (s)-[c:$(type(r))]->(o)
  SET c = properties(r)
}}
CALL (s, m) {{
  WITH s, m WHERE m IS NOT NULL
  MATCH (m)<-[r]-(o)
  WHERE NOT {_same_tie("s", "r", False)}
  CREATE (o)-[c:$(type(r))]->(s)
  SET c = properties(r)
}}
CALL (m) {{
  WITH m WHERE m IS NOT NULL
  DETACH DELETE m
}}
CALL (s) {{
  MATCH (s)-[r]-()
  WHERE NOT {_OWN_TIE}
  DELETE r
}}
REMOVE s:{SCIENTIST}, s.needs_derive
SET s:{MERGED}, s.merged_into = a.into
RETURN count(s) AS absorbed
"""
REPOINT = f"""
UNWIND $aliases AS a
MATCH (m:{MERGED} {{id: a.id}})
SET m.merged_into = a.into
"""


def _identity_query(properties: Sequence[str]) -> str:
    """The own id of the scientist or merged scientist a key names (smallest if several)."""
    branches = [
        f"MATCH (n:{label} {{{prop}: $value}}) RETURN n.id AS found"
        for label in (SCIENTIST, MERGED)
        for prop in properties
    ]
    union = "\n  UNION\n  ".join(branches)
    return f"CALL () {{\n  {union}\n}}\nRETURN found ORDER BY found LIMIT 1"


@dataclass(frozen=True)
class ApplyReport:
    aliases: int = 0  # ids merged into another scientist by the decisions
    absorbed: int = 0  # scientist nodes turned into merged ones now
    restored: int = 0  # merged nodes that are scientists again now


class CurationConflictError(ValueError):
    """A decision that contradicts earlier ones (a merge across a split)."""


def _decision(row: dict[str, Any]) -> IdentityDecision:
    return IdentityDecision.model_validate({k: v for k, v in row.items() if v is not None})


def record_step(decision: IdentityDecision) -> Step:
    props = decision.properties()
    del props["decided_at"]
    props = {k: v for k, v in props.items() if v is not None}
    return RECORD_DECISION, {
        "id": decision.id,
        "props": props,
        "decided_at": decision.decided_at.isoformat(),
    }


def apply_steps(plan: IdentityPlan) -> list[Step]:
    """The statements that bring the graph in line with `plan`."""
    ids = sorted(plan.canonical)
    home = [x for x in ids if plan.canonical[x] == x]
    aliases = [{"id": x, "into": c} for x, c in sorted(plan.aliases().items())]
    if not ids:
        return []
    moves = {"ids": ids, "canonical": plan.canonical}
    return [
        (DROP_STALE_MERGED, {"ids": home}),
        (RESTORE, {"ids": home}),
        (MARK_TIES, {"aliases": aliases, **_TIE_PARAMS}),
        (MOVE_OUT, moves),
        (MOVE_IN, moves),
        (ABSORB, {"aliases": aliases, **_TIE_PARAMS}),
        (REPOINT, {"aliases": aliases}),
    ]


def curation_steps(existing: Iterable[IdentityDecision], decision: IdentityDecision) -> list[Step]:
    """Record `decision` and apply every decision with it; `CurationConflictError` if a split
    overrules it."""
    plan = plan_identities([*existing, decision])
    if decision in plan.overruled:
        left, right = decision.left[0], decision.right[0]
        raise CurationConflictError(
            f"{left} and {right} cannot be merged: a curator's split keeps members of their "
            "groups apart; split decisions are undone by merging that pair directly"
        )
    return [record_step(decision), *apply_steps(plan)]


def _report(plan: IdentityPlan, results: list[list[dict[str, Any]]]) -> ApplyReport:
    counts = {k: v for rows in results for row in rows for k, v in row.items()}
    return ApplyReport(
        aliases=len(plan.aliases()),
        absorbed=int(counts.get("absorbed", 0)),
        restored=int(counts.get("restored", 0)),
    )


# --- sync: the CLI and the derive step -------------------------------------------------------


def _run(tx: ManagedTransaction, steps: Sequence[Step]) -> list[list[dict[str, Any]]]:
    return [[r.data() for r in tx.run(query, params)] for query, params in steps]


def list_decisions(tx: ManagedTransaction) -> list[IdentityDecision]:
    """Every decision, oldest first."""
    return [_decision(r.data()) for r in tx.run(LIST_DECISIONS)]


def apply_identities(tx: ManagedTransaction) -> ApplyReport:
    """Bring the scientist nodes in line with the stored decisions (idempotent)."""
    plan = plan_identities(list_decisions(tx))
    return _report(plan, _run(tx, apply_steps(plan)))


def curate(tx: ManagedTransaction, decision: IdentityDecision) -> ApplyReport:
    """Record a curator's decision and apply it (with every other)."""
    existing = list_decisions(tx)
    steps = curation_steps(existing, decision)
    return _report(plan_identities([*existing, decision]), _run(tx, steps))


def find_identity(tx: ManagedTransaction, key: IdKey) -> str | None:
    """The own id of the scientist, merged or not, that `key` names."""
    record = tx.run(_identity_query(key.properties), value=key.value).single()
    return None if record is None else str(record["found"])


# --- async: the API's admin mutations ---------------------------------------------------------


async def _run_async(tx: Tx, steps: Sequence[Step]) -> list[list[dict[str, Any]]]:
    return [await fetch(tx, query, **params) for query, params in steps]


async def curate_async(tx: Tx, decision: IdentityDecision) -> ApplyReport:
    existing = [_decision(r) for r in await fetch(tx, LIST_DECISIONS)]
    steps = curation_steps(existing, decision)
    return _report(plan_identities([*existing, decision]), await _run_async(tx, steps))


async def find_identities(tx: Tx, keys: Sequence[IdKey]) -> list[str | None]:
    """Batch form of `find_identity`, for a DataLoader."""
    found: list[str | None] = []
    for key in keys:
        rows = await fetch(tx, _identity_query(key.properties), value=key.value)
        found.append(str(rows[0]["found"]) if rows else None)
    return found
