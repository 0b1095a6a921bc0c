"""What the bulk first load (ingest/bulk/) needs from the graph: whether the database is empty,
and the list properties `neo4j-admin database import` cannot write empty.

The Bolt path stores a work's, an authorship's and a funding's empty lists as `[]`
(graph/write/work.py); the CSV import has no empty array (an empty field is no property), so
they are filled here, in transactions of 20,000 rows, where the import left them missing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from neo4j import Driver

from graph.newest import DIGEST
from schema.labels import Label, Rel

HOLDS_DATA = f"MATCH (n) WHERE NOT n:{Label.MIGRATION} RETURN count(n) > 0 AS holds"


def fill_empty_lists_query(owner: Label | Rel, properties: Sequence[str]) -> str:
    """Cypher: every missing one of `properties` set to [] on the label's recorded nodes (a
    citation stub has no record) or on every relationship of the type."""
    sets = ", ".join(f"x.{p} = coalesce(x.{p}, [])" for p in properties)
    missing = " OR ".join(f"x.{p} IS NULL" for p in properties)
    if isinstance(owner, Label):
        match = f"MATCH (x:{owner}) WHERE x.{DIGEST} IS NOT NULL AND ({missing})"
    else:
        match = f"MATCH ()-[x:{owner}]->() WHERE {missing}"
    return f"{match} CALL (x) {{ SET {sets} }} IN TRANSACTIONS OF 20000 ROWS"


def holds_data(driver: Driver, database: str) -> bool:
    """Whether the database holds anything but the records of its migrations."""
    records, _, _ = driver.execute_query(HOLDS_DATA, database_=database)
    return bool(records[0]["holds"])


def fill_empty_lists(
    driver: Driver, database: str, lists: Mapping[Label | Rel, Sequence[str]]
) -> None:
    """Set the missing list properties to [] (auto-commit transactions, batched)."""
    with driver.session(database=database) as session:
        for owner, properties in lists.items():
            session.run(fill_empty_lists_query(owner, properties)).consume()
