"""Writing works with everything their records name.

Each batch is one transaction of idempotent statements (MERGE on constrained keys, SET of the
record's values), so the driver may retry it and a re-run of the same input changes nothing.
A work's record is complete: its links (authors, topics, source, funders, references,
institutions) are replaced by the record's, and links it no longer lists are removed. Works a
batch wrote are marked `needs_derive`; `graph.write.derived` recomputes the ties that
depend on them and clears the mark, so a killed job leaves the marks for the next run.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from neo4j import ManagedTransaction

from graph.newest import DIGEST
from schema.base import DomainModel
from schema.labels import Label, Rel
from schema.work import Authorship, Funding, WorkTopic

# People and institutions seen through a work: the view from the newest record wins (ties: the
# later one), so the result does not depend on how the input was cut into batches. Nodes that
# a registry loader owns (authority set: ROR or an OpenAlex institution/author record) keep
# their own values.
_NEWER_WINS = """
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
WITH n, row
WHERE n.authority IS NULL
  AND (n.updated_at IS NULL OR row.props.updated_at IS NULL
       OR row.props.updated_at >= n.updated_at)
SET n += row.props
"""
UPSERT_SCIENTISTS = _NEWER_WINS.format(label=Label.SCIENTIST)
# An institution's OpenAlex id is filled in whoever owns the node (a ROR-only node learns it
# from the first work that names it), so the final node does not depend on load order.
UPSERT_INSTITUTIONS = f"""
UNWIND $rows AS row
MERGE (n:{Label.INSTITUTION} {{id: row.id}})
SET n.openalex_id = coalesce(n.openalex_id, row.props.openalex_id)
WITH n, row
WHERE n.authority IS NULL
  AND (n.updated_at IS NULL OR row.props.updated_at IS NULL
       OR row.props.updated_at >= n.updated_at)
SET n += row.props
"""
# Taxonomy, sources and funders have records of their own; a work only creates them if missing.
_CREATE_MISSING = """
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
ON CREATE SET n += row.props
"""
UPSERT_SOURCES = _CREATE_MISSING.format(label=Label.SOURCE)
UPSERT_FUNDERS = _CREATE_MISSING.format(label=Label.FUNDER)
UPSERT_TAXONOMY = {
    label: _CREATE_MISSING.format(label=label)
    for label in (Label.DOMAIN, Label.FIELD, Label.SUBFIELD, Label.TOPIC)
}
# Topic -> Subfield -> Field -> Domain, one query per level so each MATCH uses its label.
_TAXONOMY_PARENT = {
    Label.TOPIC: Label.SUBFIELD,
    Label.SUBFIELD: Label.FIELD,
    Label.FIELD: Label.DOMAIN,
}
LINK_TAXONOMY = {
    child: f"""
