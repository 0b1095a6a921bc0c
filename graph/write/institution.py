"""Writing institutions from the two registries: ROR records and OpenAlex Institution records.

One node per real organisation, keyed by its ROR id (else its OpenAlex id). The final graph
depends only on which records were loaded, never on their order, files or batches:

- **Newest record wins, per registry.** A record replaces the values its registry owns when it
  is newer than the one stored (ROR: `admin.last_modified.date`, none for v1 records, which
  therefore lose to any v2 record; OpenAlex: `updated_date`). Ties between different contents
  are broken by a digest of the content (`ror_digest`, `openalex_digest`), so even those do
  not depend on order; the same content again is skipped, so a re-run writes nothing.
- **Ownership.** ROR owns the registry facts (`REGISTRY_FIELDS`: names, types, status, place,
  links, external ids, and `name`, `authority`, provenance). An OpenAlex record owns
  `OPENALEX_FIELDS` and writes the registry facts only while no ROR record is loaded
  (`authority <> 'ror'`). A ROR record writes every registry field, nulls included, so what
  OpenAlex filled earlier is replaced exactly as if it had never been there. `names` and
  `name_zh` are computed from the stored values after every write.
- **ROR relationships** are facts two records may state (a parent lists its child, the child
  its parent). Each edge records who states it in `asserted_by` (its start and/or end node's
  id); a record's new version withdraws what it no longer states, and an edge nobody states
  any more is deleted. A relationship to an organisation not loaded (yet) creates a stub node
  (`id`, `ror_id` only) that the organisation's own record fills later; a stub nothing
  points to any more is deleted.
- **OpenAlex lineage and associated institutions** are the record's own outgoing edges. A
  reference with a ROR id links to the node of that ROR id (a stub if need be); one with an
  OpenAlex id only links to the node whose OpenAlex record has that id, whichever of the two
  arrives first (the edge is (re)computed from the stored lists when either is written).
- **Places**: `(:Institution)-[:LOCATED_IN]->(:City {id: 'geonames/<id>'})-[:LOCATED_IN]->
  (:Country {id: 'CN'})`, from ROR only. Each institution's edge keeps its record's view of
  the place; the City and Country take the values of the newest record naming them.

Edges carry `source` ('ror' or 'openalex'): PART_OF has both kinds, kept apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from graph import newest
from graph.write.region import place_new_institutions
from schema.institution import (
    Authority,
    Institution,
    InstitutionLocation,
    InstitutionRelation,
    RorRelationKind,
)
from schema.labels import Label, Rel

ROR_SOURCE = "ror"
OPENALEX_SOURCE = "openalex"

# Written by both registries' records, always the same value (the ROR id is the key).
KEY_FIELDS = frozenset({"id", "ror_id"})
# The ROR record itself.
ROR_FIELDS = frozenset(
    {"ror_name", "ror_name_language", "ror_updated_at", "ror_created", "ror_schema"}
)
# The OpenAlex Institution record: its own view, statistics, lineage, associated institutions.
OPENALEX_FIELDS = frozenset(
    {
        "openalex_id",
        "openalex_name",
        "openalex_name_zh",
        "openalex_updated_at",
        "openalex_created",
        "works_count",
        "cited_by_count",
        "h_index",
        "i10_index",
        "two_year_mean_citedness",
        "count_years",
        "works_counts",
        "cited_by_counts",
        "lineage_openalex_ids",
        "lineage_ror_ids",
        "associated_openalex_ids",
        "associated_ror_ids",
        "associated_relationships",
        "image_url",
        "mag_id",
    }
)
# Computed in the graph from the stored values (see FINISH_NAMES).
COMPUTED_FIELDS = frozenset(Institution.model_computed_fields)
# Everything else is a registry fact: ROR's, or OpenAlex's while no ROR record is loaded.
REGISTRY_FIELDS = (
    frozenset(Institution.model_fields)
    - KEY_FIELDS
    - ROR_FIELDS
    - OPENALEX_FIELDS
    - COMPUTED_FIELDS
)

# What a ROR record leaves alone.
_NOT_ROR = OPENALEX_FIELDS | COMPUTED_FIELDS

_ROR_LINKS = (Rel.PART_OF, Rel.RELATED_TO, Rel.SUCCEEDED_BY)
_ROR_LINK_PATTERN = "|".join(_ROR_LINKS)

# --- ROR -------------------------------------------------------------------------------------

UPSERT_ROR = f"""
UNWIND $rows AS row
MERGE (n:{Label.INSTITUTION} {{id: row.id}})
WITH n, row
WHERE n.ror_digest IS NULL
   OR row.version > coalesce(n.ror_updated_at, '') + '|' + n.ror_digest
