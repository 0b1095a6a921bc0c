"""The affiliation matcher, the gold readers and `talentmap match/eval affiliations`.

The registry is a slice of the shared ROR v2 dump (the institutions the tests name, the gold
ids of the first rows of each gold file, and every 20th record as distractors), written as a
dump file once per module; expected counts of the gold files are computed here from the raw
files with the csv/json modules.
"""

from __future__ import annotations

import ast
import csv
import json
import subprocess
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from ingest.errors import InvalidInputError
from ingest.eval.affiliations import evaluate, read_gold
from ingest.matching.affiliations import GENERIC_FREQUENCY, Entry, Matcher, entries_from_dumps
from schema.settings import Settings
from tests.conftest import AFFILIATIONS_GOLD, ROR_V2, ror_dump

REPO = Path(__file__).resolve().parent.parent
GOLD = AFFILIATIONS_GOLD
HEAD = 60  # gold rows per file in the slices


TSINGHUA, MIT, HARVARD = "03cve4549", "042nb2s44", "03vek6s52"
NUNE = {"Seoul": "01zmhvm70", "Daegu": "0427wbh59"}
NAMED = {TSINGHUA, MIT, HARVARD, *NUNE.values(), "00cvxb145", "00y4zzh67"}


def _short(url: str) -> str:
    return url.strip().rsplit("/", 1)[-1]


def _gold_head(name: str) -> list[dict[str, Any]]:
    """The first rows of a gold file, read plainly: {affiliation, ids} per row."""
    path = GOLD / name
    if name.endswith(".json"):
        data = json.loads(path.read_text(encoding="utf-8"))[:HEAD]
        return [{"affiliation": r["affiliation"].strip(), "ids": r["ror_ids"]} for r in data]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))[:HEAD]
    if "labels" in rows[0]:
        return [
            {
                "affiliation": r["original_affiliation"].strip(),
                "ids": sorted(ast.literal_eval(r["labels"]) if r["labels"] != "set()" else []),
            }
            for r in rows
        ]
    return [
        {
            "affiliation": r["affiliation"].strip(),
            "ids": [x for x in r["ror_id"].split(";") if x.strip() and x.strip() != "NP"],
        }
        for r in rows
    ]


GOLD_FILES = sorted(p.name for p in GOLD.iterdir() if p.suffix in {".csv", ".json"})


