"""The affiliation matcher's registry, read from the graph: every institution with a ROR id,
with its names, acronyms, place and ROR parents (`PART_OF` edges), as plain records."""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from schema.labels import Label, Rel

_REGISTRY = f"""
MATCH (n:{Label.INSTITUTION})
WHERE n.ror_id IS NOT NULL AND coalesce(n.name, n.ror_name) IS NOT NULL
OPTIONAL MATCH (n)-[:{Rel.PART_OF}]->(p:{Label.INSTITUTION})
WITH n, [x IN collect(p.ror_id) WHERE x IS NOT NULL] AS parents
RETURN n.ror_id AS ror_id, coalesce(n.name, n.ror_name) AS name, coalesce(n.labels, []) AS labels,
       coalesce(n.aliases, []) AS aliases, coalesce(n.acronyms, []) AS acronyms,
       n.city AS city, n.country_code AS country_code, n.country_name AS country_name,
       n.status AS status, parents
ORDER BY ror_id
"""


def affiliation_registry(tx: ManagedTransaction) -> list[dict[str, Any]]:
    """One record per institution with a ROR id (see `ingest.affiliations.Entry`)."""
    return [record.data() for record in tx.run(_REGISTRY)]
