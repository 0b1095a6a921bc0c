"""Evaluating the disambiguator on S2AND-format data: readers, B³ and a block split.

S2AND (Subramanian et al., JCDL 2021) publishes signatures as `{signature_id: {"signature_id",
"paper_id", "author_info": {"first", "middle", "last", "suffix", "affiliations", "email",
"block", ...}}}` and gold clusters as `{cluster_id: {"signature_ids": [...]}}`.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.matching.evidence import Mention
from ingest.matching.names import parse_name


class EvaluationInputError(IngestError):
    """A signatures or clusters file that cannot be read as S2AND."""


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise EvaluationInputError(f"{path}: {e}") from e


def mention_from_signature(signature_id: str, record: Mapping[str, Any]) -> Mention:
    info = record.get("author_info") or {}
    email = info.get("email")
    coauthors = info.get("coauthors") or record.get("coauthors") or ()
    year = record.get("year")
    position = info.get("position")
    return Mention(
        id=str(signature_id),
        name=parse_name(info.get("first"), info.get("middle"), info.get("last")),
        affiliations=tuple(a for a in info.get("affiliations") or () if a and a.strip()),
        email=email.strip() if isinstance(email, str) and email.strip() else None,
        coauthors=frozenset(str(c).lower() for c in coauthors),
        year=year if isinstance(year, int) else None,
        position=position if isinstance(position, int) and position >= 0 else None,
    )


def read_signatures(path: Path) -> list[Mention]:
    """S2AND signatures: a JSON object keyed by signature id (a list of records also works)."""
    data = _load_json(path)
    if isinstance(data, list):
        data = {str(r.get("signature_id")): r for r in data if isinstance(r, dict)}
    if not isinstance(data, dict):
        raise EvaluationInputError(f"{path}: expected an object of signatures")
    try:
        return [mention_from_signature(k, v) for k, v in data.items()]
    except (AttributeError, TypeError) as e:
        raise EvaluationInputError(f"{path}: not S2AND signatures ({e})") from e


def read_clusters(path: Path) -> dict[str, list[str]]:
    """Gold clusters: `{id: {"signature_ids": [...]}}` (S2AND) or `{id: [...]}` (our output)."""
    data = _load_json(path)
    if not isinstance(data, dict):
        raise EvaluationInputError(f"{path}: expected an object of clusters")
    clusters: dict[str, list[str]] = {}
    for key, value in data.items():
        ids = value.get("signature_ids") if isinstance(value, dict) else value
        if not isinstance(ids, list):
            raise EvaluationInputError(f"{path}: cluster {key!r} has no signature_ids list")
        clusters[str(key)] = [str(x) for x in ids]
    return clusters


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float
    f1: float
    mentions: int


def b_cubed(predicted: Mapping[str, list[str]], gold: Mapping[str, list[str]]) -> BCubed:
    """B³ over the mentions of the gold clusters (Bagga and Baldwin 1998; S2AND's variant).

    For each mention: precision is the share of its predicted cluster that is in its gold
    cluster, recall the share of its gold cluster that is in its predicted cluster; both are
    averaged over mentions and F1 is their harmonic mean. A gold mention missing from the
    prediction counts as a singleton.
    """
    gold_of = {m: c for c, ms in gold.items() for m in ms}
    predicted_of = {m: c for c, ms in predicted.items() for m in ms if m in gold_of}
    members: dict[str, set[str]] = defaultdict(set)
    for m, c in predicted_of.items():
        members[c].add(m)
    gold_members: dict[str, set[str]] = defaultdict(set)
    for m, c in gold_of.items():
        gold_members[c].add(m)
    precision = recall = 0.0
    for m, c in gold_of.items():
        ours = members[predicted_of[m]] if m in predicted_of else {m}
        shared = len(ours & gold_members[c])
        precision += shared / len(ours)
        recall += shared / len(gold_members[c])
    n = len(gold_of)
    if not n:
        return BCubed(0.0, 0.0, 0.0, 0)
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubed(precision, recall, f1, n)


def block_half(block: str) -> int:
    """0 or 1: a fixed split of name blocks (development half 0, held-out half 1)."""
    return hashlib.sha256(block.encode()).digest()[0] % 2