@pytest.fixture(scope="module")
def ror_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = set(NAMED)
    for name in GOLD_FILES:
        for row in _gold_head(name):
            wanted.update(_short(x) for x in row["ids"] if "ror.org/" in x)
    chosen = [r for i, r in enumerate(ror_dump(ROR_V2)) if _short(r["id"]) in wanted or i % 20 == 0]
    path = tmp_path_factory.mktemp("ror") / "ror_slice.json"
    path.write_text(json.dumps(chosen), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def matcher(ror_slice: Path) -> Matcher:
    return Matcher(entries_from_dumps([ror_slice]))


def test_names_several_institutions(matcher: Matcher) -> None:
    found = matcher.match(
        "Department of Physics, Tsinghua University, Beijing, China; "
        "Massachusetts Institute of Technology, Cambridge, MA, USA"
    )
    assert set(found.ror_ids) == {TSINGHUA, MIT}
    assert 0.6 <= found.confidence <= 1.0
    spans = {e.ror_id: e.span for e in found.evidence}
    assert spans[TSINGHUA] == "Tsinghua University"
    assert {e.location for e in found.evidence} == {"city"}


@pytest.mark.parametrize(
    "text",
    [
        "asdf qwerty zxcv",
        "Department of Chemistry",
        "MIT",  # an acronym alone, with no place to support it
        "",
    ],
)
def test_abstains_when_unsure(matcher: Matcher, text: str) -> None:
    found = matcher.match(text)
    assert found.ror_ids == ()
    assert found.confidence == 0.0


def test_acronym_with_place_support(matcher: Matcher) -> None:
    assert matcher.match("Dept. of EECS, MIT, Cambridge, MA, USA").ror_ids == (MIT,)


def test_city_decides_between_namesakes(matcher: Matcher) -> None:
    for city, key in NUNE.items():
        found = matcher.match(f"Department of Ophthalmology, Nune Eye Hospital, {city}, Korea")
        assert found.ror_ids == (key,), city
        assert found.evidence[0].location == "city"
    # the name alone does not say which
    assert matcher.match("Nune Eye Hospital").ror_ids == ()


def test_abbreviations_and_typos(matcher: Matcher) -> None:
    assert matcher.match("Massachusetts Inst. of Technol., Cambridge, USA").ror_ids == (MIT,)
    found = matcher.match("Harvrd University, Cambridge, MA, USA")
    assert found.ror_ids == (HARVARD,)
    assert found.evidence[0].kind == "fuzzy"


def test_hanzi_name(matcher: Matcher) -> None:
    found = matcher.match("清华大学物理系，北京")
    assert found.ror_ids == (TSINGHUA,)
    assert found.evidence[0].span == "清华大学"


def test_url_form(matcher: Matcher) -> None:
    assert matcher.match("Tsinghua University, Beijing").urls == ["https://ror.org/03cve4549"]


@pytest.mark.parametrize("name", GOLD_FILES)
def test_gold_readers(name: str) -> None:
    items = read_gold(GOLD / name)
    path = GOLD / name
    if name.endswith(".json"):
        raw = json.loads(path.read_text(encoding="utf-8"))
        strings = {r["affiliation"].strip() for r in raw}
        empty = {r["affiliation"].strip() for r in raw if not r["ror_ids"]}
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        key = "original_affiliation" if "labels" in rows[0] else "affiliation"
        strings = {r[key].strip() for r in rows}
        if key == "affiliation":
            has_id = {r[key].strip() for r in rows if r["ror_id"].strip() != "NP"}
        else:
            has_id = {r[key].strip() for r in rows if r["labels"] not in ("set()", "")}
        empty = strings - has_id
    assert len(items) == len(strings)
    assert sum(not i.ror_ids for i in items) == len(empty)
    assert all(len(x) == 9 for i in items for x in i.ror_ids if not x.startswith("name:"))


def test_gold_reader_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("affiliation,ror_id\nSomewhere,https://ror.org/nothing\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"bad.csv, row 2"):
        read_gold(bad)
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="unknown gold format"):
        read_gold(other)


def test_evaluate_counts(matcher: Matcher) -> None:
    """The counts follow the issue's definitions on a hand-made gold set."""
    from ingest.eval.affiliations import GoldItem

    items = [
        GoldItem("Tsinghua University, Beijing, China", {TSINGHUA}),  # TP
        GoldItem("Tsinghua University, Beijing, China", {MIT}),  # FP + FN
        GoldItem("Tsinghua University, Beijing, China", set()),  # FP (no gold id)
        GoldItem("nothing here", {HARVARD}),  # FN
        GoldItem("nothing here", set()),  # nothing
        GoldItem("nothing here", {"0aaaaaa00"}),  # skipped
    ]
    scores = evaluate(items, lambda a: matcher.match(a).ror_ids, lambda x: x in matcher.by_id)
    assert (scores.counts.tp, scores.counts.fp, scores.counts.fn) == (1, 2, 2)
    assert (scores.items, scores.skipped, scores.no_match) == (5, 1, 2)


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "talentmap.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def test_cli_match_stdin(ror_slice: Path) -> None:
    lines = [
        "Tsinghua University, Beijing, China",
        json.dumps({"affiliation": "Harvard University, Cambridge, MA"}),
        "qwerty",
    ]
    done = _cli("match", "affiliations", "--ror", str(ror_slice), stdin="\n".join(lines))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(x) for x in done.stdout.splitlines()]
    assert [r["ror_ids"] for r in rows] == [
        [f"https://ror.org/{TSINGHUA}"],
        [f"https://ror.org/{HARVARD}"],
        [],
    ]
    assert rows[1]["affiliation"] == "Harvard University, Cambridge, MA"
    assert rows[0]["confidence"] > 0.6 and rows[2]["confidence"] == 0


