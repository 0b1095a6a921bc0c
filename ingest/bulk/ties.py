"""The derived step's ties of people, computed in the bulk load's select stage (DuckDB) from
the records that won, and imported with the rest: what `graph.write.derived` would write for
every scientist of a first load, without a transaction per 500 of them.

- AFFILIATED_WITH (source `openalex_authorship`): per scientist and institution of their
  authorships, the first and last year, the works, confidence 1.0 (`AFFILIATIONS`);
- COAUTHORED: per pair of people on a work of at most `max_authors` authorships, from the
  smaller id to the larger, the works, first and last year (`COAUTHORS`);
- EXPERT_IN: per scientist and topic, the works and the sum of the works' topic scores in
  the order of the works' ids, rounded to 6 places (`EXPERTISE`);
- the computed works count, citations and h-index of people without an author record's
  counts (`COMPUTED_METRICS`).

The affiliation matcher's ties (source `matcher`) come from a later step, never from a works
record, so a first load has none. What stays in the derived step after the import: the
institutions' teams and COLLABORATES (measured: teams cost 4.6 times what COLLABORATES does,
and both read the same marks), the rankings, heat, flows and the evaluation; the import
leaves the marks those read (`MARKS`). tests/test_bulk_import.py compares the whole graph
after the derived step with the Bolt path's."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from graph.write.derived import AUTHORSHIP_SOURCE
from ingest.bulk.columns import ARRAY_DELIMITER, Column
from schema.labels import Label, Rel

# The marks the derived step reads after the import, as it would have left them after its
# ties: every scientist's evaluation and moves are due, every institution's teams (with
# COLLABORATES) are; works are done.
MARKS: dict[Label, tuple[tuple[Column, str], ...]] = {
    Label.SCIENTIST: (
        (Column("eval_dirty", "boolean"), "'true'"),
        (Column("flows_dirty", "boolean"), "'true'"),
    ),
    Label.INSTITUTION: ((Column("needs_derive", "boolean"), "'true'"),),
}


@dataclass(frozen=True)
class TieFile:
    name: str
    type: Rel
    header: list[str]
    select: str


def prepare(
    con: duckdb.DuckDBPyConnection, works: str, authored: str, about: str, institutions: str
) -> None:
    """The winning records' works, authorships and topic links as temporary tables (`works`
    and the others are the staging files' table functions; `won` holds the winning seq of
    each work)."""
    con.execute(
        "CREATE TEMP TABLE tie_works AS SELECT w.id, "
        "CAST(w.publication_year AS BIGINT) AS year, "
        "CAST(w.authors_count AS BIGINT) AS authors, "
        "coalesce(CAST(w.cited_by_count AS BIGINT), 0) AS cites "
        f"FROM {works} w JOIN won USING (id, seq)"
    )
    con.execute(
        "CREATE TEMP TABLE tie_authored AS SELECT r.scientist_id, r.work_id, "
        "r.institution_ids "
        f"FROM {authored} r JOIN won ON r.work_id = won.id AND r.seq = won.seq"
    )
    con.execute(
        "CREATE TEMP TABLE tie_about AS SELECT r.work_id, r.topic_id, "
        "CAST(r.score AS DOUBLE) AS score "
        f"FROM {about} r JOIN won ON r.work_id = won.id AND r.seq = won.seq"
    )
    con.execute(f"CREATE TEMP TABLE tie_institutions AS SELECT DISTINCT id FROM {institutions}")


AFFILIATIONS = f"""
SELECT a.scientist_id, a.iid, '{AUTHORSHIP_SOURCE}', min(w.year), max(w.year),
       count(DISTINCT a.work_id), 1.0
FROM (SELECT scientist_id, work_id,
             unnest(string_split(institution_ids, chr({ord(ARRAY_DELIMITER)}))) AS iid
      FROM tie_authored WHERE institution_ids IS NOT NULL) a
JOIN tie_works w ON w.id = a.work_id
WHERE a.iid IN (SELECT id FROM tie_institutions)
GROUP BY a.scientist_id, a.iid
"""
COAUTHORS = """
SELECT a.scientist_id, b.scientist_id, count(DISTINCT a.work_id), min(w.year), max(w.year)
FROM tie_authored a
JOIN tie_authored b ON b.work_id = a.work_id AND a.scientist_id < b.scientist_id
JOIN tie_works w ON w.id = a.work_id
WHERE w.authors <= $max_authors
GROUP BY a.scientist_id, b.scientist_id
"""
EXPERTISE = """
SELECT a.scientist_id, t.topic_id, count(DISTINCT a.work_id),
       round(list_sum(list(t.score ORDER BY a.work_id)), 6)
FROM tie_authored a JOIN tie_about t ON t.work_id = a.work_id
GROUP BY a.scientist_id, t.topic_id
"""
COMPUTED_METRICS = """
SELECT scientist_id, count(*) AS works, sum(cites) AS citations,
       count(*) FILTER (WHERE cites >= place) AS h
FROM (SELECT a.scientist_id, w.cites,
             row_number() OVER (PARTITION BY a.scientist_id ORDER BY w.cites DESC) AS place
      FROM tie_authored a JOIN tie_works w ON w.id = a.work_id)
GROUP BY scientist_id
"""


def tie_files(max_authors: int) -> list[TieFile]:
    """The three relationship files, with their neo4j-admin headers."""
    coauthors = COAUTHORS.replace("$max_authors", str(int(max_authors)))
    return [
        TieFile(
            "affiliated_with",
            Rel.AFFILIATED_WITH,
            [
                f":START_ID({Label.SCIENTIST})",
                f":END_ID({Label.INSTITUTION})",
                "source:string",
                "start_year:long",
                "end_year:long",
                "works:long",
                "confidence:double",
            ],
            AFFILIATIONS,
        ),
        TieFile(
            "coauthored",
            Rel.COAUTHORED,
            [
                f":START_ID({Label.SCIENTIST})",
                f":END_ID({Label.SCIENTIST})",
                "works:long",
                "first_year:long",
                "last_year:long",
            ],
            coauthors,
        ),
        TieFile(
            "expert_in",
            Rel.EXPERT_IN,
            [
                f":START_ID({Label.SCIENTIST})",
                f":END_ID({Label.TOPIC})",
                "works:long",
                "score:double",
            ],
            EXPERTISE,
        ),
    ]


def with_marks(label: Label, columns: list[str], select: str) -> tuple[list[str], str]:
    """A node file's header and SELECT with the marks the label carries after the import, and
    for scientists the computed counts where the view has no author record's counts."""
    marks = MARKS.get(label, ())
    header = [*columns, *(c.header for c, _ in marks)]
    if label != Label.SCIENTIST:
        values = ", ".join(["n.*", *(value for _, value in marks)])
        return header, f"SELECT {values} FROM ({select}) n"
    computed = {
        "computed_works_count": "m.works",
        "computed_cited_by_count": "m.citations",
        "computed_h_index": "m.h",
    }
    replaced = ", ".join(
        f"CASE WHEN n.works_count IS NULL THEN CAST(coalesce({value}, 0) AS VARCHAR) "
        f'ELSE n."{name}" END AS "{name}"'
        for name, value in computed.items()
    )
    values = ", ".join([f"n.* REPLACE ({replaced})", *(value for _, value in marks)])
    return header, (
        f"SELECT {values} FROM ({select}) n LEFT JOIN ({COMPUTED_METRICS}) m "
        "ON m.scientist_id = n.id"
    )
