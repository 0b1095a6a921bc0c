"""`talentmap eval institution-names`: precision, coverage and abstention of the affiliation
matcher on names labelled by hand (no database). The expected numbers are counted here by
hand from the tiny labelled files; the committed sample is checked against its own draw."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.errors import InvalidInputError
from ingest.eval.institution_names import (
    SEED,
    STRATA,
    draw,
    folder_names,
    read_labels,
    score,
)
from talentmap.cli import app

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "eval" / "csmetrics_names.csv"
CSMETRICS = REPO / "data" / "sample" / "records" / "csmetrics"
# Two Far Eastern Universities: Chiang Mai (01cg6kh39) and Manila (045dhqd98, also "Far
# Eastern College")
FEU_DUMP = REPO / "tests" / "data" / "ror" / "far_eastern_university_v2.json"
CHIANG_MAI, MANILA = "01cg6kh39", "045dhqd98"


def _write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "ror_id", "note"])
        writer.writerows(rows)
    return path


def test_scores_from_a_tiny_labelled_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "names.csv",
        [
            ("Alpha University", "0aaaaaa00", "s1: right"),
            ("Alpha Medical Center", "0bbbbbb00|0aaaaaa00", "s1: the parent is accepted"),
            ("Beta Institute", "0ccccc000", "s2: answered wrong"),
            ("Gamma Lab", "0ddddd000", "s2: not answered"),
            ("Nowhere College", "none", "s2: abstained on"),
            ("Elsewhere College", "none", "s2: answered, so wrong"),
            ("Twin University", "ambiguous", "s2: answered, counted apart"),
        ],
    )
    answers = {
        "Alpha University": ["0aaaaaa00"],
        "Alpha Medical Center": ["0aaaaaa00"],
        "Beta Institute": ["0eeeee000"],
        "Elsewhere College": ["0fffff000"],
        "Twin University": ["0ggggg000"],
    }
    items = read_labels(path)
    assert [x.stratum for x in items] == ["s1", "s1", "s2", "s2", "s2", "s2", "s2"]
    s = score(items, lambda name: answers.get(name, []))
    # answered: Alpha x2, Beta, Elsewhere (the ambiguous one apart); correct: Alpha x2
    assert (s.names, s.with_ids, s.none, s.ambiguous) == (7, 4, 2, 1)
    assert (s.answered, s.correct, s.answered_ambiguous) == (4, 2, 1)
    assert s.precision == pytest.approx(2 / 4)
    assert s.coverage == pytest.approx(3 / 4)  # Gamma Lab unanswered
    assert s.recall == pytest.approx(2 / 4)
    assert s.abstention_on_none == pytest.approx(1 / 2)
    assert [item.name for item, _ in s.wrong] == ["Beta Institute", "Elsewhere College"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("A", "not-an-id", "")], "line 2: ror_id 'not-an-id'"),
        ([("A", "0aaaaaa00", ""), ("A", "none", "")], "line 3: 'A' is labelled already on line 2"),
        ([("A", "0aaaaaa00|", "")], "line 2: ror_id '0aaaaaa00|' has an empty answer"),
        ([("", "none", "")], "line 2: empty name"),
    ],
)
def test_bad_labels_name_the_line(
    tmp_path: Path, rows: list[tuple[str, str, str]], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        read_labels(_write(tmp_path / "bad.csv", rows))


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("affiliation,ror_id\nA,none\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=re.escape("bad.csv, line 1: expected the header")):
        read_labels(path)


def test_draw_is_seeded_and_stratified() -> None:
    strata = [("a", {f"a{i}" for i in range(20)} | {"both"}, 5), ("b", {"both", "b1", "b2"}, 9)]
    first, again = draw(strata, seed=1), draw(strata, seed=1)
    assert first == again
    assert [s for _, s in first].count("a") == 5
    # the second stratum gets what is left of its names, never one drawn already
    assert sorted(n for n, s in first if s == "b") == sorted({"both", "b1", "b2"} - set(first[0]))
    assert len({n for n, _ in first}) == len(first)


def test_the_committed_sample_is_its_draw() -> None:
    labelled = read_labels(SAMPLE)
    strata = [(name, folder_names(CSMETRICS / name), size) for name, size in STRATA]
    assert [(x.name, x.stratum) for x in labelled] == draw(strata, SEED)
    assert {x.stratum for x in labelled} == {"suzhou", "world-2023"}
    assert len(labelled) == 150 and all(x.label in ("ids", "none", "ambiguous") for x in labelled)


def test_cli_scores_the_matcher(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "feu.csv",
        [
            ("Far Eastern University, Manila", MANILA, "x: the city decides"),
            ("Far Eastern University", "ambiguous", "x: two of that name"),
            ("Far Eastern College", CHIANG_MAI, "x: labelled wrong on purpose"),
            ("Nowhere Institute of Nothing", "none", "x: nothing to answer"),
            ("Far Eastern University, Chiang Mai", "none", "x: labelled none on purpose"),
        ],
    )
    done = CliRunner().invoke(app, ["eval", "institution-names", str(path), "--ror", str(FEU_DUMP)])
    assert done.exit_code == 0, done.output
    assert (
        "feu.csv all: 5 names (2 with a record, 2 none, 1 ambiguous); answered 3, correct 1; "
        "precision 0.333 coverage 1.000 recall 0.500; abstains on none 0.500; "
        "answers 0 of 1 ambiguous"
    ) in done.output
    assert f"wrong, line 4: 'Far Eastern College' -> {MANILA} (labelled {CHIANG_MAI})" in (
        done.output
    )
    bad = _write(tmp_path / "bad.csv", [("A", "oops", "")])
    done = CliRunner().invoke(app, ["eval", "institution-names", str(bad), "--ror", str(FEU_DUMP)])
    assert done.exit_code != 0 and "bad.csv, line 2: ror_id 'oops'" in done.output