def test_cli_eval(ror_slice: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text(
        json.dumps(
            [
                {"affiliation": "\n  Tsinghua University, Beijing", "ror_ids": [TSINGHUA]},
                {"affiliation": "nowhere at all", "ror_ids": []},
                {"affiliation": "Elsewhere", "ror_ids": ["https://ror.org/0aaaaaa00"]},
            ]
        ),
        encoding="utf-8",
    )
    done = _cli("eval", "affiliations", "--gold", str(gold), "--ror", str(ror_slice))
    assert done.returncode == 0, done.stderr
    assert (
        "gold.json: 2 strings (1 with no match), 1 skipped (gold id not in the registry); "
        "tp 1 fp 0 fn 0; precision 1.000 recall 1.000 F1 1.000"
    ) in done.stdout


def test_cli_eval_bad_gold(ror_slice: Path, tmp_path: Path) -> None:
    gold = tmp_path / "broken.json"
    gold.write_text('[{"affiliation": "x", "ror_ids": []},\n {"oops": 1}]', encoding="utf-8")
    done = _cli("eval", "affiliations", "--gold", str(gold), "--ror", str(ror_slice))
    assert done.returncode == 2
    assert "broken.json, item 2" in done.stderr


def test_graph_registry(graph: Driver, ror_slice: Path, tmp_path: Path) -> None:
    """`talentmap ingest ror` into the test graph, then `match affiliations` with the graph as
    the registry: the graph and the dump give the same entries."""
    records = json.loads(ror_slice.read_text(encoding="utf-8"))
    small = tmp_path / "small.json"
    small.write_text(json.dumps([r for r in records if _short(r["id"]) in NAMED]), encoding="utf-8")
    done = _cli("ingest", "ror", str(small))
    assert done.returncode == 0, done.stderr
    done = _cli("match", "affiliations", stdin="清华大学\nNune Eye Hospital, Daegu, South Korea\n")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(x) for x in done.stdout.splitlines()]
    assert [r["ror_ids"] for r in rows] == [
        [f"https://ror.org/{TSINGHUA}"],
        [f"https://ror.org/{NUNE['Daegu']}"],
    ]
    from graph.unit_of_work import Writer
    from graph.write.affiliation import affiliation_registry

    settings = Settings()
    stored = {
        e.ror_id: replace(e, parents=())
        for e in map(Entry.from_graph, Writer(graph, settings.neo4j_database)(affiliation_registry))
    }
    dumped = {e.ror_id: replace(e, parents=()) for e in entries_from_dumps([small])}
    assert stored == dumped
    assert set(stored) == NAMED


# --- the precision rules, on a small hand-made registry ---------------------------------------

UCB, UC, EMBL, EMBL_HH, UPENN, PSOM, DES, ALBERTA, BIOC, SYSU, CAS, WIPM, MILAN = (
    f"0test{n:04d}" for n in range(13)
)
STANFORD, STANFORD_MED, RPSOM, SKOVDE, HSU, UNI_M, UNI_M_LAB = (
    f"0test{n:04d}" for n in range(13, 20)
)
KCL, KCH, UH, OSLO, IMU, UIBK, UNITO, UWM, CERN, FATE, GATECH, TBILISI = (
    f"0test{n:04d}" for n in range(20, 32)
)
NWU, NWU_PH, FSM, SUNY, SBU, UMICH, UMMS, WUE, EARTH, SNU, NUC, LODZ = (
    f"0test{n:04d}" for n in range(32, 44)
)

NJU, INR, HAS, BRF, ATHENS, CNR, YORK_CA, YORK_US, NCL, UON, IFLYTEK = (
    f"0test{n:04d}" for n in range(44, 55)
)

_LETTERS = "abcdefghijklmnopqrstuvwxyz"

PLACED = [
    (KCL, "King's College London", "London", "GB"),
    (UH, "University Hospital", "Augusta", "US"),
    (OSLO, "Oslo University Hospital", "Oslo", "NO"),
    (IMU, "Innsbruck Medical University", "Innsbruck", "AT"),
    (UIBK, "University of Innsbruck", "Innsbruck", "AT"),
    (UWM, "University of Wisconsin\u2013Madison", "Madison", "US"),
    (GATECH, "Georgia Institute of Technology", "Atlanta", "US"),
    (NWU, "Northwestern University", "Evanston", "US"),
    (SUNY, "State University of New York", "Albany", "US"),
    (UMICH, "University of Michigan", "Ann Arbor", "US"),
    (WUE, "University of Würzburg", "Würzburg", "DE"),
    (EARTH, "Earth Sciences", "Springfield", "US"),
    (SNU, "Seoul National University", "Seoul", "KR"),
    (NUC, "National University College", "Bayamon", "PR"),
    (LODZ, "University of Łódź", "Łódź", "PL"),
]


# countries written out as well as by code
_US = partial(Entry, country_code="US", country_name="United States")
_DE = partial(Entry, country_code="DE", country_name="Germany")
_CN = partial(Entry, country_code="CN", country_name="China")
_CA = partial(Entry, country_code="CA", country_name="Canada")
_IT = partial(Entry, country_code="IT", country_name="Italy")
_GE = partial(Entry, country_code="GE", country_name="Georgia")

