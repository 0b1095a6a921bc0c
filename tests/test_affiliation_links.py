"""The affiliation matcher in ingestion, against the real Neo4j holding the bundled OpenAlex
sample and two real ROR records that share one name ("Far Eastern University", in Manila and
in Chiang Mai; tests/data/ror, CC0):

- raw strings the record links to no institution get `AFFILIATED_WITH {source: "matcher"}`
  edges to the institution they name, with confidence and years, also beside the linked
  strings of the same authorship (never a second edge to an institution the record names); a
  re-run builds no matcher and changes nothing; edges of structured sources are never changed;
- a text document's institution whose name alone is ambiguous is resolved by the matcher from
  the place written next to it, and left unresolved without one.

Expected values come from the raw sample JSON and the raw ROR records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.derived.step import derive
from ingest.jobs import run_job
from ingest.matching.authorships import (
    AuthorshipMatchReport,
    GraphMatcher,
    LazyMatcher,
    match_authorships,
)
from ingest.ror.records import ROR
from ingest.text.documents import ingest_text
from schema.settings import Settings
from tests.conftest import (
    SAMPLE_WORKS,
    ask,
    load_works,
    rows,
    sample_works,
    short_id,
    snapshot,
)

NAMESAKES = Path(__file__).parent / "data" / "ror" / "far_eastern_university_v2.json"


def unlinked_authorships() -> dict[tuple[str, str], tuple[set[str], int | None]]:
    """(author, work) -> (raw strings linked to none of the authorship's institutions, year) of
    the sample's authorships that have such strings (a person listed twice on a work is one
    authorship). A record's `affiliations` say per string which institutions it names (some
    name an institution the authorship does not list); where a record has none, its strings
    are unlinked when the authorship lists no institution."""
    found: dict[tuple[str, str], tuple[set[str], int | None]] = {}
    for work in sample_works():
        for a in work.get("authorships") or []:
            author = (a.get("author") or {}).get("id")
            if not author or not (
                (a.get("author") or {}).get("display_name") or a.get("raw_author_name")
            ):
                continue
            key = (short_id(author), short_id(work["id"]))
            strings, _ = found.setdefault(key, (set(), work.get("publication_year")))
            listed = {
                i["id"]
                for i in a.get("institutions") or []
                if i.get("id") and i.get("display_name")
            }
            if a.get("affiliations"):
                strings.update(
                    x["raw_affiliation_string"]
                    for x in a["affiliations"]
                    if not listed.intersection(x.get("institution_ids") or [])
                    and x.get("raw_affiliation_string")
                )
            elif not listed:
                raw = a.get("raw_affiliation_strings")
                if raw is None and a.get("raw_affiliation_string"):
                    raw = [a["raw_affiliation_string"]]
                strings.update(s for s in raw or [] if isinstance(s, str))
    return {k: v for k, v in found.items() if v[0]}


def institution_names() -> dict[str, str]:
    """Display name -> ROR id of the sample's institutions (names of one institution only)."""
    names: dict[str, set[str]] = {}
    for work in sample_works():
        for a in work.get("authorships") or []:
            for inst in a.get("institutions") or []:
                if inst.get("ror") and inst.get("display_name"):
                    names.setdefault(inst["display_name"], set()).add(short_id(inst["ror"]))
    return {name: next(iter(ids)) for name, ids in names.items() if len(ids) == 1}


def sample_institution(ror: str) -> dict[str, Any]:
    """The sample's first institution object (as authorships carry it) with this ROR id."""
    return next(
        inst
        for work in sample_works()
        for a in work["authorships"]
        for inst in a.get("institutions") or []
        if inst.get("ror") and short_id(inst["ror"]) == ror
    )


def exact_name_matches() -> set[tuple[str, str, int | None]]:
    """(author, ROR id, year) for authorships with an unlinked string that is exactly an
    institution's name (trailing punctuation aside): what the matcher must find."""
    names = institution_names()
    found = set()
    for (author, _), (strings, year) in unlinked_authorships().items():
        for text in strings:
            ror = names.get(text.strip().rstrip(",;."))
            if ror:
                found.add((author, ror, year))
    return found


