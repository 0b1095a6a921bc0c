"""Text documents in the graph: the gazetteer the text pipeline is built from, the candidate
scientists a name in a document may mean, and the write of one document with its mentions and
the candidate facts read from it.

The model (see README, "Graph model"):

- `(:Document {id, path, title, language, sha256, chars, ingested_at, source: 'text'})`
- `(:Mention {id, document_id, start, end, text, kind, confidence, rule, entity_key})-[:IN]->
  (:Document)`: every span the pipeline found, offsets into the document's plain text.
- `(:Mention)-[:REFERS_TO {source: 'text', confidence, evidence}]->(:Scientist|:Institution|
  :Topic)`: what the mention was linked to.
- Candidate facts, each on an edge of its own keyed by `source: 'text'`:
  `(:Scientist)-[:AFFILIATED_WITH {source: 'text'}]->(:Institution)` and
  `(:Scientist)-[:RESEARCHES {source: 'text'}]->(:Topic)`, with `confidence` (the best of
  their mentions), `documents` and `mentions` (sorted ids: the provenance).

Text never overwrites a structured source: scientists are created (`source: 'text'`) only
when missing and an existing node's properties are never set; fact edges are merged on
`source: 'text'`, so edges of other sources are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from schema.document import TEXT_SOURCE, Document, TextMention
from schema.labels import Label, Rel
from schema.scientist import Scientist


@dataclass(frozen=True)
class NamedEntity:
    """An institution or topic with every name it goes by (gazetteer material)."""

    id: str
    names: tuple[str, ...]
    acronyms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """A scientist a name may mean, with what the graph knows that can confirm it."""

    id: str
    names: tuple[str, ...]
    affiliations: tuple[str, ...]  # institution names
    topic_ids: tuple[str, ...]


INSTITUTION_NAMES = f"""
MATCH (i:{Label.INSTITUTION})
RETURN i.id AS id,
       [n IN [i.name, i.ror_name, i.openalex_name, i.openalex_name_zh]
             + coalesce(i.labels, []) + coalesce(i.aliases, []) WHERE n IS NOT NULL] AS names,
       coalesce(i.acronyms, []) AS acronyms
ORDER BY id
"""
TOPIC_NAMES = f"""
MATCH (t:{Label.TOPIC})
RETURN t.id AS id, [t.name] + coalesce(t.alternative_names, []) AS names,
       coalesce(t.keywords, []) AS keywords
ORDER BY id
"""


def gazetteer_entities(
    tx: ManagedTransaction,
) -> tuple[list[NamedEntity], list[NamedEntity]]:
    """Every institution (all names, labels, aliases, acronyms) and topic (names, keywords)."""
    institutions = [
        NamedEntity(r["id"], _distinct(r["names"]), acronyms=_distinct(r["acronyms"]))
        for r in tx.run(INSTITUTION_NAMES)
    ]
    topics = [
        NamedEntity(r["id"], _distinct(r["names"]), keywords=_distinct(r["keywords"]))
        for r in tx.run(TOPIC_NAMES)
    ]
    return institutions, topics


def _distinct(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# One full-text search per name query (Lucene syntax, built by the caller from folded letters
# only); each hit with its affiliations' names and its topics (from works and from text).
CANDIDATES = f"""
UNWIND $queries AS q
CALL db.index.fulltext.queryNodes('scientist_names', q, {{limit: $limit}}) YIELD node AS s
RETURN q AS query, s.id AS id, coalesce(s.names, [s.name]) AS names,
       COLLECT {{
         MATCH (s)-[:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION}) RETURN DISTINCT i.name
       }} AS affiliations,
       coalesce(s.topic_ids, []) + COLLECT {{
         MATCH (s)-[:{Rel.EXPERT_IN}|{Rel.RESEARCHES}]->(t:{Label.TOPIC}) RETURN DISTINCT t.id
       }} AS topic_ids
ORDER BY query, id
"""


def scientist_candidates(
    tx: ManagedTransaction, queries: Sequence[str], limit: int = 200
) -> dict[str, list[Candidate]]:
    """The scientists the `scientist_names` index finds for each query, by query."""
    found: dict[str, list[Candidate]] = {q: [] for q in queries}
    for r in tx.run(CANDIDATES, queries=sorted(set(queries)), limit=limit):
        found[r["query"]].append(
            Candidate(
                r["id"],
                _distinct(r["names"]),
                _distinct(r["affiliations"]),
                _distinct(r["topic_ids"]),
            )
        )
    return found


DOCUMENTS_PRESENT = f"""
UNWIND $ids AS key
MATCH (d:{Label.DOCUMENT} {{id: key}})
RETURN d.id AS id
"""


def documents_present(tx: ManagedTransaction, ids: Sequence[str]) -> set[str]:
    """Which of these documents the graph already holds (written whole, in one transaction)."""
    return {r["id"] for r in tx.run(DOCUMENTS_PRESENT, ids=list(ids))}


@dataclass(frozen=True)
class Link:
    """A mention's link to a node: `target` is a Scientist, Institution or Topic id."""

    mention_id: str
    target: str
    confidence: float
    evidence: str


@dataclass(frozen=True)
class Fact:
    """A candidate fact read from text: scientist -> institution or topic."""

    scientist_id: str
    target: str
    confidence: float
    mention_ids: tuple[str, ...]