SET n += row.props, n.ror_digest = row.digest
RETURN n.id AS id
"""
# A record's new version withdraws the relationships it no longer states.
WITHDRAW_ROR_LINKS = f"""
UNWIND $rows AS row
MATCH (n:{Label.INSTITUTION} {{id: row.id}})
      -[r:{_ROR_LINK_PATTERN} {{source: $source}}]-(other:{Label.INSTITUTION})
WHERE row.id IN r.asserted_by
  AND NOT (type(r) + '|' + startNode(r).id + '|' + endNode(r).id) IN row.keep
SET r.asserted_by = [a IN r.asserted_by WHERE a <> row.id]
RETURN DISTINCT other.id AS other
"""
DELETE_UNASSERTED_LINKS = f"""
UNWIND $ids AS key
MATCH (:{Label.INSTITUTION} {{id: key}})
      -[r:{_ROR_LINK_PATTERN} {{source: $source}}]-(:{Label.INSTITUTION})
WHERE size(r.asserted_by) = 0
WITH DISTINCT r
DELETE r
"""
# `asserted_by` lists the start and/or end node's id, in that order, so it is the same list
# whichever record was loaded first.
ASSERT_ROR_LINKS = {
    rel: f"""
UNWIND $rows AS row
MERGE (a:{Label.INSTITUTION} {{id: row.start}})
ON CREATE SET a.ror_id = row.start
MERGE (b:{Label.INSTITUTION} {{id: row.end}})
ON CREATE SET b.ror_id = row.end
MERGE (a)-[r:{rel} {{source: $source}}]->(b)
SET r.asserted_by = [x IN [row.start, row.end] WHERE x = row.by OR x IN coalesce(r.asserted_by, [])]
"""
    for rel in _ROR_LINKS
}
# A node only a withdrawn relationship had created, and nothing else wrote or links.
DROP_STUBS = f"""
UNWIND $ids AS key
MATCH (n:{Label.INSTITUTION} {{id: key}})
WHERE n.authority IS NULL AND all(k IN keys(n) WHERE k IN ['id', 'ror_id']) AND NOT (n)--()
DELETE n
"""
WITHDRAW_LOCATIONS = f"""
UNWIND $rows AS row
MATCH (:{Label.INSTITUTION} {{id: row.id}})
      -[l:{Rel.LOCATED_IN} {{source: $source}}]->(c:{Label.CITY})
WHERE NOT c.id IN row.keep
DELETE l
RETURN DISTINCT c.id AS city
"""
ASSERT_LOCATIONS = f"""
UNWIND $rows AS row
MATCH (n:{Label.INSTITUTION} {{id: row.institution_id}})
MERGE (c:{Label.CITY} {{id: row.city_id}})
MERGE (n)-[l:{Rel.LOCATED_IN} {{source: $source}}]->(c)
SET l += row.props
"""
# GeoNames cities no institution is located in any more (curated cities have other ids); one
# a region profile maps (PART_OF its city or district) stays for the institutions to come.
DROP_ORPHAN_CITIES = f"""
UNWIND $ids AS key
MATCH (c:{Label.CITY} {{id: key}})
WHERE c.id STARTS WITH 'geonames/' AND NOT (c)<-[:{Rel.LOCATED_IN}]-()
  AND NOT (c)-[:{Rel.PART_OF}]->()
OPTIONAL MATCH (c)-[:{Rel.LOCATED_IN}]->(k:{Label.COUNTRY})
WITH c, collect(k.id) AS countries
DETACH DELETE c
RETURN countries
"""
# A city takes the values of the newest record placing an institution in it.
REFRESH_CITIES = f"""
UNWIND $ids AS key
MATCH (c:{Label.CITY} {{id: key}})<-[l:{Rel.LOCATED_IN} {{source: $source}}]-(i:{Label.INSTITUTION})
WITH c, l ORDER BY l.record_version DESC, i.id
WITH c, head(collect(l)) AS best
SET c.name = best.city, c.geonames_id = best.geonames_id, c.country_code = best.country_code,
    c.latitude = best.latitude, c.longitude = best.longitude, c.source = $source,
    c.source_id = 'https://www.geonames.org/' + toString(best.geonames_id)