def structured_edges(driver: Driver, settings: Settings) -> list[dict[str, Any]]:
    return rows(
        driver,
        settings,
        "MATCH (s:Scientist)-[r:AFFILIATED_WITH]->(i) WHERE r.source <> 'matcher' "
        "RETURN s.id AS s, i.id AS i, properties(r) AS props ORDER BY s, i, props.source",
    )


def matcher_edges(driver: Driver, settings: Settings) -> dict[tuple[str, str], dict[str, Any]]:
    found = rows(
        driver,
        settings,
        "MATCH (s:Scientist)-[r:AFFILIATED_WITH {source: 'matcher'}]->(i) "
        "RETURN s.id AS s, i.id AS i, properties(r) AS props",
    )
    return {(r["s"], r["i"]): r["props"] for r in found}


def namesakes() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(NAMESAKES.read_text(encoding="utf-8"))
    return records


def load_match_derive(
    driver: Driver, settings: Settings, folder: Path, record: dict[str, Any]
) -> AuthorshipMatchReport:
    """Load one made-up work record, run the matcher step and the derived step."""
    path = folder / "made_up.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    writer = Writer(driver, settings.neo4j_database)
    load_works(driver, settings, [path], folder / "quarantine", derive=False)
    report = match_authorships(writer)
    derive(writer, max_authors=settings.max_authors_for_ties)
    return report


def never_built() -> GraphMatcher:
    raise AssertionError("the matcher was built with nothing to match")


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Driver:
    quarantine = tmp_path_factory.mktemp("quarantine")
    load_works(graph, settings, [SAMPLE_WORKS], quarantine)
    run_job(
        Writer(graph, settings.neo4j_database),
        ROR,
        [NAMESAKES],
        quarantine_dir=quarantine,
        batch_size=10,
    )
    return graph


def test_a_raw_strings_become_matcher_edges_beside_the_structured_ones(
    loaded: Driver, settings: Settings
) -> None:
    writer = Writer(loaded, settings.neo4j_database)
    expected = exact_name_matches()
    assert len(expected) >= 3  # the sample has such strings ("Aberystwyth University", ...)
    structured = structured_edges(loaded, settings)
    assert matcher_edges(loaded, settings) == {}

    report = match_authorships(writer)
    derive(writer, max_authors=settings.max_authors_for_ties)

    assert report.pending == len(unlinked_authorships())
    assert report.registry > 0 and report.matched >= len({(a, r) for a, r, _ in expected})
    edges = matcher_edges(loaded, settings)
    for author, ror, year in expected:
        props = edges[(author, ror)]
        assert 0 < props["confidence"] < 1  # a match, less sure than an institution id
        assert year in props["years"] and props["start_year"] <= year <= props["end_year"]
    # Every matcher edge comes from an authorship with unlinked strings.
    unlinked_authors = {author for author, _ in unlinked_authorships()}
    assert {s for s, _ in edges} <= unlinked_authors
    assert report.links >= len(edges)
    # The structured edges are untouched, and the record's institution ids too.
    assert structured_edges(loaded, settings) == structured
    matched = rows(
        loaded,
        settings,
        "MATCH (s)-[a:AUTHORED]->(w) WHERE size(a.matched_institution_ids) > 0 "
        "RETURN s.id AS s, w.id AS w",
    )
    assert len(matched) == report.matched
    assert {(r["s"], r["w"]) for r in matched} <= set(unlinked_authorships())


AFFILIATIONS = """
query ($id: ID!) {
  scientist(id: $id) {
    ... on Scientist { affiliations { institution { id } source confidence startYear endYear } }
  }
}
"""


def test_a2_the_api_shows_matcher_affiliations_with_confidence(
    loaded: Driver, settings: Settings, api_url: str
) -> None:
    for author, ror, year in sorted(exact_name_matches(), key=str):
        answer = ask(api_url, AFFILIATIONS, {"id": author})
        found = [
            a
            for a in answer["data"]["scientist"]["affiliations"]
            if a["institution"]["id"] == ror and a["source"] == "matcher"
        ]
        assert len(found) == 1, answer
        assert 0 < found[0]["confidence"] < 1
        assert found[0]["startYear"] <= year <= found[0]["endYear"]