UNWIND $rows AS row
MATCH (c:{child} {{id: row.child}})
MATCH (p:{parent} {{id: row.parent}})
MERGE (c)-[:{Rel.PART_OF}]->(p)
"""
    for child, parent in _TAXONOMY_PARENT.items()
}
# A work cited before its own record arrives is a stub: `stub = true` until the record comes.
# A work with its first record is also marked `new_record`, for the watchlists' NEW_WORK events
# (graph.write.event); the derived step clears it with `needs_derive`.
UPSERT_WORKS = f"""
UNWIND $rows AS row
MERGE (n:{Label.WORK} {{id: row.id}})
SET n += row.props, n.needs_derive = true, n.{DIGEST} = row.digest
FOREACH (_ IN CASE WHEN row.new THEN [1] ELSE [] END | SET n.new_record = true)
REMOVE n.stub
"""
# The works that already have a record (not new, not a citation stub), with the digest each was
# last written from (see ingest.openalex.works.WorkRecord.digest; null before digests existed). Only
# their links can be stale, so a first load skips the stale-link pass.
RECORDED_WORKS = f"""
UNWIND $ids AS wid
MATCH (w:{Label.WORK} {{id: wid}})
WHERE w.stub IS NULL
RETURN w.id AS id, w.{DIGEST} AS digest
"""
_OWN_LINKS = "|".join((Rel.ABOUT, Rel.PUBLISHED_IN, Rel.FUNDED_BY, Rel.CITES, Rel.BY_INSTITUTION))
# The record's links replace the stored ones: everything the record no longer names goes.
DROP_STALE_LINKS = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.id}})
CALL (w, row) {{
  OPTIONAL MATCH (w)<-[a:{Rel.AUTHORED}]-(s:{Label.SCIENTIST})
  WHERE NOT s.id IN row.authors
  DELETE a
  RETURN collect(DISTINCT s.id) AS dropped_authors
}}
CALL (w, row) {{
  OPTIONAL MATCH (w)-[r:{_OWN_LINKS}]->(x)
  WHERE NOT x.id IN row.linked
  // An institution the work no longer names: its collaborations and teams change too.
  FOREACH (_ IN CASE WHEN x:{Label.INSTITUTION} THEN [1] ELSE [] END |
    SET x.needs_derive = true)
  DELETE r
}}
UNWIND dropped_authors AS sid
RETURN collect(DISTINCT sid) AS dropped_authors
"""
UPSERT_AUTHORSHIPS = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.scientist_id}})
MATCH (w:{Label.WORK} {{id: row.work_id}})
MERGE (s)-[r:{Rel.AUTHORED}]->(w)
SET r += row.props
"""
LINK_TOPICS = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.work_id}})
MATCH (t:{Label.TOPIC} {{id: row.topic_id}})
MERGE (w)-[r:{Rel.ABOUT}]->(t)
SET r.score = row.score, r.primary = row.primary
"""
LINK_SOURCES = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.work_id}})
MATCH (s:{Label.SOURCE} {{id: row.source_id}})
MERGE (w)-[:{Rel.PUBLISHED_IN}]->(s)
"""
LINK_FUNDERS = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.work_id}})
MATCH (f:{Label.FUNDER} {{id: row.funder_id}})
MERGE (w)-[r:{Rel.FUNDED_BY}]->(f)
SET r.award_ids = row.award_ids
"""
LINK_INSTITUTIONS = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.work_id}})
MATCH (i:{Label.INSTITUTION} {{id: row.institution_id}})
MERGE (w)-[r:{Rel.BY_INSTITUTION}]->(i)
SET r.authors = row.authors
"""
LINK_CITATIONS = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.work_id}})
MERGE (cited:{Label.WORK} {{id: row.cited_id}})
ON CREATE SET cited.stub = true, cited.openalex_id = row.cited_id
MERGE (w)-[:{Rel.CITES}]->(cited)
"""
# People whose links changed without a record of theirs in the batch (dropped from a work's
# author list) still need their derived ties recomputed.
MARK_SCIENTISTS = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
SET s.needs_derive = true
"""


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """Drop missing values: a partial view of a node (a scientist seen in an authorship) must
    not erase what a fuller record stored."""
    return {key: value for key, value in props.items() if value is not None and value != []}


def node_rows(nodes: Sequence[DomainModel], *, partial: bool) -> list[dict[str, Any]]:
    """`{id, props}` rows for an UNWIND upsert."""
    rows = []
    for node in nodes:
        props = node.properties()
        key = props.pop("id")
        rows.append({"id": key, "props": _present(props) if partial else props})
    return rows


def write_works_batch(
    tx: ManagedTransaction,
    works: Sequence[DomainModel],
    authorships: Sequence[Authorship],
    scientists: Sequence[DomainModel],
    institutions: Sequence[DomainModel],
    taxonomy: Sequence[DomainModel],
    sources: Sequence[DomainModel],
    funders: Sequence[DomainModel],
    topics: Sequence[tuple[str, WorkTopic]],
    published_in: Sequence[tuple[str, str]],
    funding: Sequence[tuple[str, Funding]],
    digests: Mapping[str, str],
    recorded: Collection[str],
) -> None:
    """Upsert one batch of works and all they name; `recorded` are those of them that were
    stored with a record before (see `recorded_works`). Idempotent (a retried transaction)."""
    tx.run(UPSERT_SCIENTISTS, rows=node_rows(scientists, partial=True)).consume()
    tx.run(UPSERT_INSTITUTIONS, rows=node_rows(institutions, partial=True)).consume()
    for node_label, query in UPSERT_TAXONOMY.items():
        rows = [n for n in taxonomy if _label_of(n) == node_label]
        tx.run(query, rows=node_rows(rows, partial=True)).consume()
    for node_label, query in LINK_TAXONOMY.items():
        rows = [n for n in taxonomy if _label_of(n) == node_label]
        tx.run(query, rows=_taxonomy_links(rows)).consume()
    tx.run(UPSERT_SOURCES, rows=node_rows(sources, partial=True)).consume()
    tx.run(UPSERT_FUNDERS, rows=node_rows(funders, partial=True)).consume()
    work_rows = node_rows(works, partial=False)
    known = set(recorded)
    for row in work_rows:
        row["digest"] = digests.get(row["id"]) or None
        row["new"] = row["id"] not in known
    tx.run(UPSERT_WORKS, rows=work_rows).consume()

    citation_rows = [
        {"work_id": row["id"], "cited_id": cited}
        for row in work_rows
        for cited in row["props"]["referenced_works"]
    ]
    if recorded:
        _drop_stale_links(tx, recorded, authorships, topics, published_in, funding, citation_rows)

    authored_rows = []
    institution_authors: dict[tuple[str, str], int] = {}
    for a in authorships:
        props = a.model_dump(mode="json")
        del props["scientist_id"], props["work_id"]
        authored_rows.append({"scientist_id": a.scientist_id, "work_id": a.work_id, "props": props})
        for iid in a.institution_ids:
            institution_authors[(a.work_id, iid)] = institution_authors.get((a.work_id, iid), 0) + 1
    tx.run(UPSERT_AUTHORSHIPS, rows=authored_rows).consume()
    tx.run(
        LINK_INSTITUTIONS,
        rows=[
            {"work_id": w, "institution_id": i, "authors": n}
            for (w, i), n in institution_authors.items()
        ],
    ).consume()
    tx.run(
        LINK_TOPICS,
        rows=[{"work_id": w, **link.model_dump()} for w, link in topics],
    ).consume()
    tx.run(LINK_SOURCES, rows=[{"work_id": w, "source_id": s} for w, s in published_in]).consume()
    tx.run(
        LINK_FUNDERS,
        rows=[
            {"work_id": w, "funder_id": f.funder_id, "award_ids": list(f.award_ids)}
            for w, f in funding
        ],
    ).consume()
    tx.run(LINK_CITATIONS, rows=citation_rows).consume()


def recorded_works(tx: ManagedTransaction, work_ids: list[str]) -> dict[str, str | None]:
    """Those of these works stored with a record, and the digest each was written from."""
    return {r["id"]: r["digest"] for r in tx.run(RECORDED_WORKS, ids=work_ids)}


def _drop_stale_links(
    tx: ManagedTransaction,
    recorded: Collection[str],
    authorships: Sequence[Authorship],
    topics: Sequence[tuple[str, WorkTopic]],
    published_in: Sequence[tuple[str, str]],
    funding: Sequence[tuple[str, Funding]],
    citations: Sequence[dict[str, str]],
) -> None:
    """Remove the links of already recorded works that their new record no longer names, and
    mark the people and institutions dropped from them for the derived step."""
    by_work: dict[str, dict[str, Any]] = {
        wid: {"id": wid, "authors": [], "linked": []} for wid in recorded
    }

    def linked(work_id: str) -> list[str]:
        return by_work[work_id]["linked"] if work_id in by_work else []

    for a in authorships:
        if a.work_id in by_work:
            by_work[a.work_id]["authors"].append(a.scientist_id)
            by_work[a.work_id]["linked"].extend(a.institution_ids)
    for work_id, link in topics:
        linked(work_id).append(link.topic_id)
    for work_id, source_id in published_in:
        linked(work_id).append(source_id)
    for work_id, fund in funding:
        linked(work_id).append(fund.funder_id)
    for citation in citations:
        linked(citation["work_id"]).append(citation["cited_id"])
    dropped = tx.run(DROP_STALE_LINKS, rows=list(by_work.values())).single()
    dropped_authors = dropped["dropped_authors"] if dropped else []
    tx.run(MARK_SCIENTISTS, ids=sorted(dropped_authors)).consume()


def _label_of(node: DomainModel) -> Label:
    return Label(type(node).__name__)


def _taxonomy_links(taxonomy: Sequence[DomainModel]) -> list[dict[str, str]]:
    links = []
    for node in taxonomy:
        props = node.properties()
        parent = props.get("subfield_id") or props.get("field_id") or props.get("domain_id")
        if parent:
            links.append({"child": props["id"], "parent": parent})
    return links