@dataclass(frozen=True)
class NameForms:
    """Forms a document writes a text person's name in (existing people of other sources are
    never renamed: only `source: 'text'` scientists take these)."""

    scientist_id: str
    names: tuple[str, ...]
    pinyin: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentFacts:
    """Everything one document adds, written in one transaction."""

    document: Document
    mentions: Sequence[TextMention]
    new_scientists: Sequence[Scientist] = ()
    people: Sequence[Link] = ()
    institutions: Sequence[Link] = ()
    topics: Sequence[Link] = ()
    affiliations: Sequence[Fact] = ()
    research: Sequence[Fact] = ()
    name_forms: Sequence[NameForms] = ()


WRITE_DOCUMENT = f"""
MERGE (d:{Label.DOCUMENT} {{id: $document.id}})
ON CREATE SET d = $document
WITH d
UNWIND $mentions AS m
MERGE (x:{Label.MENTION} {{id: m.id}})
SET x = m
MERGE (x)-[:{Rel.IN}]->(d)
"""
# A text person is created once; an existing scientist (of any source) is never changed.
CREATE_SCIENTISTS = f"""
UNWIND $rows AS row
MERGE (s:{Label.SCIENTIST} {{id: row.id}})
ON CREATE SET s = row
"""

# A text person gathers the forms its documents write its name in (sorted, distinct), and
# `names`, the full-text index's field, follows.
ADD_NAME_FORMS = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.id, source: $source}})
SET s.alternative_names = COLLECT {{
      UNWIND coalesce(s.alternative_names, []) + row.names AS v
      WITH v WHERE v <> s.name RETURN DISTINCT v ORDER BY v
    }},
    s.name_pinyin = COLLECT {{
      UNWIND coalesce(s.name_pinyin, []) + row.pinyin AS v RETURN DISTINCT v ORDER BY v
    }}
SET s.names = COLLECT {{
      UNWIND [s.name] + s.alternative_names + s.name_pinyin AS v RETURN DISTINCT v
    }}
"""


def _refers_query(label: Label) -> str:
    return f"""
UNWIND $rows AS row
MATCH (x:{Label.MENTION} {{id: row.mention_id}})
MATCH (e:{label} {{id: row.target}})
MERGE (x)-[r:{Rel.REFERS_TO}]->(e)
SET r.source = $source, r.confidence = row.confidence, r.evidence = row.evidence
"""


REFERS = {
    label: _refers_query(label) for label in (Label.SCIENTIST, Label.INSTITUTION, Label.TOPIC)
}


def _fact_query(rel: Rel, label: Label) -> str:
    # Provenance accumulates over documents as sorted, distinct lists: re-writing a fact gives
    # the same edge.
    return f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.scientist_id}})
MATCH (e:{label} {{id: row.target}})
MERGE (s)-[r:{rel} {{source: $source}}]->(e)
SET r.confidence = CASE WHEN r.confidence IS NULL OR r.confidence < row.confidence
                        THEN row.confidence ELSE r.confidence END,
    r.documents = COLLECT {{
      UNWIND coalesce(r.documents, []) + [$document] AS v RETURN DISTINCT v ORDER BY v
    }},
    r.mentions = COLLECT {{
      UNWIND coalesce(r.mentions, []) + row.mention_ids AS v RETURN DISTINCT v ORDER BY v
    }}
"""


AFFILIATIONS = _fact_query(Rel.AFFILIATED_WITH, Label.INSTITUTION)
RESEARCH = _fact_query(Rel.RESEARCHES, Label.TOPIC)


def write_document(tx: ManagedTransaction, facts: DocumentFacts) -> None:
    """Write a document, its mentions, the scientists it introduces, its links and facts.
    Idempotent: every write is a MERGE on a stable key."""
    document = facts.document.properties()
    tx.run(
        WRITE_DOCUMENT,
        document=document,
        mentions=[_mention_row(m) for m in facts.mentions],
    ).consume()
    if facts.new_scientists:
        rows = [s.properties() for s in facts.new_scientists]
        tx.run(CREATE_SCIENTISTS, rows=rows).consume()
    if facts.name_forms:
        rows = [
            {"id": f.scientist_id, "names": list(f.names), "pinyin": list(f.pinyin)}
            for f in facts.name_forms
        ]
        tx.run(ADD_NAME_FORMS, rows=rows, source=TEXT_SOURCE).consume()
    for label, links in (
        (Label.SCIENTIST, facts.people),
        (Label.INSTITUTION, facts.institutions),
        (Label.TOPIC, facts.topics),
    ):
        if links:
            rows = [_link_row(link) for link in links]
            tx.run(REFERS[label], rows=rows, source=TEXT_SOURCE).consume()
    for query, found in ((AFFILIATIONS, facts.affiliations), (RESEARCH, facts.research)):
        if found:
            rows = [_fact_row(fact) for fact in found]
            tx.run(query, rows=rows, source=TEXT_SOURCE, document=document["id"]).consume()


def _mention_row(mention: TextMention) -> dict[str, Any]:
    props = mention.properties()
    return {k: v for k, v in props.items() if v is not None}


def _link_row(link: Link) -> dict[str, Any]:
    return {
        "mention_id": link.mention_id,
        "target": link.target,
        "confidence": link.confidence,
        "evidence": link.evidence,
    }


def _fact_row(fact: Fact) -> dict[str, Any]:
    return {
        "scientist_id": fact.scientist_id,
        "target": fact.target,
        "confidence": fact.confidence,
        "mention_ids": sorted(fact.mention_ids),
    }