def test_b_a_rerun_builds_no_matcher_and_changes_nothing(
    loaded: Driver, settings: Settings
) -> None:
    writer = Writer(loaded, settings.neo4j_database)
    before = snapshot(loaded, settings)
    lazy = LazyMatcher(never_built)
    report = match_authorships(writer, lazy)
    derive(writer, max_authors=settings.max_authors_for_ties)
    assert (report.pending, report.matched, lazy.built) == (0, 0, False)
    assert snapshot(loaded, settings) == before
    # Matching everything again (after the registry changed) gives the same graph.
    again = match_authorships(writer, rematch=True)
    derive(writer, max_authors=settings.max_authors_for_ties)
    assert again.pending == len(unlinked_authorships())
    assert snapshot(loaded, settings) == before


def test_c_an_institution_id_edge_is_not_overwritten_by_a_match(
    loaded: Driver, settings: Settings, tmp_path: Path
) -> None:
    """A made-up record (a sample work under a new id and year) gives a raw-string author the
    institution id their string names: two edges, each with its own years and confidence."""
    structured = {
        (short_id(a["author"]["id"]), short_id(inst["ror"]))
        for work in sample_works()
        for a in work["authorships"]
        if (a.get("author") or {}).get("id")
        for inst in a.get("institutions") or []
        if inst.get("ror")
    }
    author, ror, year = min(
        (a, r, y) for a, r, y in exact_name_matches() if (a, r) not in structured and y
    )
    assert year is not None
    institution = sample_institution(ror)
    work = next(
        w
        for w in sample_works()
        if any(
            short_id((a.get("author") or {}).get("id") or "") == author for a in w["authorships"]
        )
        and w.get("publication_year") == year
    )
    made_up = {
        **work,
        "id": "https://openalex.org/W9999999999",
        "doi": None,
        "publication_year": year - 5,
        "publication_date": f"{year - 5}-01-01",
        "referenced_works": [],
        "authorships": [
            {
                **a,
                "institutions": [institution],
                "raw_affiliation_strings": [institution["display_name"]],
                "affiliations": [
                    {
                        "raw_affiliation_string": institution["display_name"],
                        "institution_ids": [institution["id"]],
                    }
                ],
            }
            for a in work["authorships"]
            if short_id((a.get("author") or {}).get("id") or "") == author
        ],
    }
    report = load_match_derive(loaded, settings, tmp_path, made_up)
    assert report.pending == 0  # the made-up authorship has an institution id

    found = rows(
        loaded,
        settings,
        "MATCH (:Scientist {id: $s})-[r:AFFILIATED_WITH]->(:Institution {id: $i}) "
        "RETURN r.source AS source, r.start_year AS start, r.end_year AS end, "
        "r.confidence AS confidence ORDER BY source",
        s=author,
        i=ror,
    )
    by_source = {r["source"]: r for r in found}
    assert len(found) == 2, found
    assert by_source["openalex_authorship"]["start"] == year - 5
    assert by_source["openalex_authorship"]["end"] == year - 5
    assert by_source["openalex_authorship"]["confidence"] == 1.0
    assert by_source["matcher"]["start"] <= year <= by_source["matcher"]["end"]
    assert by_source["matcher"]["confidence"] < 1.0