REGISTRY = [
    _US(UC, "University of California", city="Oakland"),
    _US(UCB, "University of California, Berkeley", parents=(UC,), city="Berkeley"),
    _DE(EMBL, "European Molecular Biology Laboratory", city="Heidelberg"),
    _DE(EMBL_HH, "European Molecular Biology Laboratory", parents=(EMBL,), city="Hamburg"),
    _US(UPENN, "University of Pennsylvania", city="Philadelphia"),
    _US(PSOM, "Perelman School of Medicine", parents=(UPENN,), city="Philadelphia"),
    _US(DES, "Department of Earth Sciences", city="Springfield"),
    _CA(ALBERTA, "University of Alberta", city="Edmonton"),
    _DE(BIOC, "Biocontrol", city="Jena"),
    _CN(SYSU, "Sun Yat-sen University", city="Guangzhou"),
    _CN(CAS, "Chinese Academy of Sciences", city="Beijing"),
    _CN(WIPM, "Wuhan Institute of Physics and Mathematics", parents=(CAS,), city="Wuhan"),
    _IT(MILAN, "University of Milan", aliases=("Statale",), city="Milan"),
    Entry(STANFORD, "Stanford University", city="Stanford", country_code="US"),
    Entry(STANFORD_MED, "Stanford University School of Medicine", city="Stanford"),
    Entry(
        RPSOM,
        "Raymond Perelman School of Medicine at the University of Pennsylvania",
        aliases=("Raymond Perelman School",),
        city="Philadelphia",
    ),
    Entry(SKOVDE, "University of Skovde", city="Skovde"),
    _DE(UNI_M, "Ludwig University", city="Munich"),
    _DE(UNI_M_LAB, "Garching Accelerator Laboratory", parents=(UNI_M,), city="Garching"),
    Entry(HSU, "Health Sciences University", city="Tokyo"),
    Entry(KCH, "King's College Hospital", aliases=("King's",), city="London"),
    Entry(UNITO, "University of Turin", labels=("Università degli Studi di Torino",)),
    Entry(CERN, "European Organization for Nuclear Research", labels=("CERN",), city="Geneva"),
    Entry(UMMS, "University of Michigan Medical School", parents=(UMICH,), city="Detroit"),
    Entry(
        SBU,
        "Stony Brook University",
        aliases=("State University of New York Stony Brook",),
        parents=(SUNY,),
        city="Stony Brook",
        country_code="US",
    ),
    Entry(NWU_PH, "Northwestern University", city="Laoag", country_code="PH"),
    Entry(FSM, "Feinberg School of Medicine", parents=(NWU,), city="Chicago"),
    _GE(TBILISI, "Tbilisi State University", city="Tbilisi"),
    _US(FATE, "Fate Therapeutics (United States)", city="San Diego"),
    # names other names go on from; ROR links no institute to its academy here
    _CN(NJU, "Nanjing University", city="Nanjing"),
    Entry(INR, "Institute for Nuclear Research", city="Debrecen", country_code="HU"),
    Entry(HAS, "Hungarian Academy of Sciences", city="Budapest", country_code="HU"),
    _US(BRF, "Biomedical Research Foundation", city="Little Rock"),
    Entry(ATHENS, "Academy of Athens", city="Athens", country_code="GR"),
    _IT(CNR, "National Research Council", city="Rome"),
    # namesakes with a city in the name, and a name that is another's alias
    _CA(YORK_CA, "York University", city="Toronto"),
    _US(YORK_US, "York University", city="York"),
    Entry(NCL, "Newcastle University", city="Newcastle upon Tyne", country_code="GB"),
    Entry(UON, "University of Newcastle", aliases=("Newcastle University",), city="Newcastle"),
    _CN(IFLYTEK, "IFlyTek", city="Hefei"),
    *(Entry(i, name, city=city, country_code=country) for i, name, city, country in PLACED),
    # namesakes whose names end in "University Hospital" (see TAIL_NAMES)
    *(
        Entry(f"0tail{n:04d}", f"{town} University Hospital", city=town)
        for n, town in enumerate(["Aalborg", "Odense", "Skane"])
    ),
    # names that make "department", "earth" and "sciences" common words (each in many names)
    *(
        Entry(f"0fill{n:04d}", f"Earth Sciences Department {_LETTERS[n % 26]}{_LETTERS[n // 26]}x")
        for n in range(GENERIC_FREQUENCY)
    ),
]


@pytest.fixture(scope="module")
def small() -> Matcher:
    return Matcher(REGISTRY)