WITH c, best
CALL (c, best) {{
  OPTIONAL MATCH (c)-[old:{Rel.LOCATED_IN}]->(k:{Label.COUNTRY})
  WHERE best.country_code IS NULL OR k.id <> best.country_code
  DELETE old
  RETURN collect(k.id) AS dropped
}}
FOREACH (code IN CASE WHEN best.country_code IS NULL THEN [] ELSE [best.country_code] END |
  MERGE (k:{Label.COUNTRY} {{id: code}})
  ON CREATE SET k.source = $source
  MERGE (c)-[:{Rel.LOCATED_IN}]->(k)
)
RETURN dropped + [x IN [best.country_code] WHERE x IS NOT NULL] AS countries
"""
# What the cities of a batch's locations hold now, and the name of the country each is in: a
# city (country) whose stored values every new location repeats keeps them whichever record
# is the newest, so only the others are refreshed.
CURRENT_PLACES = f"""
UNWIND $ids AS key
MATCH (c:{Label.CITY} {{id: key}})
OPTIONAL MATCH (c)-[:{Rel.LOCATED_IN}]->(k:{Label.COUNTRY})
RETURN c.id AS id, [c.name, c.geonames_id, c.country_code, c.latitude, c.longitude, c.source]
       AS values, k.id AS country, k.name AS country_name
"""
# A country's name comes from the newest record placing an institution in it; a country this
# loader created and nothing is located in any more goes.
REFRESH_COUNTRIES = f"""
UNWIND $ids AS key
MATCH (k:{Label.COUNTRY} {{id: key}})
OPTIONAL MATCH (k)<-[:{Rel.LOCATED_IN}]-(:{Label.CITY})
               <-[l:{Rel.LOCATED_IN} {{source: $source}}]-(i:{Label.INSTITUTION})
WITH k, l, i ORDER BY l.record_version DESC, i.id
WITH k, head(collect(l)) AS best
SET k.name = best.country_name
WITH k, best
WHERE best IS NULL AND NOT (k)--() AND all(x IN keys(k) WHERE x IN ['id', 'source'])
DELETE k
"""

# --- both ------------------------------------------------------------------------------------

# `names` is the model's computed field, in Cypher: every name once, in the same order.
FINISH_NAMES = f"""
UNWIND $ids AS key
MATCH (n:{Label.INSTITUTION} {{id: key}})
WITH n, coalesce(n.labels, []) AS label_list, coalesce(n.label_languages, []) AS languages
WITH n, label_list,
     [i IN range(0, size(label_list) - 1)
      WHERE toLower(languages[i]) = 'zh' OR toLower(languages[i]) STARTS WITH 'zh-'
      | label_list[i]] AS chinese
WITH n, chinese,
     [n.name] + label_list + coalesce(n.aliases, []) + coalesce(n.acronyms, [])
     + [n.openalex_name, n.openalex_name_zh] AS every
SET n.name_zh = coalesce(head(chinese), n.openalex_name_zh),
    n.names = reduce(acc = [], x IN every |
                     CASE WHEN x IS NULL OR x = '' OR x IN acc THEN acc ELSE acc + x END)
"""

# --- OpenAlex --------------------------------------------------------------------------------

UPSERT_OPENALEX = f"""
UNWIND $rows AS row
MERGE (n:{Label.INSTITUTION} {{id: row.id}})
WITH n, row
WHERE n.openalex_digest IS NULL
   OR row.version > coalesce(n.openalex_updated_at, '') + '|' + n.openalex_digest
