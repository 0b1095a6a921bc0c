"""The text pipeline's throughput: `python -m bench.text` (or `make bench-text`).

Builds the rule-based pipeline from the real ROR sample and topic taxonomy (as
`ingest/text/extract.py` would from the graph), generates a large SYNTHETIC text from seeded
templates (bios and news in English and Chinese, with institutions, topics, titles and names
drawn from the gazetteer),
and reports words per second of CPU time on one core (a Chinese character counts as a word).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ingest.eval.text import gazetteer_from_files
from ingest.text.extract import Gazetteer, TextPipeline, is_chinese

REPO = Path(__file__).resolve().parent.parent
ROR = REPO / "data" / "sample" / "ror" / "ror_v2_records.json.gz"
TAXONOMY = REPO / "data" / "openalex" / "topics_taxonomy.csv"

EN = (
    "Professor {name} is a Distinguished Young Scholar at {inst}. {pron} received a PhD from "
    "{inst2} in {year} and works on {topic} and {topic2}. In {year2} {pron2} was elected an "
    "IEEE Fellow for contributions to {topic}. The group collaborates with {inst2} on new "
    "methods, and its results appeared in leading journals over the last decade."
)
ZH = (
    "{zname}教授，国家杰出青年科学基金获得者，现任{zinst}研究员。{year}年于{zinst2}获博士学位，"
    "{year2}年当选中国科学院院士。团队长期从事相关方向研究，与多家单位开展合作。"
)
GIVEN = ("Wei", "Anna", "Jun", "Maria", "Hao", "Emily", "Lei", "Thomas", "Na", "Kevin")
FAMILY = ("Zhang", "Schmidt", "Liu", "Garcia", "Chen", "Brown", "Huang", "Weber", "Li", "Lee")
ZNAMES = ("张伟", "李娜", "陈浩", "王晓明", "刘军", "杨帆", "欧阳明", "孙立", "黄磊", "何静")


def synthetic_documents(gazetteer: Gazetteer, words: int, seed: int) -> list[str]:
    """SYNTHETIC bios, English and Chinese alternating, until about `words` words."""
    rng = random.Random(seed)
    english = [e.names[0] for e in gazetteer.institutions if e.names and e.names[0].isascii()]
    chinese = [n for e in gazetteer.institutions for n in e.names if is_chinese(n)]
    topics = [e.names[0] for e in gazetteer.topics]
    documents: list[str] = []
    total = 0
    while total < words:
        if len(documents) % 4 == 3 and chinese:
            text = ZH.format(
                zname=rng.choice(ZNAMES),
                zinst=rng.choice(chinese),
                zinst2=rng.choice(chinese),
                year=rng.randint(1990, 2025),
                year2=rng.randint(1990, 2025),
            )
            total += sum(1 for c in text if not c.isascii())
        else:
            text = EN.format(
                name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                inst=rng.choice(english),
                inst2=rng.choice(english),
                topic=rng.choice(topics),
                topic2=rng.choice(topics),
                year=rng.randint(1990, 2025),
                year2=rng.randint(1990, 2025),
                pron=rng.choice(("He", "She")),
                pron2=rng.choice(("he", "she")),
            )
            total += len(text.split())
        documents.append(text)
    return documents


def count_words(text: str) -> int:
    return sum(1 for c in text if not c.isascii()) if is_chinese(text) else len(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    console = Console(width=160)
    load_before = os.getloadavg()
    start = time.process_time()
    gazetteer = gazetteer_from_files([ROR], TAXONOMY)
    read = time.process_time() - start
    start = time.process_time()
    pipeline = TextPipeline(gazetteer)
    built = time.process_time() - start
    documents = synthetic_documents(gazetteer, args.words, args.seed)
    table = Table(title=f"Text pipeline throughput ({time.strftime('%Y-%m-%d %H:%M')})")
    for column in ("documents", "language", "words", "mentions", "CPU s", "words/s"):
        table.add_column(column, justify="right")
    for language, chosen in (
        ("English", [d for d in documents if not is_chinese(d)]),
        ("Chinese", [d for d in documents if is_chinese(d)]),
        ("all", documents),
    ):
        words = sum(count_words(d) for d in chosen)
        start = time.process_time()
        mentions = sum(len(pipeline.extract(d)) for d in chosen)
        took = time.process_time() - start
        table.add_row(
            f"{len(chosen):,}", language, f"{words:,}", f"{mentions:,}", f"{took:.1f}",
            f"{words / took:,.0f}",
        )  # fmt: skip
    console.print(table)
    console.print(
        f"gazetteer: {len(gazetteer.institutions):,} institutions, {len(gazetteer.topics):,} "
        f"topics, read in {read:.1f} s, pipeline built in {built:.1f} s (CPU); one process, "
        f"one core; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}; "
        "text: SYNTHETIC (seeded templates)"
    )


if __name__ == "__main__":
    main()
