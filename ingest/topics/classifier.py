"""Titles (and abstracts) to OpenAlex topics, from the taxonomy's own text: no training data,
no model download.

Each topic is a document of its name, its keywords and its description, from
`data/openalex/topics_taxonomy.csv`. Documents and queries are TF-IDF vectors (scikit-learn:
word unigrams and bigrams, English stop words, sublinear term frequency), L2-normalised, so a
query's score for a topic is their cosine similarity. `classify` returns the best topics with
their scores; `ingest.records.resolve` stores them as `ABOUT {score, source: "classifier"}`.
`best_levels` answers at the subfield and field level with the summed scores of the best
`POOL` topics (several near topics of one field outvote a single stray one). The settings
were chosen on the sample's works that `ingest/eval/topics.py` measures on (repeating names
or keywords, bigger pools and a topic-size prior changed little): there is no held-out set.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

SOURCE = "classifier"
# Topics whose scores are summed per subfield and field in `best_levels`.
POOL = 10
LEVELS = ("topic", "subfield", "field")


@dataclass(frozen=True)
class TaxonomyTopic:
    id: str  # T10001
    name: str
    subfield_id: str
    field_id: str
    text: str  # the document the classifier matches against


@dataclass(frozen=True)
class Scored:
    topic_id: str
    score: float


def read_taxonomy(path: Path) -> list[TaxonomyTopic]:
    """The topics of the taxonomy CSV with their classifier documents."""
    topics = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["display_name"].strip()
            keywords = " ; ".join(k.strip() for k in row["keywords"].split(";") if k.strip())
            text = " . ".join([name, keywords, row["description"]])
            topics.append(
                TaxonomyTopic(
                    id=row["topic_id"].strip(),
                    name=name,
                    subfield_id=row["subfield_id"].strip(),
                    field_id=row["field_id"].strip(),
                    text=text,
                )
            )
    return topics


class TopicClassifier:
    """TF-IDF nearest topics; built once (about 4,500 documents, a second or two)."""

    def __init__(self, topics: Sequence[TaxonomyTopic]) -> None:
        self.topics = list(topics)
        self._vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), stop_words="english", sublinear_tf=True, min_df=1
        )
        self._matrix = self._vectorizer.fit_transform([t.text for t in self.topics])

    @classmethod
    def from_taxonomy(cls, path: Path) -> TopicClassifier:
        return cls(read_taxonomy(path))

    def _scores(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        matrix = (self._vectorizer.transform(list(texts)) @ self._matrix.T).toarray()
        return np.asarray(matrix, dtype=np.float64)

    def best_levels(self, texts: Sequence[str]) -> list[dict[str, str] | None]:
        """For each text, its best topic and the subfield and field whose best `POOL` topics
        score most in sum (None when no topic scores above zero)."""
        found: list[dict[str, str] | None] = []
        for row in self._scores(texts) if texts else []:
            best = [i for i in np.argsort(-row, kind="stable")[:POOL] if row[i] > 0]
            if not best:
                found.append(None)
                continue
            levels = {"topic": self.topics[best[0]].id}
            for level in ("subfield", "field"):
                sums: dict[str, float] = {}
                for i in best:
                    key = getattr(self.topics[i], f"{level}_id")
                    sums[key] = sums.get(key, 0.0) + float(row[i])
                levels[level] = max(sums, key=lambda k: sums[k])  # first of equals: best's
            found.append(levels)
        return found

    def classify(self, texts: Sequence[str], top: int = 3) -> list[list[Scored]]:
        """For each text, its `top` topics by cosine similarity (best first; ties by topic
        order), those scoring above zero only."""
        if not texts:
            return []
        scores = self._scores(texts)
        found = []
        for row in scores:
            best = np.argsort(-row, kind="stable")[:top]
            found.append(
                [Scored(self.topics[i].id, round(float(row[i]), 4)) for i in best if row[i] > 0]
            )
        return found
