"""Pairwise evidence: why two mentions of one name block are, or are not, one person.

Given-name agreement, how common the name is, affiliations, e-mail, co-authors, topics and
years. Each piece is an `Evidence` with its weight, a log-odds contribution, so the sum is the
pair's score and every decision can be shown and stored.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from ingest.matching.names import PersonName, fold, name_key


@dataclass(frozen=True)
class Mention:
    """One appearance of a name: a byline, a name in a document, a curated entry."""

    id: str
    name: PersonName
    affiliations: tuple[str, ...] = ()
    email: str | None = None
    coauthors: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    year: int | None = None
    position: int | None = None  # 0-based place in the author list, when known

    @property
    def informative(self) -> bool:
        """Whether anything besides the name speaks for or against a match."""
        return bool(self.affiliations or self.email or self.coauthors or self.topics)


class EvidenceKind(StrEnum):
    NAME = "name"
    NAME_FREQUENCY = "name_frequency"
    AFFILIATION = "affiliation"
    EMAIL = "email"
    COAUTHORS = "coauthors"
    TOPICS = "topics"
    YEARS = "years"
    CURATOR = "curator"


@dataclass(frozen=True)
class Evidence:
    """One reason for or against two mentions being one person; `weight` is in log-odds."""

    kind: EvidenceKind
    weight: float
    detail: str


@dataclass(frozen=True)
class Weights:
    """The scoring model. Defaults were fitted on the development half of the S2AND sample."""

    same_full_name: float = 1.0
    rare_name: float = 2.5  # the name prior for a name seen once in the block ...
    per_log_frequency: float = 0.0  # ... minus this per natural log of its mentions
    chinese_name: float = 1.5  # minus this for a Chinese name: far more people share each one
    affiliation: float = 6.0  # times the affiliation similarity
    affiliation_match: float = 0.6  # similarity from which affiliations agree
    different_affiliation: float = 3.0
    same_email: float = 8.0
    different_email: float = 1.0
    per_coauthor: float = 2.5
    max_coauthors: int = 3
    topics: float = 2.0
    year_gap: int = 15
    distant_years: float = 1.0
    threshold: float = 0.0
    attach_share: float = 0.5
    position_smoothing: float = 1.0
    max_position: int = 3


_STOPWORD_TEXT = "of the and for at in de la le du des der die und fur di del y e a an"
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def affiliation_tokens(text: str) -> frozenset[str]:
    words = (fold(w) for w in re.split(r"[^\w]+", text))
    return frozenset(w for w in words if w and w not in _STOPWORDS)


@dataclass
class ScoringContext:
    """What scoring a block needs besides the two mentions: token and name frequencies."""

    weights: Weights
    idf: dict[str, float]
    name_counts: Counter[str]
    tokens: dict[str, list[frozenset[str]]] = field(default_factory=dict)

    def affiliation_similarity(self, a: Mention, b: Mention) -> tuple[float, str, str]:
        """The best agreement of two mentions' affiliations, with the two strings."""
        best = (0.0, "", "")
        for i, x in enumerate(self.tokens[a.id]):
            for j, y in enumerate(self.tokens[b.id]):
                sim = self.token_overlap(x, y)
                if sim > best[0] or not best[1]:
                    best = (sim, a.affiliations[i], b.affiliations[j])
        return best

    def token_overlap(self, x: frozenset[str], y: frozenset[str]) -> float:
        """IDF-weighted share of the lighter string's words found in the other.

        The lighter side decides so that "University of Arizona" agrees with "Dept. of Comput.
        Sci., Arizona Univ., Tucson"; a word matches its abbreviation ("Univ.", "Telecommun.").
        """
        wx, wy = (sum(self.idf.get(t, 0.0) for t in s) for s in (x, y))
        small, large = (x, y) if wx <= wy else (y, x)
        total = min(wx, wy)
        if not total:
            return 0.0
        found = sum(self.idf.get(t, 0.0) for t in small if _word_in(t, large))
        return found / total


def _word_in(word: str, words: frozenset[str]) -> bool:
    if word in words:
        return True
    if len(word) < 3:
        return False
    return any(
        len(other) >= 3 and (other.startswith(word) or word.startswith(other)) for other in words
    )


