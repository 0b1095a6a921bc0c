"""Titles (and abstracts) to OpenAlex topics, from the taxonomy's own text: no training data,
no model download.

Each topic has three documents from `data/openalex/topics_taxonomy.csv`: its name, its
keywords and its description. One TF-IDF vocabulary (scikit-learn: word unigrams and bigrams,
English stop words, sublinear term frequency) is fitted on the topics' whole texts; a topic's
vector is the weighted sum of its three L2-normalised document vectors (`WEIGHTS`: keywords
count twice), normalised again. A query is its title's vector, weighted `TITLE_WEIGHT` times,
plus its abstract's, normalised; its score for a topic is their cosine similarity.

Levels (`best_levels`): the subfield and the field are those whose best topics score most in
sum (the best `POOLS["subfield"]` and `POOLS["field"]` topics); the topic is the best by its
score plus `FIELD_SMOOTHING` times its field's summed score over the best `POOLS["topic"]`
topics (hierarchical smoothing: a topic of the field the text is most about wins over a
stray one). `classify` ranks topics the same way, and that smoothed score is what
`ingest.records.resolve` stores as `ABOUT {score, source: "classifier"}`.

The settings were chosen on one half of the sample's works (`ingest/eval/topics.py`,
`work_half`: a hash of the work id) and are reported on the other half and on all; see the
README ("Topics for records").
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

SOURCE = "classifier"
LEVELS = ("topic", "subfield", "field")
# Chosen on the tune half of the sample's works (see the module's docstring).
WEIGHTS = {"name": 1.0, "keywords": 2.0, "description": 1.0}
TITLE_WEIGHT = 2.0
# How many best topics are summed per subfield and field: for the subfield and field answers,
# and for the topic's field smoothing.
POOLS = {"topic": 20, "subfield": 5, "field": 20}
FIELD_SMOOTHING = 0.25


@dataclass(frozen=True)
class TaxonomyTopic:
    id: str  # T10001
    name: str
    subfield_id: str
    field_id: str
    keywords: str
    description: str

    @property
    def text(self) -> str:
        """The topic's whole text (what the vocabulary is fitted on)."""
        return " . ".join([self.name, self.keywords, self.description])


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
            topics.append(
                TaxonomyTopic(
                    id=row["topic_id"].strip(),
                    name=name,
                    subfield_id=row["subfield_id"].strip(),
                    field_id=row["field_id"].strip(),
                    keywords=keywords,
                    description=row["description"],
                )
            )
    return topics


Matrix = np.ndarray[Any, np.dtype[np.float64]]


def _membership(keys: Sequence[str]) -> tuple[list[str], Matrix]:
    """The distinct keys in order and the topics x keys 0/1 matrix."""
    distinct = sorted(set(keys))
    at = {k: i for i, k in enumerate(distinct)}
    members = np.zeros((len(keys), len(distinct)), dtype=np.float64)
    members[np.arange(len(keys)), [at[k] for k in keys]] = 1.0
    return distinct, members


class TopicClassifier:
    """TF-IDF nearest topics; built once (about 4,500 topics, a few seconds)."""

    def __init__(self, topics: Sequence[TaxonomyTopic]) -> None:
        self.topics = list(topics)
        self._vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), stop_words="english", sublinear_tf=True, min_df=1
        )
        self._vectorizer.fit([t.text for t in self.topics])
        parts = {
            "name": [t.name for t in self.topics],
            "keywords": [t.keywords for t in self.topics],
            "description": [t.description for t in self.topics],
        }
        matrix = sum(
            normalize(self._vectorizer.transform(texts)) * WEIGHTS[part]
            for part, texts in parts.items()
        )
        self._matrix = normalize(matrix)
        self._subfields, self._in_subfield = _membership([t.subfield_id for t in self.topics])
        self._fields, self._in_field = _membership([t.field_id for t in self.topics])
        self._field_of = self._in_field.argmax(axis=1)

    @classmethod
    def from_taxonomy(cls, path: Path) -> TopicClassifier:
        return cls(read_taxonomy(path))

    def _scores(self, titles: Sequence[str], abstracts: Sequence[str] | None) -> Matrix:
        """Cosine similarity of each text (title weighted above its abstract) and topic."""
        query = normalize(self._vectorizer.transform(list(titles))) * TITLE_WEIGHT
        if abstracts is not None:
            query = query + normalize(self._vectorizer.transform(list(abstracts)))
        matrix = (normalize(query) @ self._matrix.T).toarray()
        return np.asarray(matrix, dtype=np.float64)

    @staticmethod
    def _pooled(scores: Matrix, pool: int, members: Matrix) -> Matrix:
        """Per text and group, the summed scores of its topics among the text's best `pool`."""
        pool = min(pool, scores.shape[1])
        best = np.argpartition(-scores, pool - 1, axis=1)[:, :pool]
        kept = np.zeros_like(scores)
        rows = np.arange(scores.shape[0])[:, None]
        kept[rows, best] = scores[rows, best]
        return np.asarray(kept @ members, dtype=np.float64)

    def _smoothed(self, scores: Matrix) -> Matrix:
        """Topic scores plus `FIELD_SMOOTHING` times their field's pooled score."""
        fields = self._pooled(scores, POOLS["topic"], self._in_field)
        return scores + FIELD_SMOOTHING * fields[:, self._field_of]

    def best_levels(
        self, titles: Sequence[str], abstracts: Sequence[str] | None = None
    ) -> list[dict[str, str] | None]:
        """For each text, its best topic (field-smoothed), subfield and field (None when no
        topic scores above zero)."""
        if not titles:
            return []
        scores = self._scores(titles, abstracts)
        topics = self._smoothed(scores).argmax(axis=1)
        subfields = self._pooled(scores, POOLS["subfield"], self._in_subfield).argmax(axis=1)
        fields = self._pooled(scores, POOLS["field"], self._in_field).argmax(axis=1)
        return [
            {
                "topic": self.topics[t].id,
                "subfield": self._subfields[s],
                "field": self._fields[f],
            }
            if row.max() > 0
            else None
            for row, t, s, f in zip(scores, topics, subfields, fields, strict=True)
        ]

    def classify(
        self, titles: Sequence[str], top: int = 3, abstracts: Sequence[str] | None = None
    ) -> list[list[Scored]]:
        """For each text, its `top` topics by field-smoothed score (best first; ties by topic
        order), those whose own similarity is above zero only."""
        if not titles:
            return []
        scores = self._scores(titles, abstracts)
        smoothed = self._smoothed(scores)
        found = []
        for raw, row in zip(scores, smoothed, strict=True):
            best = np.argsort(-row, kind="stable")[:top]
            found.append(
                [Scored(self.topics[i].id, round(float(row[i]), 4)) for i in best if raw[i] > 0]
            )
        return found
