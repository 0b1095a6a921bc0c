"""The rule-based text pipeline (ingest/text/extract.py) on the annotated corpus in tests/data/text:
documents written for the tests, mentions marked inline (see its README). The development
set shaped the rules; the held-out set was written before it was ever run and is reported as
measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.eval.metrics import Counts
from ingest.eval.text import gazetteer_from_files, read_marked, score
from ingest.text.extract import Entry, Gazetteer, MentionKind, TextPipeline, plain_text
from tests.conftest import REPO, ROR_V2

CORPUS = REPO / "tests" / "data" / "text"
TAXONOMY = REPO / "data" / "openalex" / "topics_taxonomy.csv"


@pytest.fixture(scope="module")
def pipeline() -> TextPipeline:
    """Built from the real ROR sample and the real topic taxonomy, as published."""
    return TextPipeline(gazetteer_from_files([ROR_V2], TAXONOMY))


def documents(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != "README.md")


def test_metric_arithmetic() -> None:
    counts = Counts(tp=3, fp=1, fn=2)
    assert counts.precision == 0.75
    assert counts.recall == 0.6
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert Counts().f1 == 0.0


def test_marks_are_read(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("[[PERSON|Ann Lee]] joined [[INSTITUTION|MIT]] in [[YEAR|2020]].", "utf-8")
    document = read_marked(path)
    assert document.text == "Ann Lee joined MIT in 2020."
    assert document.gold == {
        (MentionKind.PERSON, 0, 7),
        (MentionKind.INSTITUTION, 15, 18),
        (MentionKind.YEAR, 22, 26),
    }


def test_plain_text_of_html_and_markdown(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text(
        "<html><head><style>p{}</style><script>var x = 1;</script></head>"
        "<body><p>Dr. Ann&nbsp;Lee</p><p>MIT &amp; Harvard</p></body></html>",
        "utf-8",
    )
    text = plain_text(page)
    assert "var x" not in text and "p{}" not in text
    assert text.split("\n\n") == ["Dr. Ann\xa0Lee", "MIT & Harvard"]
    note = tmp_path / "b.md"
    note.write_text("# Title\n\n- **Ann Lee** ([site](https://x.org))\n", "utf-8")
    assert plain_text(note) == "Title\n\nAnn Lee (site)\n"


def test_links_only_names_that_mean_one_entity() -> None:
    gazetteer = Gazetteer(
        institutions=[
            Entry("03cve4549", ("Tsinghua University", "清华大学"), ("THU",)),
            Entry("0000aaa01", ("Institute of Physics",)),
            Entry("0000bbb02", ("Institute of Physics",)),
        ]
    )
    pipeline = TextPipeline(gazetteer)
    found = {m.text: m for m in pipeline.extract("THU and the Institute of Physics.")}
    assert found["THU"].entity_id == "03cve4549"
    assert found["Institute of Physics"].kind == MentionKind.INSTITUTION
    assert found["Institute of Physics"].entity_id is None  # two institutions: no guess
    zh = pipeline.extract("张伟教授现任清华大学教授。")
    assert [(m.kind, m.text, m.entity_id) for m in zh if m.kind != MentionKind.TITLE] == [
        (MentionKind.PERSON, "张伟", None),
        (MentionKind.INSTITUTION, "清华大学", "03cve4549"),
    ]


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("经济扩张很快，市场张力很大。", []),
        ("李明教授来自南京。", ["李明"]),
        ("欧阳明，男，1978年生。", ["欧阳明"]),
        ("团队负责人陈浩表示，成果将落地。", ["陈浩"]),
    ],
)
def test_chinese_people(text: str, people: list[str]) -> None:
    found = TextPipeline(Gazetteer()).extract(text)
    assert [m.text for m in found if m.kind == MentionKind.PERSON] == people


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Prof. Wei Zhang joined in 2012.", ["Wei Zhang"]),
        ("Dr. Schmidt agreed.", ["Schmidt"]),
        ("Anna Schmidt is here.", ["Anna Schmidt"]),
        ("The Quick Fox ran.", []),  # capitalised words with no evidence are not a name
        ("Before Moving on, we rest.", []),
    ],
)
def test_english_people(text: str, people: list[str]) -> None:
    found = TextPipeline(Gazetteer()).extract(text)
    assert [m.text for m in found if m.kind == MentionKind.PERSON] == people


# Floors a little under what the rules measured (the note has the exact figures): a change
# that loses precision or recall fails here.
DEVELOPMENT_FLOORS = {
    MentionKind.PERSON: (0.95, 0.95),
    MentionKind.INSTITUTION: (0.95, 0.9),
    MentionKind.TOPIC: (0.75, 0.75),
    MentionKind.TITLE: (0.95, 0.95),
    MentionKind.YEAR: (1.0, 1.0),
}
HELD_OUT_FLOORS = {
    MentionKind.PERSON: (0.95, 0.8),
    MentionKind.INSTITUTION: (0.95, 0.95),
    MentionKind.TOPIC: (0.6, 0.8),
    MentionKind.TITLE: (0.95, 0.95),
    MentionKind.YEAR: (1.0, 1.0),
}


@pytest.mark.parametrize(
    ("folder", "floors"),
    [(CORPUS, DEVELOPMENT_FLOORS), (CORPUS / "heldout", HELD_OUT_FLOORS)],
    ids=["development", "held-out"],
)
def test_corpus_precision_and_recall(
    pipeline: TextPipeline, folder: Path, floors: dict[MentionKind, tuple[float, float]]
) -> None:
    marked = [read_marked(path) for path in documents(folder)]
    assert len(marked) >= 6
    assert any("[[" not in m.text and m.gold for m in marked)
    counts = score(pipeline, marked)
    for kind, (precision, recall) in floors.items():
        found = counts[kind]
        assert found.tp + found.fn > 0, f"no {kind} marked in {folder}"
        assert found.precision >= precision, (kind, found)
        assert found.recall >= recall, (kind, found)
