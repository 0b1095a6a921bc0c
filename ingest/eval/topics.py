"""How well the topic classifier (ingest.topics.classifier) finds the topics OpenAlex gives:
top-1 accuracy at the topic, subfield and field level (`best_levels`) over works whose
primary topic is known, from their titles and abstracts only, beside the baseline of always
answering the most frequent one among those works."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.topics.classifier import TopicClassifier

LEVELS = ("topic", "subfield", "field")


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


def labelled_works(paths: Iterable[Path]) -> list[tuple[str, dict[str, str]]]:
    """(title and abstract, {level: id}) of each work with a primary topic and a title."""
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
            found.append((f"{title}. {abstract_of(record)}".strip(), truth))
    return found


def score(
    classifier: TopicClassifier, works: Sequence[tuple[str, dict[str, str]]]
) -> list[LevelScore]:
    """Top-1 accuracy per level, and the most-frequent-label baseline's."""
    answers = classifier.best_levels([text for text, _ in works])
    scores = []
    for level in LEVELS:
        truths = [truth[level] for _, truth in works]
        label, baseline_correct = Counter(truths).most_common(1)[0] if truths else ("", 0)
        correct = sum(
            1
            for answer, truth in zip(answers, truths, strict=True)
            if answer is not None and answer[level] == truth
        )
        scores.append(LevelScore(level, len(works), correct, baseline_correct, label))
    return scores