def test_name_across_a_comma(small: Matcher) -> None:
    found = small.match("Computer Science Division, University of California, Berkeley")
    assert found.ror_ids == (UCB,)
    assert found.evidence[0].span == "University of California, Berkeley"


def test_shared_name_means_the_top_institution(small: Matcher) -> None:
    found = small.match("Advanced Light Microscopy Facility, European Molecular Biology Laboratory")
    assert found.ror_ids == (EMBL,)
    # with its city, the unit
    assert small.match("European Molecular Biology Laboratory, Hamburg").ror_ids == (EMBL_HH,)


def test_unit_and_its_parent_give_the_parent(small: Matcher) -> None:
    text = "Department of Pathology, Perelman School of Medicine, University of Pennsylvania"
    assert small.match(text).ror_ids == (UPENN,)
    assert small.match("Perelman School of Medicine, Philadelphia").ror_ids == (PSOM,)


def test_generic_name_needs_its_city(small: Matcher) -> None:
    found = small.match("Department of Earth Sciences, University of Alberta")
    assert found.ror_ids == (ALBERTA,)
    assert small.match("Department of Earth Sciences").ror_ids == ()
    assert small.match("Department of Earth Sciences, Springfield, USA").ror_ids == (DES,)


def test_name_inside_a_longer_name(small: Matcher) -> None:
    text = "State Key Laboratory of Biocontrol, School of Life Sciences, Sun Yat-sen University"
    assert small.match(text).ror_ids == (SYSU,)
    assert small.match("Biocontrol, Jena, Germany").ror_ids == (BIOC,)


def test_unit_city_abstains(small: Matcher) -> None:
    # the academy is in Beijing; a string placing it in a city of one of its institutes
    # means that institute, which it does not name
    assert small.match("Chinese Academy of Sciences, Wuhan, China").ror_ids == ()
    assert small.match("Chinese Academy of Sciences, Beijing, China").ror_ids == (CAS,)
    # a university in the city of one of its units is still the university
    assert small.match("Ludwig University, Garching, Germany").ror_ids == (UNI_M,)


def test_one_word_alias_needs_its_city(small: Matcher) -> None:
    assert small.match("Sincrotrone, Strada Statale 14, Trieste, Italy").ror_ids == ()
    assert small.match("Statale, Milan, Italy").ror_ids == (MILAN,)