SET n += row.owned, n.openalex_digest = row.digest
FOREACH (_ IN CASE WHEN coalesce(n.authority, '') = '{Authority.ROR}' THEN [] ELSE [1] END |
  SET n += row.registry
)
RETURN n.id AS id
"""

# OpenAlex's references to other institutions: lineage (PART_OF) and associated institutions
# (ASSOCIATED_WITH {relationship}), each a set of parallel lists on the referring node.
_REFERENCES: dict[Rel, tuple[str, str | None]] = {
    Rel.PART_OF: ("lineage", None),
    Rel.ASSOCIATED_WITH: ("associated", "associated_relationships"),
}


def _valid(rel: Rel) -> str:
    """Cypher: edge r from c to t stands for one of c's references (by ROR id when it names
    one, else by the OpenAlex id of a loaded OpenAlex record)."""
    prefix, kinds = _REFERENCES[rel]
    same_kind = f"c.{kinds}[i] = r.relationship AND " if kinds else ""
    return (
        f"any(i IN range(0, size(coalesce(c.{prefix}_openalex_ids, [])) - 1) WHERE {same_kind}"
        f"((c.{prefix}_ror_ids[i] <> '' AND c.{prefix}_ror_ids[i] = t.id) OR "
        f"(c.{prefix}_ror_ids[i] = '' AND t.openalex_digest IS NOT NULL "
        f"AND c.{prefix}_openalex_ids[i] = t.openalex_id)))"
    )


def _edge(rel: Rel, kind: str) -> str:
    """The MERGE pattern of a reference edge from c to t; `kind` is the relationship value."""
    extra = f", relationship: {kind}" if _REFERENCES[rel][1] else ""
    return f"(c)-[:{rel} {{source: $source{extra}}}]->(t)"


# Edges out of a record's node that its (new) lists no longer support.
WITHDRAW_REFERENCES = {
    rel: f"""
UNWIND $ids AS key
MATCH (c:{Label.INSTITUTION} {{id: key}})-[r:{rel} {{source: $source}}]->(t:{Label.INSTITUTION})
WHERE NOT {_valid(rel)}
DELETE r
RETURN DISTINCT t.id AS target
"""
    for rel in _REFERENCES
}
# Edges into a node whose OpenAlex id changed.
WITHDRAW_REFERRERS = {
    rel: f"""
UNWIND $ids AS key
MATCH (c:{Label.INSTITUTION})-[r:{rel} {{source: $source}}]->(t:{Label.INSTITUTION} {{id: key}})
WHERE NOT {_valid(rel)}
DELETE r
"""
    for rel in _REFERENCES
}
REFER_BY_ROR = {
    rel: f"""
UNWIND $rows AS row
MATCH (c:{Label.INSTITUTION} {{id: row.id}})
MERGE (t:{Label.INSTITUTION} {{id: row.ror_id}})
ON CREATE SET t.ror_id = row.ror_id
MERGE {_edge(rel, "row.relationship")}
"""
    for rel in _REFERENCES
}
REFER_BY_OPENALEX = {
    rel: f"""
UNWIND $rows AS row
MATCH (c:{Label.INSTITUTION} {{id: row.id}})
MATCH (t:{Label.INSTITUTION} {{openalex_id: row.openalex_id}})
WHERE t.openalex_digest IS NOT NULL AND t <> c
MERGE {_edge(rel, "row.relationship")}
"""
    for rel in _REFERENCES
}
# Records loaded earlier that name one of this batch's OpenAlex ids without a ROR id.
REFERRED_BY_EARLIER = {
    rel: f"""
