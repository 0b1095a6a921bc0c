"""How well the topic classifier (ingest.topics.classifier) finds the topics OpenAlex gives:
top-1 accuracy at the topic, subfield and field level (`best_levels`) over works whose
primary topic is known, from their titles and abstracts only, beside the baseline of always
answering the most frequent label of the tune half.

The works are split in two halves by a hash of their id (`work_half`): the classifier's
settings were chosen on the tune half (0) and are reported on the held-out half (1) too."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.topics.classifier import TopicClassifier

LEVELS = ("topic", "subfield", "field")
TUNE, HELD_OUT = 0, 1


def work_half(work_id: str) -> int:
    """0 (tune) or 1 (held-out): a fixed split of works by their id (W…)."""
    return hashlib.sha256(work_id.encode()).digest()[0] % 2


@dataclass(frozen=True)
class LabelledWork:
    id: str
    title: str
    abstract: str
    truth: dict[str, str]  # level -> id

    @property
    def half(self) -> int:
        return work_half(self.id)


@dataclass(frozen=True)
class LevelScore:
    level: str
    works: int
    correct: int
    baseline_correct: int
    baseline_label: str

    @property
    def accuracy(self) -> float:
        return self.correct / self.works if self.works else 0.0

    @property
    def baseline(self) -> float:
        return self.baseline_correct / self.works if self.works else 0.0


def _last(value: Any) -> str:
    return str(value).rstrip("/").rsplit("/", 1)[-1] if value else ""


def abstract_of(record: dict[str, Any]) -> str:
    """The abstract's words in order, from the inverted index (either shape)."""
    index = record.get("abstract_inverted_index") or {}
    if isinstance(index.get("InvertedIndex"), dict):
        index = index["InvertedIndex"]
    words = sorted((p, w) for w, ps in index.items() if isinstance(ps, list) for p in ps)
    return " ".join(w for _, w in words)


def labelled_works(paths: Iterable[Path]) -> list[LabelledWork]:
    """Each work with a primary topic and a title: its title, abstract and labels."""
    found = []
    for path in paths:
        # Not splitlines(): it also splits at U+2028 inside a JSON string.
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            record = json.loads(line)
            primary = record.get("primary_topic") or {}
            title = record.get("title") or record.get("display_name")
            if not primary.get("id") or not title:
                continue
            truth = {
                "topic": _last(primary["id"]),
                "subfield": _last((primary.get("subfield") or {}).get("id")),
                "field": _last((primary.get("field") or {}).get("id")),
            }
            found.append(LabelledWork(_last(record.get("id")), title, abstract_of(record), truth))
    return found


def score(
    classifier: TopicClassifier,
    works: Sequence[LabelledWork],
    baseline_from: Sequence[LabelledWork] | None = None,
) -> list[LevelScore]:
    """Top-1 accuracy per level, and that of always answering the most frequent label of
    `baseline_from` (default: of the works scored)."""
    answers = classifier.best_levels([w.title for w in works], [w.abstract for w in works])
    frequent = baseline_from if baseline_from is not None else works
    scores = []
    for level in LEVELS:
        truths = [w.truth[level] for w in works]
        counts = Counter(w.truth[level] for w in frequent)
        label = counts.most_common(1)[0][0] if counts else ""
        correct = sum(
            1
            for answer, truth in zip(answers, truths, strict=True)
            if answer is not None and answer[level] == truth
        )
        scores.append(LevelScore(level, len(works), correct, truths.count(label), label))
    return scores