# One string and the institutions it means, a case per reading rule of the matcher.
READINGS = [
    # "King's" is one word: no name that "King's College London" extends; it needs its city
    ("possessive", "Department of Twin Research, King\u2019s College London", (KCL,)),
    ("possessive alone", "King's Buildings, Edinburgh", ()),
    # "University Hospital" ends other hospitals' names: after a word of a longer name the
    # registry lacks, it is one of them, unless the city says otherwise
    ("tail", "Institute for Immunology, Tubingen University Hospital", ()),
    ("tail in its city", "Cardiology, Tubingen University Hospital, Augusta", (UH,)),
    ("tail alone", "Department of Medicine, University Hospital", (UH,)),
    ("longer name known", "Cardiology Unit, Oslo University Hospital", (OSLO,)),
    ("word ending another name", "Perelman School of Medicine University Hospital", (PSOM, UH)),
    # a name inside a longer one: the segment is scored, its words in any order
    ("other word order", "Institute of Immunology, Medical University of Innsbruck", (IMU,)),
    ("the name itself", "Department of Botany, University of Innsbruck", (UIBK,)),
    ("without degli Studi", "Dipartimento di Fisica, Università di Torino", (UNITO,)),
    # "#" is punctuation (Semantic Scholar writes line breaks and tabs as #N# and #TAB#)
    ("hash", "#N#Stanford University#TAB#", (STANFORD,)),
    *(
        (f"dash {ord(d):x}", f"Department of Physics, University of Wisconsin{d}Madison", (UWM,))
        for d in "-\u2013\u2014"
    ),
    ("label as acronym", "Theory Division, CERN, CH-1211 Geneva 23, Switzerland", (CERN,)),
    ("acronym without its city", "Theory Division, CERN", ()),
    ("without country qualifier", "Fate Therapeutics, San Diego, CA, USA", (FATE,)),
    ("unqualified needs the city", "Fate Therapeutics, USA", ()),
    ("qualified", "Fate Therapeutics (United States)", (FATE,)),
    ("country in the name", "School of Physics, Georgia Institute of Technology", (GATECH,)),
    ("country elsewhere", "Georgia Institute of Technology, Tbilisi, Georgia", ()),
    ("namesakes", "Department of Surgery, Northwestern University", ()),
    (
        "namesakes and a unit",
        "Department of Surgery, Feinberg School of Medicine, Northwestern University",
        (NWU,),
    ),
    (
        "campus with at",
        "Department of Physics, State University of New York at Stony Brook, NY 11794, USA",
        (SBU,),
    ),
    # ROR lists the medical school under the university; the name's rest is a unit's, where a
    # campus's is a place
    ("unit holding", "Department of Physiology, University of Michigan Medical School", (UMICH,)),
    ("campus holding", "University of California, Berkeley", (UCB,)),
    ("city university", "Institut für Physik, Universität Würzburg, 97074 Würzburg", (WUE,)),
    ("city university italian", "Universita di Wurzburg", (WUE,)),
    ("named otherwise", "Universität Munich", ()),  # Ludwig University gets no such forms
    # "earth" and "sciences" are in many names (see the fixture)
    ("common words beside a university", "Earth Sciences, University of Alberta", (ALBERTA,)),
    ("common words placed", "Earth Sciences, Springfield, USA", (EARTH,)),
    (
        "read into the name before",
        "Cancer Research Institute, Seoul National University College of Medicine",
        (SNU,),
    ),
    ("the name read into", "National University College, Bayamon", (NUC,)),
    ("misspelt", "School of Bioscience, Universty of Skovde, Skovde", (SKOVDE,)),
    # a name that goes on into a longer one the registry lacks is not that name
    ("goes on", "Nanjing University of Posts and Telecommunications", ()),
    ("goes on with an article", "School of Design, Nanjing University of the Arts", ()),
    ("ends at the comma", "Nanjing University, School of Arts", (NJU,)),
    ("goes on into its country", "National Research Council of Italy, Pisa", (CNR,)),
    (
        "goes on into an institution of its country",
        "Institute for Nuclear Research of the Hungarian Academy of Sciences",
        (INR, HAS),
    ),
    (
        "goes on into an institution elsewhere",
        "Biomedical Research Foundation of the Academy of Athens",
        (ATHENS,),
    ),
    # a city in a name several share does not say which one
    ("city in the name", "Department of Mathematics, York University", ()),
    ("city outside the name", "Department of Mathematics, York University, Toronto", (YORK_CA,)),
    # a name that is one institution's own and another's alias means the first
    ("own name over alias", "School of Computing, Newcastle University", (NCL,)),
    # a one-word name in lower case is a common word; in mixed case it is a name
    ("one word, mixed case", "State Key Laboratory, iFLYTEK, Hefei, China", (IFLYTEK,)),
    ("one word, lower case", "an iflytek speech lab, Hefei, China", ()),
    ("letters without decomposition", "Department of Physics, University of Lodz", (LODZ,)),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in READINGS])
def test_reading(small: Matcher, text: str, expected: tuple[str, ...]) -> None:
    assert small.match(text).ror_ids == expected


def test_acronym_needs_the_city(matcher: Matcher) -> None:
    assert matcher.match("Dept. of EECS, MIT, USA").ror_ids == ()


def test_unit_named_by_its_institution_means_the_institution(small: Matcher) -> None:
    text = "Department of Pathology, Stanford University School of Medicine"
    assert small.match(text).ror_ids == (STANFORD,)


def test_institution_named_in_a_units_name_is_above_it(small: Matcher) -> None:
    # no ROR parent, but the unit's name says whose it is
    text = "Raymond Perelman School, University of Pennsylvania"
    assert small.match(text).ror_ids == (UPENN,)
    assert small.match("Raymond Perelman School").ror_ids == (RPSOM,)


def test_name_across_a_comma_loses_to_a_segment_name(small: Matcher) -> None:
    found = small.match("School of Health Sciences, University of Skovde")
    assert found.ror_ids == (SKOVDE,)
    assert small.match("Health Sciences University").ror_ids == (HSU,)


def test_list_of_institutions_abstains(small: Matcher) -> None:
    from ingest.matching.affiliations import MAX_INSTITUTIONS

    names = [
        "University of Alberta",
        "Sun Yat-sen University",
        "University of Pennsylvania",
        "Health Sciences University",
        "University of Skovde",
    ]
    three = small.match(", ".join(names[:MAX_INSTITUTIONS]))
    assert len(three.ror_ids) == MAX_INSTITUTIONS
    assert small.match(", ".join(names[: MAX_INSTITUTIONS + 1])).ror_ids == ()