MATCH (c:{Label.INSTITUTION})
WHERE c.{prefix}_openalex_ids IS NOT NULL
UNWIND range(0, size(c.{prefix}_openalex_ids) - 1) AS i
WITH c, i
WHERE c.{prefix}_ror_ids[i] = '' AND c.{prefix}_openalex_ids[i] IN $openalex_ids
MATCH (t:{Label.INSTITUTION} {{openalex_id: c.{prefix}_openalex_ids[i]}})
WHERE t.openalex_digest IS NOT NULL AND t <> c
MERGE {_edge(rel, f"c.{kinds}[i]")}
"""
    for rel, (prefix, kinds) in _REFERENCES.items()
}


# --- transaction functions -------------------------------------------------------------------


def write_ror_batch(
    tx: ManagedTransaction,
    institutions: Sequence[Institution],
    relations: Sequence[InstitutionRelation],
    locations: Sequence[InstitutionLocation],
) -> int:
    """Upsert one batch of ROR records; returns how many were newer than the stored ones (and
    so written). Idempotent, so safe as a retried transaction function."""
    relations_of: dict[str, list[InstitutionRelation]] = {}
    for relation in relations:
        relations_of.setdefault(relation.institution_id, []).append(relation)
    locations_of: dict[str, list[InstitutionLocation]] = {}
    for location in locations:
        locations_of.setdefault(location.institution_id, []).append(location)

    rows: dict[str, dict[str, Any]] = {}
    for institution in institutions:
        props = institution.properties()
        key = props.pop("id")
        props = newest.stored({k: v for k, v in props.items() if k not in _NOT_ROR})
        digest = newest.digest(
            props,
            [r.model_dump(mode="json") for r in relations_of.get(key, [])],
            [x.model_dump(mode="json") for x in locations_of.get(key, [])],
        )
        version = f"{props.get('ror_updated_at') or ''}|{digest}"
        kept = rows.get(key)
        # The same organisation twice in a batch: the newer wins, as it would across batches.
        if kept is None or version >= kept["version"]:
            rows[key] = {"id": key, "props": props, "digest": digest, "version": version}
    written = [str(r["id"]) for r in tx.run(UPSERT_ROR, rows=list(rows.values()))]
    accepted = set(written)
    if not accepted:
        return 0

    keep: dict[str, list[str]] = {key: [] for key in accepted}
    asserted: dict[Rel, list[dict[str, str]]] = {rel: [] for rel in _ROR_LINKS}
    for key in sorted(accepted):
        for relation in relations_of.get(key, []):
            rel, start, end = ror_link(relation)
            keep[key].append(f"{rel}|{start}|{end}")
            asserted[rel].append({"start": start, "end": end, "by": key})
    withdrawn = tx.run(
        WITHDRAW_ROR_LINKS,
        rows=[{"id": key, "keep": links} for key, links in keep.items()],
        source=ROR_SOURCE,
    )
    others = sorted({str(r["other"]) for r in withdrawn})
    tx.run(DELETE_UNASSERTED_LINKS, ids=sorted(accepted), source=ROR_SOURCE).consume()
    for rel, link_rows in asserted.items():
        tx.run(ASSERT_ROR_LINKS[rel], rows=link_rows, source=ROR_SOURCE).consume()
    tx.run(DROP_STUBS, ids=others).consume()

    _write_locations(tx, accepted, locations_of, {k: rows[k]["version"] for k in accepted})
    place_new_institutions(tx, sorted(accepted))
    tx.run(FINISH_NAMES, ids=sorted(accepted)).consume()
    return len(accepted)


def ror_link(relation: InstitutionRelation) -> tuple[Rel, str, str]:
    """The edge a ROR relationship stands for: (type, start id, end id). `related` is
    symmetric, so it is stored once, from the smaller id to the larger."""
    me, other = relation.institution_id, relation.related_id
    match relation.kind:
        case RorRelationKind.PARENT:
            return Rel.PART_OF, me, other
        case RorRelationKind.CHILD:
            return Rel.PART_OF, other, me
        case RorRelationKind.SUCCESSOR:
            return Rel.SUCCEEDED_BY, me, other
        case RorRelationKind.PREDECESSOR:
            return Rel.SUCCEEDED_BY, other, me
        case RorRelationKind.RELATED:
            return Rel.RELATED_TO, min(me, other), max(me, other)


def _write_locations(
    tx: ManagedTransaction,
    accepted: set[str],
    locations_of: dict[str, list[InstitutionLocation]],
    versions: dict[str, str],
) -> None:
    keep = {key: [x.city_id for x in locations_of.get(key, [])] for key in sorted(accepted)}
    withdrawn = tx.run(
        WITHDRAW_LOCATIONS,
        rows=[{"id": key, "keep": cities} for key, cities in keep.items()],
        source=ROR_SOURCE,
    )
    cities = {str(r["city"]) for r in withdrawn}
    rows: list[dict[str, Any]] = []
    for key in sorted(accepted):
        for location in locations_of.get(key, []):
            props = location.model_dump(mode="json", exclude={"institution_id", "city_id"})
            props["record_version"] = versions[key]
            rows.append({"institution_id": key, "city_id": location.city_id, "props": props})
    stale_cities, countries = _stale_places(tx, [r["props"] | {"id": r["city_id"]} for r in rows])
    cities |= stale_cities
    tx.run(ASSERT_LOCATIONS, rows=rows, source=ROR_SOURCE).consume()
    for record in tx.run(DROP_ORPHAN_CITIES, ids=sorted(cities)):
        countries.update(record["countries"])
    for record in tx.run(REFRESH_CITIES, ids=sorted(cities), source=ROR_SOURCE):
        countries.update(record["countries"])
    tx.run(REFRESH_COUNTRIES, ids=sorted(countries), source=ROR_SOURCE).consume()


def _stale_places(
    tx: ManagedTransaction, locations: list[dict[str, Any]]
) -> tuple[set[str], set[str]]:
    """The cities and countries a batch's locations may change: those a location gives other
    values than they hold (or that do not exist yet). A place every location repeats keeps its
    values whichever record is the newest, so refreshing it (all the institutions of a city or
    a country, every batch) would change nothing."""
    ids = sorted({str(x["id"]) for x in locations})
    stored = {r["id"]: r for r in tx.run(CURRENT_PLACES, ids=ids)}
    cities: set[str] = set()
    countries: set[str] = set()
    for x in locations:
        held = stored.get(x["id"])
        values = [x["city"], x["geonames_id"], x["country_code"], x["latitude"], x["longitude"]]
        if held is None or held["values"] != [*values, ROR_SOURCE]:
            cities.add(str(x["id"]))
        elif x["country_code"] is not None and held["country_name"] != x["country_name"]:
            countries.add(str(x["country_code"]))
    return cities, countries


def write_openalex_batch(tx: ManagedTransaction, institutions: Sequence[Institution]) -> int:
    """Upsert one batch of OpenAlex Institution records; returns how many were newer than the
    stored ones (and so written). Idempotent, so safe as a retried transaction
    function."""
    rows: dict[str, dict[str, Any]] = {}
    models: dict[str, Institution] = {}
    for institution in institutions:
        props = institution.properties()
        key = props.pop("id")
        owned = newest.stored({k: v for k, v in props.items() if k in OPENALEX_FIELDS | KEY_FIELDS})
        registry = newest.stored({k: v for k, v in props.items() if k in REGISTRY_FIELDS})
        digest = newest.digest(owned, registry)
        version = f"{owned.get('openalex_updated_at') or ''}|{digest}"
        kept = rows.get(key)
        if kept is None or version >= kept["version"]:
            rows[key] = {
                "id": key,
                "owned": owned,
                "registry": registry,
                "digest": digest,
                "version": version,
            }
            models[key] = institution
    accepted = sorted({str(r["id"]) for r in tx.run(UPSERT_OPENALEX, rows=list(rows.values()))})
    if not accepted:
        return 0
    targets: set[str] = set()
    for rel in _REFERENCES:
        for record in tx.run(WITHDRAW_REFERENCES[rel], ids=accepted, source=OPENALEX_SOURCE):
            targets.add(str(record["target"]))
        tx.run(WITHDRAW_REFERRERS[rel], ids=accepted, source=OPENALEX_SOURCE).consume()
        by_ror, by_openalex = _references(rel, [models[key] for key in accepted])
        tx.run(REFER_BY_ROR[rel], rows=by_ror, source=OPENALEX_SOURCE).consume()
        tx.run(REFER_BY_OPENALEX[rel], rows=by_openalex, source=OPENALEX_SOURCE).consume()
        openalex_ids = sorted({m.openalex_id for k in accepted if (m := models[k]).openalex_id})
        tx.run(
            REFERRED_BY_EARLIER[rel], openalex_ids=openalex_ids, source=OPENALEX_SOURCE
        ).consume()
    tx.run(DROP_STUBS, ids=sorted(targets)).consume()
    tx.run(FINISH_NAMES, ids=accepted).consume()
    return len(accepted)


def _references(
    rel: Rel, institutions: Sequence[Institution]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for the references that name a ROR id, and for those that name only an
    OpenAlex id."""
    by_ror: list[dict[str, Any]] = []
    by_openalex: list[dict[str, Any]] = []
    for inst in institutions:
        if rel is Rel.PART_OF:
            entries = zip(
                inst.lineage_openalex_ids,
                inst.lineage_ror_ids,
                [""] * len(inst.lineage_openalex_ids),
                strict=True,
            )
        else:
            entries = zip(
                inst.associated_openalex_ids,
                inst.associated_ror_ids,
                inst.associated_relationships,
                strict=True,
            )
        for openalex, ror, kind in entries:
            if ror == inst.id or openalex == inst.openalex_id:
                continue
            row = {"id": inst.id, "relationship": kind or None}
            if ror:
                by_ror.append({**row, "ror_id": ror})
            else:
                by_openalex.append({**row, "openalex_id": openalex})
    return by_ror, by_openalex
