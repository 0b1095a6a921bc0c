"""The name disambiguator and `talentmap eval disambiguation`; no database involved.

Expected B³ values are worked out by hand (the tiny example) or computed here from the raw
S2AND files with the test's own code, never by the module under test.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.eval.disambiguation import b_cubed, mention_from_signature
from ingest.matching.clustering import DecisionKind, Person, disambiguate
from ingest.matching.evidence import (
    EvidenceKind,
    Mention,
    ScoringContext,
    Weights,
    affiliation_tokens,
    pair_evidence,
    pair_score,
)
from ingest.matching.names import name_conflict, parse_name, parse_text_name
from schema.identity import IdentityDecision, IdentityDecisionKind
from tests.conftest import S2AND_SAMPLE

TALENTMAP = [sys.executable, "-m", "talentmap.cli"]
SAMPLE = S2AND_SAMPLE
SIGNATURES = SAMPLE / "qian_signatures.json"
CLUSTERS = SAMPLE / "qian_clusters.json"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [*TALENTMAP, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def printed_scores(stdout: str, label: str) -> tuple[float, float, float]:
    line = next(x for x in stdout.splitlines() if label in x)
    found = re.search(r"precision ([\d.]+)\s+recall ([\d.]+)\s+F1 ([\d.]+)", line)
    assert found, line
    p, r, f = (float(x) for x in found.groups())
    return p, r, f


# --- B³ ----------------------------------------------------------------------------------------


def test_b_cubed_on_a_hand_made_example() -> None:
    gold = {"A": ["1", "2", "3"], "B": ["4", "5"]}
    predicted = {"x": ["1", "2", "3", "4"], "y": ["5"]}
    # Mention by mention (precision, recall):
    #   1, 2, 3: x holds 3 of A out of 4 -> (3/4, 3/3)
    #   4:       x holds 1 of B out of 4 -> (1/4, 1/2)
    #   5:       y holds 1 of B out of 1 -> (1/1, 1/2)
    # precision = (3 * 3/4 + 1/4 + 1) / 5 = 0.7; recall = (3 + 1/2 + 1/2) / 5 = 0.8
    # F1 = 2 * 0.7 * 0.8 / 1.5 = 56/75
    score = b_cubed(predicted, gold)
    assert score.precision == pytest.approx(0.7)
    assert score.recall == pytest.approx(0.8)
    assert score.f1 == pytest.approx(56 / 75)
    assert score.mentions == 5
    perfect = b_cubed(gold, gold)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)


def test_b_cubed_counts_a_missing_mention_as_a_singleton() -> None:
    gold = {"A": ["1", "2"]}
    # "2" predicted nowhere: it stands alone. 1: (1, 1/2); 2: (1, 1/2).
    score = b_cubed({"x": ["1"]}, gold)
    assert (score.precision, score.recall) == pytest.approx((1.0, 0.5))


# --- names and blocking --------------------------------------------------------------------------


def test_chinese_name_forms_share_one_block() -> None:
    forms = ["Zhang Wei", "Wei Zhang", "W. Zhang", "张伟", "Zhang, Wei", "ZHANG Wei"]
    keys = {parse_text_name(f).block for f in forms}
    assert keys == {"zhang w"}
    # The same in structured bylines, whichever slot the family name came in.
    assert parse_name("Wei", None, "Zhang").block == "zhang w"
    assert parse_name("Zhang", None, "Wei").block == "zhang w"
    assert parse_name(None, None, "ZhangWei").block == "zhang w"
    assert parse_text_name("Wang Wei").block == "wang w"
    assert parse_text_name("王伟").block == "wang w"
    assert parse_text_name("Zhang Wei").block != parse_text_name("Wang Wei").block


def test_name_variants() -> None:
    # Given-name syllables compare joined; German umlauts fold; compound surnames.
    assert name_conflict(parse_text_name("Xiao-Ming Liu"), parse_text_name("Xiaoming Liu")) is None
    assert name_conflict(parse_text_name("X. M. Liu"), parse_text_name("Xiaoming Liu")) is None
    assert parse_text_name("Andreas Müller").block == parse_text_name("A. Mueller").block
    # letters Unicode does not decompose are not lost
    assert parse_text_name("Łukasz Wołek").block == parse_text_name("Lukasz Wolek").block
    assert name_conflict(parse_text_name("Søren Kjær"), parse_text_name("Soren Kjaer")) is None
    assert parse_text_name("欧阳娜娜").block == parse_text_name("Nana Ouyang").block == "ouyang n"
    assert name_conflict(parse_text_name("欧阳娜娜"), parse_text_name("Nana Ouyang")) is None
    # Western names keep their order: the last word is the family name.
    assert parse_text_name("Daniel G. Brown").block == "brown d"


def test_full_given_names_conflict_initials_do_not() -> None:
    lei, lijun, initial = (parse_text_name(n) for n in ("Lei Zhang", "Lijun Zhang", "L. Zhang"))
    assert lei.block == lijun.block == initial.block
    assert name_conflict(lei, lijun) is not None
    assert name_conflict(lei, initial) is None
    assert name_conflict(lijun, initial) is None
    assert (
        name_conflict(parse_text_name("Daniel G. Brown"), parse_text_name("Daniel Brown")) is None
    )
    assert (
        name_conflict(parse_text_name("Daniel G. Brown"), parse_text_name("Daniel T. Brown"))
        is not None
    )


# --- clustering ----------------------------------------------------------------------------------


def test_conflicting_full_names_are_never_merged() -> None:
    # Everything else says "same person" (affiliation, e-mail, co-authors): the names win.
    shared = {
        "affiliations": ("Massachusetts Institute of Technology",),
        "email": "zhang@mit.edu",
        "coauthors": frozenset({"smith j", "doe j"}),
    }
    mentions = [
        Mention(id="a", name=parse_text_name("Lei Zhang"), **shared),  # type: ignore[arg-type]
        Mention(id="b", name=parse_text_name("Lijun Zhang"), **shared),  # type: ignore[arg-type]
    ]
    people = disambiguate(mentions)
    assert sorted(p.mention_ids for p in people) == [("a",), ("b",)]
    blocked = [d for p in people for d in p.decisions if d.kind == DecisionKind.BLOCKED]
    assert len(blocked) == 1
    assert "lei" in blocked[0].evidence[0].detail and "lijun" in blocked[0].evidence[0].detail


def test_merges_keep_their_evidence() -> None:
    mentions = [
        Mention(id="1", name=parse_text_name("张伟"), affiliations=("Tsinghua University",)),
        Mention(
            id="2",
            name=parse_text_name("Wei Zhang"),
            affiliations=("Dept. of Comput. Sci., Tsinghua Univ., Beijing",),
        ),
        Mention(id="3", name=parse_text_name("W. Zhang")),  # only a name: attaches
        Mention(id="4", name=parse_text_name("Wei Zhang"), affiliations=("Stanford University",)),
        Mention(id="5", name=parse_text_name("Wang Wei"), affiliations=("Tsinghua University",)),
    ]
    people = {p.mention_ids: p for p in disambiguate(mentions)}
    assert set(people) == {("1", "2", "3"), ("4",), ("5",)}
    tsinghua = people["1", "2", "3"]
    kinds = [d.kind for d in tsinghua.decisions]
    assert kinds.count(DecisionKind.MERGE) == 1
    assert kinds.count(DecisionKind.ATTACH) == 1
    merge = next(d for d in tsinghua.decisions if d.kind == DecisionKind.MERGE)
    assert {e.kind for e in merge.evidence} >= {EvidenceKind.NAME, EvidenceKind.AFFILIATION}
    assert merge.score == pytest.approx(sum(e.weight for e in merge.evidence))
    assert tsinghua.id == "1"
    # Deterministic: the same input gives the same people.
    assert disambiguate(list(reversed(mentions))) == disambiguate(mentions)


def test_email_and_coauthors_count() -> None:
    def mention(i: str, affiliation: str, **extra: object) -> Mention:
        return Mention(id=i, name=parse_text_name("Jun Yang"), affiliations=(affiliation,), **extra)  # type: ignore[arg-type]

    moved = [
        mention("1", "Duke University", email="jy@x.org"),
        mention("2", "HKUST", email="jy@x.org"),
    ]
    assert len(disambiguate(moved)) == 1
    apart = [mention("1", "Duke University"), mention("2", "HKUST")]
    assert len(disambiguate(apart)) == 2
    coauthors = frozenset({"widom j", "garcia-molina h"})
    linked = [
        mention("1", "Duke University", coauthors=coauthors),
        mention("2", "HKUST", coauthors=coauthors),
    ]
    assert len(disambiguate(linked)) == 1


def test_pair_evidence_is_symmetric() -> None:
    from collections import Counter

    from ingest.matching.evidence import ScoringContext, Weights, pair_evidence
    from ingest.matching.names import name_key

    # "C. Wang" reads as a Chinese name, "Chih-Chun Wang" (Wade-Giles) does not
    a = Mention(id="a", name=parse_text_name("C. Wang"))
    b = Mention(id="b", name=parse_text_name("Chih-Chun Wang"))
    assert a.name.chinese != b.name.chinese
    ctx = ScoringContext(Weights(), {}, Counter(name_key(m.name) for m in (a, b)))
    ab = sum(e.weight for e in pair_evidence(a, b, ctx))
    ba = sum(e.weight for e in pair_evidence(b, a, ctx))
    assert ab == ba


def test_a_name_only_mention_joins_a_clear_favourite_or_stays_alone() -> None:
    def lei(i: str, affiliation: str | None = None, position: int | None = None) -> Mention:
        affiliations = (affiliation,) if affiliation else ()
        name = parse_text_name("Lei Zhang")
        return Mention(id=i, name=name, affiliations=affiliations, position=position)

    # Three people of two mentions each: none holds half the odds, so the bare name stays alone.
    even = [lei("1", "Tsinghua University"), lei("2", "Tsinghua University"),
            lei("3", "Stanford University"), lei("4", "Stanford University"),
            lei("5", "Nagoya University"), lei("6", "Nagoya University"), lei("7")]  # fmt: skip
    assert _clusters(disambiguate(even)) == [("1", "2"), ("3", "4"), ("5", "6"), ("7",)]
    # Three against one: the bare name joins the three (3/4 of the odds).
    uneven = [*(lei(i, "Tsinghua University") for i in "123"), lei("4", "Stanford"), lei("5")]
    people = disambiguate(uneven)
    assert _clusters(people) == [("1", "2", "3", "5"), ("4",)]
    attach = next(d for p in people for d in p.decisions if d.kind == DecisionKind.ATTACH)
    assert attach.left == ("5",)
    # Without any person of its name, bare names of one name form one person.
    assert _clusters(disambiguate([lei("1"), lei("2")])) == [("1", "2")]


def test_author_position_tips_an_attachment() -> None:
    def lei(i: str, affiliation: str | None, position: int | None) -> Mention:
        affiliations = (affiliation,) if affiliation else ()
        name = parse_text_name("Lei Zhang")
        return Mention(id=i, name=name, affiliations=affiliations, position=position)

    # A student (first author three times at Tsinghua) and a senior author (fourth place twice
    # at Stanford). By size alone the bare name joins the student (3 of 5); as a fourth author
    # it is likelier the senior one: 2 x (2+1)/(2+4) = 1.0 against 3 x (0+1)/(3+4) = 0.43.
    known = [lei("1", "Tsinghua University", 0), lei("2", "Tsinghua University", 0),
             lei("3", "Tsinghua University", 0), lei("4", "Stanford University", 3),
             lei("5", "Stanford University", 3)]  # fmt: skip
    assert _clusters(disambiguate([*known, lei("6", None, None)])) == [
        ("1", "2", "3", "6"), ("4", "5")
    ]  # fmt: skip
    assert _clusters(disambiguate([*known, lei("6", None, 3)])) == [
        ("1", "2", "3"), ("4", "5", "6")
    ]  # fmt: skip
    assert _clusters(disambiguate([*known, lei("6", None, 0)])) == [
        ("1", "2", "3", "6"), ("4", "5")
    ]  # fmt: skip


def test_s2and_positions_are_read() -> None:
    record = _signature("7", "Lei", "Zhang", None)
    assert mention_from_signature("7", record).position is None
    for given, read in ((2, 2), (0, 0), (-1, None), ("2", None)):
        info = {**record["author_info"], "position": given}  # type: ignore[dict-item]
        assert mention_from_signature("7", {**record, "author_info": info}).position == read


# --- the command ---------------------------------------------------------------------------------


def _signature(sid: str, first: str, last: str, affiliation: str | None) -> dict[str, object]:
    return {
        "signature_id": sid,
        "paper_id": int(sid),
        "author_info": {
            "first": first,
            "middle": None,
            "last": last,
            "suffix": None,
            "email": None,
            "affiliations": [affiliation] if affiliation else [],
            "block": f"{first[0].lower()} {last.lower()}",
        },
    }


def test_cli_on_small_files(tmp_path: Path) -> None:
    signatures = {
        "1": _signature("1", "Wei", "Zhang", "Peking University"),
        "2": _signature("2", "Zhang", "Wei", "Peking University"),  # order flipped
        "3": _signature("3", "Wei", "Zhang", "University of Oxford"),
        "4": _signature("4", "Wei", "Wang", "Peking University"),
    }
    gold = {
        "p": {"cluster_id": "p", "signature_ids": ["1", "2"]},
        "q": {"cluster_id": "q", "signature_ids": ["3"]},
        "r": {"cluster_id": "r", "signature_ids": ["4"]},
    }
    (tmp_path / "s.json").write_text(json.dumps(signatures))
    (tmp_path / "c.json").write_text(json.dumps(gold))
    out = tmp_path / "pred.json"
    done = run(
        "eval", "disambiguation", "--signatures", str(tmp_path / "s.json"),
        "--clusters", str(tmp_path / "c.json"), "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    predicted = json.loads(out.read_text())
    assert sorted(sorted(v) for v in predicted.values()) == [["1", "2"], ["3"], ["4"]]
    assert printed_scores(done.stdout, "disambiguator") == (1.0, 1.0, 1.0)
    # One person per name block puts 1, 2, 3 together (block "zhang w") and 4 alone:
    # precision (2/3 + 2/3 + 1/3 + 1) / 4 = 2/3, recall 1, F1 = 0.8.
    assert printed_scores(done.stdout, "one per name block") == (0.6667, 1.0, 0.8)

    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    failed = run("eval", "disambiguation", "--signatures", str(bad), "--clusters", str(bad))
    assert failed.returncode != 0
    assert str(bad) in failed.stderr and "Traceback" not in failed.stderr


def _own_b_cubed(predicted: dict[str, list[str]], gold: dict[str, list[str]]) -> float:
    """B³ F1 written out again, independently of ingest.eval.disambiguation."""
    pred_of = {m: k for k, ms in predicted.items() for m in ms}
    gold_of = {m: k for k, ms in gold.items() for m in ms}
    p = r = 0.0
    for m in gold_of:
        ours = set(predicted[pred_of[m]])
        theirs = set(gold[gold_of[m]])
        p += len(ours & theirs) / len(ours)
        r += len(ours & theirs) / len(theirs)
    p, r = p / len(gold_of), r / len(gold_of)
    return 2 * p * r / (p + r)


def test_cli_on_the_s2and_sample(tmp_path: Path) -> None:
    raw = json.loads(SIGNATURES.read_text())
    gold = {k: v["signature_ids"] for k, v in json.loads(CLUSTERS.read_text()).items()}
    # The baseline, from S2AND's own block field: one person per block.
    blocks: dict[str, list[str]] = defaultdict(list)
    for sid, record in raw.items():
        blocks[record["author_info"]["block"]].append(sid)
    baseline = _own_b_cubed(blocks, gold)
    assert 0.63 < baseline < 0.67

    out = tmp_path / "pred.json"
    done = run("eval", "disambiguation", "--signatures", str(SIGNATURES),
               "--clusters", str(CLUSTERS), "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    predicted = json.loads(out.read_text())
    every = [m for ms in predicted.values() for m in ms]
    assert sorted(every) == sorted(raw)  # each signature in exactly one cluster
    ours = _own_b_cubed(predicted, gold)
    assert printed_scores(done.stdout, "disambiguator")[2] == pytest.approx(ours, abs=1e-4)
    assert ours > baseline + 0.1
    assert ours > 0.82  # 0.829 with the attachment rule; 0.806 before it
    assert printed_scores(done.stdout, "one per name block")[2] == pytest.approx(0.644, abs=0.005)


# --- curators' decisions -------------------------------------------------------------------------


def _decision(
    kind: str, left: tuple[str, ...], right: tuple[str, ...], day: int
) -> IdentityDecision:
    return IdentityDecision(
        kind=IdentityDecisionKind(kind),
        left=left,
        right=right,
        curator="analyst@example.org",
        reason="checked the CVs",
        decided_at=datetime(2026, 11, day, tzinfo=UTC),
    )


def _clusters(people: list[Person]) -> list[tuple[str, ...]]:
    return sorted(p.mention_ids for p in people)


def test_curators_split_and_merge_hold_against_the_evidence() -> None:
    pku = ("Peking University",)
    mentions = [
        Mention(id="1", name=parse_text_name("Wei Zhang"), affiliations=pku),
        Mention(id="2", name=parse_text_name("Zhang Wei"), affiliations=pku),
        Mention(id="3", name=parse_text_name("Wei Zhang"), affiliations=("ETH Zurich",)),
        Mention(id="4", name=parse_text_name("Feng Xu"), affiliations=pku),
        Mention(id="5", name=parse_text_name("Xu Feng"), affiliations=("MIT",)),
        Mention(id="6", name=parse_text_name("W. Zhang")),
    ]
    # Without decisions: 1 and 2 merge on the shared affiliation (6 attaches), 3 stands
    # alone; "Feng Xu" (key "xu f") and "Xu Feng" (also "xu f": Xu is the commoner surname)
    # differ in affiliation.
    assert _clusters(disambiguate(mentions)) == [("1", "2", "6"), ("3",), ("4",), ("5",)]

    split = _decision("split", ("1",), ("2",), 1)
    merge = _decision("merge", ("3",), ("2",), 2)
    people = disambiguate(mentions, curated=[split, merge])
    clusters = _clusters(people)
    assert ("2", "3") in clusters or ("2", "3", "6") in clusters
    assert not any({"1", "2"} <= set(c) for c in clusters)
    curated = [d for p in people for d in p.decisions if d.kind == DecisionKind.CURATED]
    assert len(curated) == 1
    assert curated[0].evidence[0].kind == EvidenceKind.CURATOR
    assert "checked the CVs" in curated[0].evidence[0].detail

    # Across name keys: a merge of "Wei Zhang" (3) with "Feng Xu" (4) joins people of two blocks.
    across = _decision("merge", ("3",), ("4",), 3)
    clusters = _clusters(disambiguate(mentions, curated=[across]))
    assert ("3", "4") in clusters

    # A later split undoes an earlier merge of the same mentions.
    undo = _decision("split", ("3",), ("4",), 4)
    clusters = _clusters(disambiguate(mentions, curated=[across, undo]))
    assert not any({"3", "4"} <= set(c) for c in clusters)


def test_decisions_survive_a_reload_with_new_mentions() -> None:
    # Re-ingestion gives the same mentions (ids are stable) plus new ones: the decisions,
    # stored apart from ingested data, still hold.
    pku = ("Peking University",)
    first = [
        Mention(id="w1/1", name=parse_text_name("Lei Zhang"), affiliations=pku),
        Mention(id="w2/1", name=parse_text_name("Lei Zhang"), affiliations=pku),
    ]
    split = _decision("split", ("w1/1",), ("w2/1",), 1)
    assert _clusters(disambiguate(first, curated=[split])) == [("w1/1",), ("w2/1",)]
    again = [*first, Mention(id="w3/2", name=parse_text_name("L. Zhang"), affiliations=pku)]
    clusters = _clusters(disambiguate(again, curated=[split]))
    assert not any({"w1/1", "w2/1"} <= set(c) for c in clusters)
    assert sorted(x for c in clusters for x in c) == ["w1/1", "w2/1", "w3/2"]
    # The same decision recorded twice is one node.
    assert split.id == _decision("split", ("w2/1",), ("w1/1",), 1).id
    with pytest.raises(ValueError, match="both sides"):
        _decision("merge", ("a",), ("a",), 1)


# --- the fast path (explain=False, what `ingest records` asks for) -------------------------------

CSMETRICS_SUZHOU = Path(__file__).resolve().parent.parent / "data/sample/records/csmetrics/suzhou"


def _csmetrics_mentions(blocks: set[str]) -> list[Mention]:
    """The bylines of the CSMetrics Suzhou files in `blocks` as mentions, read here from the
    raw JSON: co-authors by name key, the paper's institution when it names only one."""
    found = []
    for path in sorted(CSMETRICS_SUZHOU.glob("*.json")):
        for number, entry in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            paper = (entry.get("OA papers") or [{}])[0]
            names = [parse_text_name(a) for a in paper.get("Authors") or []]
            places = list(paper.get("Affiliations") or {})
            keys = [f"{n.block}|{n.full_given or ''}" for n in names]
            for i, name in enumerate(names):
                if name.block in blocks:
                    found.append(
                        Mention(
                            id=f"{path.name}#{number}#{i}",
                            name=name,
                            affiliations=tuple(places) if len(places) == 1 else (),
                            coauthors=frozenset(k for j, k in enumerate(keys) if j != i),
                            year=paper.get("Year"),
                            position=i,
                        )
                    )
    return found