def test_c2_an_authorship_with_linked_and_unlinked_strings(
    loaded: Driver, settings: Settings, tmp_path: Path
) -> None:
    """A made-up record (a sample work under a new id) whose one authorship has a string linked
    to institution X, an unlinked string that is Y's name, and an unlinked string that is X's
    name again: the matcher reads the two unlinked ones and adds a matcher edge to Y only."""
    names = institution_names()
    known = {r for _, r, _ in exact_name_matches()}
    matched_before = matcher_edges(loaded, settings)
    work = sample_works()[0]
    authorship = next(a for a in work["authorships"] if (a.get("author") or {}).get("id"))
    author = short_id(authorship["author"]["id"])
    # X: a name test a saw the matcher find; Y: a university's full name, named by one
    # institution only.
    x_ror = min(r for r in known if (author, r) not in matched_before)
    y_ror = min(
        r
        for n, r in names.items()
        if "University" in n and r != x_ror and (author, r) not in matched_before
    )
    x = sample_institution(x_ror)
    y_name = next(n for n, r in names.items() if r == y_ror)
    x_again = f"{x['display_name']}."
    made_up = {
        **work,
        "id": "https://openalex.org/W9999999998",
        "doi": None,
        "referenced_works": [],
        "authorships": [
            {
                **authorship,
                "institutions": [x],
                "raw_affiliation_strings": [x["display_name"], y_name, x_again],
                "affiliations": [
                    {"raw_affiliation_string": x["display_name"], "institution_ids": [x["id"]]},
                    {"raw_affiliation_string": y_name, "institution_ids": []},
                    {"raw_affiliation_string": x_again, "institution_ids": []},
                ],
            }
        ],
    }
    report = load_match_derive(loaded, settings, tmp_path, made_up)
    assert report.pending == 1
    [edge] = rows(
        loaded,
        settings,
        "MATCH (:Scientist {id: $s})-[a:AUTHORED]->(:Work {id: 'W9999999998'}) "
        "RETURN a.unlinked_affiliation AS unlinked, a.matched_institution_ids AS matched",
        s=author,
    )
    assert edge["unlinked"] == [y_name, x_again]
    assert set(edge["matched"]) == {y_ror, x_ror}  # the matcher read both unlinked strings
    after = matcher_edges(loaded, settings)
    assert 0 < after[(author, y_ror)]["confidence"] < 1
    assert (author, x_ror) not in after  # the record names X: no second edge to it
    assert set(after) - set(matched_before) == {(author, y_ror)}


def test_d_text_resolves_an_ambiguous_name_by_its_place(
    loaded: Driver, settings: Settings, tmp_path: Path
) -> None:
    """A bio names "Far Eastern University" (two ROR institutions) with its city: the
    gazetteer cannot say which, the matcher can; without a place it abstains."""
    name = {n["value"] for r in namesakes() for n in r["names"] if "ror_display" in n["types"]}
    assert len(name) == 1  # the gazetteer alone cannot tell them apart
    [university] = name
    manila = next(
        short_id(r["id"])
        for r in namesakes()
        if r["locations"][0]["geonames_details"]["name"] == "Manila"
    )
    placed = tmp_path / "placed.txt"
    placed.write_text(
        f"Prof. Maria Santos, a professor at {university} in Manila, works on rainforests.\n",
        encoding="utf-8",
    )
    unplaced = tmp_path / "unplaced.txt"
    unplaced.write_text(f"Prof. Ana Cruz teaches at {university}.\n", encoding="utf-8")
    report = ingest_text(
        Writer(loaded, settings.neo4j_database),
        [placed, unplaced],
        quarantine_dir=tmp_path / "quarantine",
    )
    assert (report.written, report.problems) == (2, [])

    def affiliations(person: str) -> list[dict[str, Any]]:
        return rows(
            loaded,
            settings,
            "MATCH (:Mention {kind: 'PERSON', text: $name})-[:REFERS_TO]->(s:Scientist) "
            "MATCH (s)-[r:AFFILIATED_WITH]->(i:Institution) "
            "RETURN i.id AS id, r.source AS source, r.confidence AS confidence",
            name=person,
        )

    [fact] = affiliations("Maria Santos")
    assert (fact["id"], fact["source"]) == (manila, "text")
    assert 0 < fact["confidence"] <= 1
    [link] = rows(
        loaded,
        settings,
        "MATCH (m:Mention {kind: 'INSTITUTION'})-[:IN]->(:Document {path: $path}) "
        "MATCH (m)-[r:REFERS_TO]->(i) RETURN i.id AS id, r.evidence AS evidence",
        path=str(placed.resolve()),
    )
    assert link["id"] == manila and link["evidence"].startswith("matcher")
    assert affiliations("Ana Cruz") == []  # no place: the matcher abstains