def pair_evidence(a: Mention, b: Mention, ctx: ScoringContext) -> list[Evidence]:
    """The evidence on two mentions of one block, their names taken as compatible (the caller
    checks `name_conflict`, which overrides any score)."""
    w = ctx.weights
    found: list[Evidence] = []
    if a.name.full_given and a.name.full_given == b.name.full_given:
        found.append(Evidence(EvidenceKind.NAME, w.same_full_name, f"same name {a.name}"))
    else:
        found.append(Evidence(EvidenceKind.NAME, 0.0, f"{a.name} and {b.name} compatible"))
    frequency = max(ctx.name_counts[name_key(a.name)], ctx.name_counts[name_key(b.name)])
    found.append(
        Evidence(
            EvidenceKind.NAME_FREQUENCY,
            w.rare_name - w.per_log_frequency * math.log(frequency),
            f"{frequency} mentions of this name",
        )
    )
    if (a.name.chinese or b.name.chinese) and w.chinese_name:
        found.append(
            Evidence(EvidenceKind.NAME_FREQUENCY, -w.chinese_name, "a Chinese name: often shared")
        )
    if a.affiliations and b.affiliations:
        sim, x, y = ctx.affiliation_similarity(a, b)
        if sim >= w.affiliation_match:
            found.append(
                Evidence(EvidenceKind.AFFILIATION, w.affiliation * sim, f"{x!r} ~ {y!r} {sim:.2f}")
            )
        else:
            found.append(
                Evidence(EvidenceKind.AFFILIATION, -w.different_affiliation, f"{x!r} vs {y!r}")
            )
    if a.email and b.email:
        if a.email.lower() == b.email.lower():
            found.append(Evidence(EvidenceKind.EMAIL, w.same_email, a.email.lower()))
        else:
            found.append(
                Evidence(EvidenceKind.EMAIL, -w.different_email, f"{a.email} vs {b.email}")
            )
    shared = a.coauthors & b.coauthors
    if shared:
        found.append(
            Evidence(
                EvidenceKind.COAUTHORS,
                w.per_coauthor * min(len(shared), w.max_coauthors),
                ", ".join(sorted(shared)[:5]),
            )
        )
    if a.topics and b.topics:
        overlap = len(a.topics & b.topics) / len(a.topics | b.topics)
        if overlap:
            found.append(
                Evidence(EvidenceKind.TOPICS, w.topics * overlap, f"topic overlap {overlap:.2f}")
            )
    if a.year is not None and b.year is not None and abs(a.year - b.year) > w.year_gap:
        found.append(Evidence(EvidenceKind.YEARS, -w.distant_years, f"{a.year} and {b.year}"))
    return found


def pair_score(a: Mention, b: Mention, ctx: ScoringContext) -> float:
    """The sum of `pair_evidence`'s weights, added in the same order (so the same float),
    without writing the evidence out: for clustering that needs only the scores."""
    w = ctx.weights
    score = 0.0
    same_name = bool(a.name.full_given) and a.name.full_given == b.name.full_given
    score += w.same_full_name if same_name else 0.0
    frequency = max(ctx.name_counts[name_key(a.name)], ctx.name_counts[name_key(b.name)])
    score += w.rare_name - w.per_log_frequency * math.log(frequency)
    if (a.name.chinese or b.name.chinese) and w.chinese_name:
        score += -w.chinese_name
    if a.affiliations and b.affiliations:
        sim = ctx.affiliation_similarity(a, b)[0]
        score += w.affiliation * sim if sim >= w.affiliation_match else -w.different_affiliation
    if a.email and b.email:
        same = a.email.lower() == b.email.lower()
        score += w.same_email if same else -w.different_email
    shared = a.coauthors & b.coauthors
    if shared:
        score += w.per_coauthor * min(len(shared), w.max_coauthors)
    if a.topics and b.topics:
        overlap = len(a.topics & b.topics) / len(a.topics | b.topics)
        if overlap:
            score += w.topics * overlap
    if a.year is not None and b.year is not None and abs(a.year - b.year) > w.year_gap:
        score += -w.distant_years
    return score