def test_without_explanations_the_people_are_the_same() -> None:
    # Large blocks of Chinese names (most pairs conflict, one prolific "Guodong Zhou") and the
    # S2AND block (initials that join many names), with curators' decisions too.
    records = _csmetrics_mentions({"zhou g", "zhang m", "wang j"})
    s2and = [mention_from_signature(k, v) for k, v in json.loads(SIGNATURES.read_text()).items()]
    s2and = s2and[:500]
    full = disambiguate(s2and)
    merged = next(p for p in full if len(p.mention_ids) > 2).mention_ids
    curated = [
        _decision("split", merged[:1], merged[1:2], 1),
        _decision("merge", (s2and[0].id,), (s2and[1].id,), 2),
    ]
    assert len(records) > 300 and len(merged) > 2
    for mentions, decisions in ((records, []), (s2and, []), (s2and, curated)):
        explained = disambiguate(mentions, curated=decisions)
        fast = disambiguate(mentions, curated=decisions, explain=False)
        assert [p.mention_ids for p in fast] == [p.mention_ids for p in explained]
        assert [p.id for p in fast] == [p.id for p in explained]
        assert all(not p.decisions for p in fast)
    # The scores alone are the evidence's sums, to the bit.
    ctx = ScoringContext(
        weights=Weights(),
        idf={"soochow": 2.0, "university": 0.1},
        name_counts=Counter(f"{m.name.block}|{m.name.full_given or ''}" for m in records),
        tokens={m.id: [affiliation_tokens(a) for a in m.affiliations] for m in records},
    )
    for a, b in itertools.combinations(records[:80], 2):
        assert pair_score(a, b, ctx) == sum(e.weight for e in pair_evidence(a, b, ctx))
