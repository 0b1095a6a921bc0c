"""`talentmap eval`: measure entity resolution and the text pipeline against gold data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from talentmap.cli.common import (
    clean_errors,
    fail,
    out,
    require_files,
)
from talentmap.cli.match import RorDumps, affiliation_matcher

eval_app = typer.Typer(help="Measure entity resolution against gold data (no database needed).")


class EvalSplit(StrEnum):
    ALL = "all"
    DEV = "dev"
    HELD_OUT = "held-out"


@eval_app.command("disambiguation")
def eval_disambiguation(
    signatures: Annotated[
        Path, typer.Option(help="S2AND signatures JSON ({id: {author_info: {first, last, ...}}}).")
    ],
    clusters: Annotated[
        Path, typer.Option(help="Gold clusters JSON ({cluster_id: {signature_ids: [...]}}).")
    ],
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the predicted clusters as JSON: each cluster id with its signature ids.",
        ),
    ] = None,
    split: Annotated[
        EvalSplit,
        typer.Option(
            help="Score all name blocks, or one fixed half of them: 'dev' (the half the "
            "weights were fitted on) or 'held-out'."
        ),
    ] = EvalSplit.ALL,
) -> None:
    """Run the name disambiguator on S2AND-format signatures and print B³ precision, recall
    and F1 against the gold clusters, next to the baseline of one person per name block.
    Reads files only; safe to re-run."""
    import json

    from ingest.eval.disambiguation import (
        b_cubed,
        block_half,
        read_clusters,
        read_signatures,
    )
    from ingest.matching.clustering import disambiguate

    halves = {EvalSplit.ALL: None, EvalSplit.DEV: 0, EvalSplit.HELD_OUT: 1}
    with clean_errors():
        mentions = read_signatures(signatures)
        gold = read_clusters(clusters)
    wanted = halves[split]
    kept = [m for m in mentions if wanted is None or block_half(m.name.block) == wanted]
    kept_ids = {m.id for m in kept}
    gold = {c: [x for x in ids if x in kept_ids] for c, ids in gold.items()}
    gold = {c: ids for c, ids in gold.items() if ids}
    people = disambiguate(kept)
    predicted = {p.id: list(p.mention_ids) for p in people}
    blocks: dict[str, list[str]] = {}
    for m in kept:
        blocks.setdefault(m.name.block, []).append(m.id)
    ours, baseline = b_cubed(predicted, gold), b_cubed(blocks, gold)
    out.print(
        f"{len(kept):,} signatures, {len(blocks):,} name blocks, {len(gold):,} gold people, "
        f"{len(people):,} predicted people ({split.value})",
        highlight=False,
    )
    for label, score in (("one per name block", baseline), ("disambiguator", ours)):
        out.print(
            f"B³ {label:>18}: precision {score.precision:.4f}  recall {score.recall:.4f}  "
            f"F1 {score.f1:.4f}",
            highlight=False,
        )
    if out_path is not None:
        out_path.write_text(json.dumps(predicted, indent=1) + "\n", encoding="utf-8")
        out.print(f"predicted clusters written to {out_path}", highlight=False)


@eval_app.command("affiliations")
def eval_affiliations(
    gold: Annotated[
        list[Path],
        typer.Option(
            help="Gold file: ROR's CSV (affiliation,ror_id), ROR's API JSON or S2AFF's CSV. "
            "Repeatable."
        ),
    ],
    ror: RorDumps = [],  # noqa: B006
    split: Annotated[
        str | None, typer.Option(help="Score only S2AFF rows of this split (train, val, test).")
    ] = None,
) -> None:
    """Micro precision, recall and F1 of the affiliation matcher on gold sets: a predicted id
    is a TP when among the string's gold ids, else a FP; a gold id not predicted is a FN.
    Strings whose gold ids are not all in the registry are skipped and counted."""
    import time

    from ingest.eval.affiliations import evaluate, read_gold

    with clean_errors():
        sets = []
        for path in gold:
            if not path.is_file():
                fail(f"{path}: no such file", code=2)
            sets.append((path, read_gold(path)))
    started = time.perf_counter()
    matcher = affiliation_matcher(ror)
    out.print(
        f"registry: {len(matcher.entries):,} institutions, built in "
        f"{time.perf_counter() - started:.1f}s",
        highlight=False,
    )
    for path, items in sets:
        if split is not None:
            items = [x for x in items if x.split in (None, split)]
        started = time.perf_counter()
        s = evaluate(items, lambda a: matcher.match(a).ror_ids, lambda x: x in matcher.by_id)
        rate = s.items / max(time.perf_counter() - started, 1e-9)
        c = s.counts
        out.print(
            f"{path.name}: {s.items} strings ({s.no_match} with no match), "
            f"{s.skipped} skipped (gold id not in the registry); tp {c.tp} fp {c.fp} fn {c.fn}; "
            f"precision {c.precision:.3f} recall {c.recall:.3f} F1 {c.f1:.3f}; "
            f"{rate:.0f} strings/s",
            highlight=False,
            soft_wrap=True,
        )


@eval_app.command("text")
def eval_text(
    corpus: Annotated[
        list[Path],
        typer.Argument(
            help="Annotated documents (mentions marked [[KIND|text]]) or folders of them "
            "(default: the test corpus, tests/data/text and its held-out set)."
        ),
    ] = [],  # noqa: B006  # typer reads the default; it is never mutated
    ror: Annotated[
        list[Path],
        typer.Option(help="ROR dumps for the institution gazetteer, as published."),
    ] = [],  # noqa: B006
    taxonomy: Annotated[
        Path | None, typer.Option(help="The topic taxonomy CSV (default: the bundled one).")
    ] = None,
) -> None:
    """Score the rule-based text pipeline on annotated documents: precision and recall per
    mention kind (exact offsets), with a gazetteer read from published files (no database).
    Reads files only; safe to re-run."""
    from ingest.eval.text import gazetteer_from_files, read_marked, score
    from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH
    from ingest.text.extract import TextPipeline

    repo = Path(__file__).resolve().parents[2]
    folders = corpus or [
        repo / "tests" / "data" / "text",
        repo / "tests" / "data" / "text" / "heldout",
    ]
    dumps = ror or [repo / "data" / "sample" / "ror" / "ror_v2_records.json.gz"]
    with clean_errors():
        for path in [*folders, *dumps]:
            if not path.exists():
                fail(f"{path}: no such file or folder", code=2)
        pipeline = TextPipeline(gazetteer_from_files(dumps, taxonomy or DEFAULT_TAXONOMY_PATH))
        for folder in folders:
            files = (
                sorted(p for p in folder.iterdir() if p.is_file() and p.name != "README.md")
                if folder.is_dir()
                else [folder]
            )
            counts = score(pipeline, [read_marked(p) for p in files])
            table = Table(title=f"{folder} ({len(files)} documents)")
            for column in ("kind", "tp", "fp", "fn", "precision", "recall", "F1"):
                table.add_column(column, justify="right")
            for kind, c in counts.items():
                table.add_row(
                    kind.value, str(c.tp), str(c.fp), str(c.fn),
                    f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                )  # fmt: skip
            out.print(table)


@eval_app.command("topics")
def eval_topics(
    works: Annotated[
        list[Path],
        typer.Argument(
            help="OpenAlex works as JSON lines, those with a primary topic scored (default: "
            "the bundled sample, data/sample/openalex/works.jsonl)."
        ),
    ] = [],  # noqa: B006  # typer reads the default; it is never mutated
    taxonomy: Annotated[
        Path | None, typer.Option(help="The topic taxonomy CSV (default: the bundled one).")
    ] = None,
) -> None:
    """Score the topic classifier (what records without topics get) against the primary
    topics OpenAlex gives: top-1 accuracy at topic, subfield and field level from titles and
    abstracts only, on the tune half of the works (where its settings were chosen), the
    held-out half and all, beside always answering the tune half's most frequent label.
    Reads files only."""
    from ingest.eval.topics import HELD_OUT, TUNE, labelled_works, score
    from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH
    from ingest.topics.classifier import TopicClassifier

    repo = Path(__file__).resolve().parents[2]
    paths = works or [repo / "data" / "sample" / "openalex" / "works.jsonl"]
    with clean_errors():
        require_files(paths)
        classifier = TopicClassifier.from_taxonomy(taxonomy or DEFAULT_TAXONOMY_PATH)
        labelled = labelled_works(paths)
    tune = [w for w in labelled if w.half == TUNE]
    table = Table(title=f"topic classifier, {len(labelled)} works (title + abstract)")
    for column in ("works", "level", "n", "top-1 accuracy", "most frequent", "baseline"):
        table.add_column(column, justify="right")
    for name, part in (
        ("tune", tune),
        ("held-out", [w for w in labelled if w.half == HELD_OUT]),
        ("all", labelled),
    ):
        for s in score(classifier, part, baseline_from=tune):
            table.add_row(
                name, s.level, str(s.works), f"{s.accuracy:.3f}", s.baseline_label,
                f"{s.baseline:.3f}",
            )  # fmt: skip
    out.print(table)


@eval_app.command("institution-names")
def eval_institution_names(
    labelled: Annotated[
        Path | None,
        typer.Argument(
            help="Names labelled by hand: CSV name,ror_id,note (ror_id: ids, 'none' or "
            "'ambiguous'; default: data/eval/csmetrics_names.csv)."
        ),
    ] = None,
    ror: Annotated[
        list[Path],
        typer.Option(help="ROR dumps, v2 first (default: the two of data/sample/ror). Repeatable."),
    ] = [],  # noqa: B006  # typer reads the default; it is never mutated
    draw: Annotated[
        bool,
        typer.Option(
            "--draw",
            help="Print the sample as drawn (name,ror_id,note with ror_id empty) from the "
            "CSMetrics folders instead of scoring.",
        ),
    ] = False,
) -> None:
    """Precision of the affiliation matcher on bare institution names (what CSMetrics records
    give) against a sample labelled by hand: of the names it answers, the share answered
    right; coverage (names with a record that get an answer) and abstention on names with no
    record. Reads files only; safe to re-run."""
    from ingest.eval.institution_names import read_labels
    from ingest.matching.affiliations import Matcher, entries_from_dumps

    repo = Path(__file__).resolve().parents[2]
    if draw:
        _print_draw(repo)
        return
    path = labelled or repo / "data" / "eval" / "csmetrics_names.csv"
    dumps = ror or [
        repo / "data" / "sample" / "ror" / "ror_v2_records.json.gz",
        repo / "data" / "sample" / "ror" / "ror_v1_legacy_records.json.gz",
    ]
    with clean_errors():
        require_files([path, *dumps])
        items = read_labels(path)
        matcher = Matcher(entries_from_dumps(dumps))
    strata = sorted({x.stratum for x in items} - {""})
    groups = [(s, [x for x in items if x.stratum == s]) for s in strata] + [("all", items)]
    _print_name_scores(path, groups, lambda name: matcher.match(name).ror_ids)


def _print_draw(repo: Path) -> None:
    import csv
    import sys

    from ingest.eval.institution_names import SEED, STRATA, draw, folder_names

    folders = repo / "data" / "sample" / "records" / "csmetrics"
    with clean_errors():
        strata = [(name, folder_names(folders / name), size) for name, size in STRATA]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["name", "ror_id", "note"])
    for name, stratum in draw(strata, SEED):
        writer.writerow([name, "", f"{stratum}:"])


def _print_name_scores(
    path: Path, groups: list[tuple[str, list[Any]]], predict: Callable[[str], Sequence[str]]
) -> None:
    from ingest.eval.institution_names import score

    wrong = []
    for stratum, items in groups:
        s = score(items, predict)
        out.print(
            f"{path.name} {stratum}: {s.names} names ({s.with_ids} with a record, {s.none} none, "
            f"{s.ambiguous} ambiguous); answered {s.answered}, correct {s.correct}; "
            f"precision {s.precision:.3f} coverage {s.coverage:.3f} recall {s.recall:.3f}; "
            f"abstains on none {s.abstention_on_none:.3f}; "
            f"answers {s.answered_ambiguous} of {s.ambiguous} ambiguous",
            highlight=False,
            soft_wrap=True,
        )
        wrong = s.wrong
    for item, answer in wrong:
        label = "|".join(";".join(sorted(a)) for a in item.answers) or item.label
        out.print(
            f"wrong, line {item.line}: {item.name!r} -> {';'.join(answer)} (labelled {label})",
            highlight=False,
            soft_wrap=True,
        )
