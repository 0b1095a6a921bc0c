"""The matcher on bare institution names (what CSMetrics records give), against a sample
labelled by hand from the ROR records: precision, coverage and abstention.

A labelled file is a CSV with the columns `name,ror_id,note` (UTF-8, a header row). `ror_id`
holds the ROR id of the institution the name means (several separated by `;` when the name
names several; other acceptable answers after `|`, as a unit's own record `|` the institution
above it), `none` when the registry has no such institution, or `ambiguous` when the name
alone does not say which of several it means. `note` is free text (the stratum the name was
drawn from, and why the label is what it is).

Scores, over the names labelled with ids or `none` (the `ambiguous` ones are only counted):

- an **answer** is a non-empty set of ids; it is **correct** when it is exactly one of the
  labelled sets (an answer to a `none` name is wrong);
- **precision**: correct answers / answers;
- **coverage**: the share of names labelled with ids that get an answer (and **recall**, the
  share of them answered correctly);
- **abstention on none**: the share of `none` names left unanswered.

`draw` makes the sample reproducibly: the distinct names of each CSMetrics folder (a stratum),
a fixed number from each with a seeded `random.Random`, a name drawn for one stratum not drawn
again for a later one.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import InvalidInputError
from schema.ids import InvalidIdError, ror_id

# How the committed sample (data/eval/csmetrics_names.csv) was drawn: the
# CSMetrics folders in order, with how many names of each.
STRATA = (("suzhou", 50), ("world-2023", 100))
SEED = 16
NONE = "none"
AMBIGUOUS = "ambiguous"
COLUMNS = ("name", "ror_id", "note")


@dataclass(frozen=True)
class LabelledName:
    name: str
    answers: tuple[frozenset[str], ...]  # the acceptable id sets; none for none and ambiguous
    label: str  # "ids", NONE or AMBIGUOUS
    note: str = ""
    line: int = 0

    @property
    def stratum(self) -> str:
        """What the note says before its first colon (the folder the name was drawn from)."""
        head, colon, _ = self.note.partition(":")
        return head.strip() if colon else ""


def _label(path: Path, line: int, value: str) -> tuple[tuple[frozenset[str], ...], str]:
    value = value.strip()
    if value in (NONE, AMBIGUOUS):
        return (), value
    alternatives = [[x.strip() for x in alt.split(";") if x.strip()] for alt in value.split("|")]
    if not all(alternatives):
        raise InvalidInputError(
            f"{path}, line {line}: ror_id {value!r} has an empty answer (ROR ids, "
            f"'{NONE}' or '{AMBIGUOUS}')"
        )
    try:
        return tuple(frozenset(ror_id(x) for x in ids) for ids in alternatives), "ids"
    except InvalidIdError as e:
        raise InvalidInputError(f"{path}, line {line}: ror_id {value!r}: {e}") from e


def read_labels(path: Path) -> list[LabelledName]:
    """The labelled names of a file, in file order; a bad row is named by its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"{path}: cannot read ({e})") from e
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if header is None or tuple(h.strip() for h in header[:3]) != COLUMNS:
        raise InvalidInputError(f"{path}, line 1: expected the header {','.join(COLUMNS)}")
    found: list[LabelledName] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, 2):
        if not row:
            continue
        if len(row) != 3:
            raise InvalidInputError(f"{path}, line {line}: expected 3 columns, got {len(row)}")
        name = row[0].strip()
        if not name:
            raise InvalidInputError(f"{path}, line {line}: empty name")
        if name in seen:
            raise InvalidInputError(
                f"{path}, line {line}: {name!r} is labelled already on line {seen[name]}"
            )
        seen[name] = line
        ids, label = _label(path, line, row[1])
        found.append(LabelledName(name, ids, label, row[2].strip(), line))
    return found


@dataclass
class NameScores:
    names: int = 0  # every labelled name
    with_ids: int = 0
    none: int = 0
    ambiguous: int = 0
    answered: int = 0  # of the names with ids or none
    correct: int = 0
    answered_with_ids: int = 0
    answered_none: int = 0
    answered_ambiguous: int = 0
    wrong: list[tuple[LabelledName, tuple[str, ...]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.answered if self.answered else 0.0

    @property
    def coverage(self) -> float:
        return self.answered_with_ids / self.with_ids if self.with_ids else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.with_ids if self.with_ids else 0.0

    @property
    def abstention_on_none(self) -> float:
        return (self.none - self.answered_none) / self.none if self.none else 0.0


def score(items: Iterable[LabelledName], predict: Callable[[str], Sequence[str]]) -> NameScores:
    """Precision, coverage and abstention of `predict` (a name to the ROR ids it answers)."""
    s = NameScores()
    for item in items:
        s.names += 1
        answer = tuple(dict.fromkeys(predict(item.name)))
        if item.label == AMBIGUOUS:
            s.ambiguous += 1
            s.answered_ambiguous += bool(answer)
            continue
        if item.label == NONE:
            s.none += 1
            s.answered_none += bool(answer)
        else:
            s.with_ids += 1
            s.answered_with_ids += bool(answer)
        if not answer:
            continue
        s.answered += 1
        if frozenset(answer) in item.answers:
            s.correct += 1
        else:
            s.wrong.append((item, answer))
    return s


def folder_names(folder: Path) -> set[str]:
    """The distinct institution names (stripped) of the CSMetrics files of a folder."""
    names: set[str] = set()
    for path in sorted(folder.glob("*.json")):
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise InvalidInputError(f"{path}: cannot read ({e})") from e
        for entry in entries if isinstance(entries, list) else []:
            for paper in entry.get("OA papers") or [] if isinstance(entry, dict) else []:
                affiliations = paper.get("Affiliations") if isinstance(paper, dict) else None
                for name in affiliations or {}:
                    if isinstance(name, str) and name.strip():
                        names.add(name.strip())
    return names


def draw(strata: Sequence[tuple[str, set[str], int]], seed: int) -> list[tuple[str, str]]:
    """(name, stratum) pairs: `size` names of each stratum's set, in order, by a seeded
    random draw from the sorted names not drawn for an earlier stratum."""
    rng = random.Random(seed)  # noqa: S311  # a reproducible sample, not a secret
    drawn: list[tuple[str, str]] = []
    taken: set[str] = set()
    for stratum, names, size in strata:
        pool = sorted(names - taken)
        for name in rng.sample(pool, min(size, len(pool))):
            drawn.append((name, stratum))
            taken.add(name)
    return drawn
