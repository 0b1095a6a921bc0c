"""Talent flows (人才流动): moves between institutions, from affiliation histories.

A scientist's history is, per year, the evidence of each institution: every year an OpenAlex
Author record lists for it (`affiliations[].years`) and every work of that year whose
authorship names it. The main institution of a year is the one with the most evidence (ties:
the previous year's main institution when it is among them, else the smallest id); a move is a
change of main institution between two consecutive years the history holds (a gap of unknown
years in between is allowed: the move is dated to the year the new institution is first seen).
A second affiliation that comes and goes beside the main one is not a move.

Each move keeps the countries of the main institutions of the years before it
(`before_years`, `before_countries`), so that whether it is a returnee's can be decided at
query time for any region and any N (`returnee`): at least N years abroad (outside the
region's country, counting from the first to the last year of the unbroken run of foreign
years just before the move), then in the region. Nothing else (no name, no ethnicity) enters.

Computed in the derived step for the scientists marked `flows_dirty` (new authorships, a new
Author record), stored as `(:Scientist)-[:MOVED]->(:Move)-[:MOVED_FROM|MOVED_TO]->(:Institution)`
(graph/write/flows.py) and read at query time (graph/queries/flows.py).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.unit_of_work import Writer
from graph.write import flows as flows_write


@dataclass(frozen=True)
class Move:
    scientist: str
    year: int
    from_id: str
    to_id: str
    before_years: tuple[int, ...]
    before_countries: tuple[str | None, ...]

    @property
    def id(self) -> str:
        key = f"{self.scientist}|{self.year}|{self.from_id}|{self.to_id}"
        return "move-" + hashlib.sha256(key.encode()).hexdigest()[:20]

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "year": self.year,
            "from": self.from_id,
            "to": self.to_id,
            "before_years": list(self.before_years),
            "before_countries": [c or "" for c in self.before_countries],
        }


def main_by_year(evidence: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Per year, the institution with the most evidence; of a tie, the previous year's main
    institution if it is among them (people listing several places each year do not "move"
    back and forth between them), else the smallest id."""
    counts: dict[int, Counter[str]] = {}
    for year, institution in evidence:
        counts.setdefault(year, Counter())[institution] += 1
    main: dict[int, str] = {}
    previous: str | None = None
    for year in sorted(counts):
        c = counts[year]
        previous = min(c, key=lambda i: (-c[i], i != previous, i))
        main[year] = previous
    return main


def moves_of(
    scientist: str, evidence: Iterable[tuple[int, str]], country: Mapping[str, str | None]
) -> list[Move]:
    """The moves in one scientist's history (evidence: (year, institution id) pairs)."""
    main = main_by_year(evidence)
    years = sorted(main)
    found = []
    for before, year in itertools.pairwise(years):
        if main[before] != main[year]:
            prior = [y for y in years if y < year]
            found.append(
                Move(
                    scientist,
                    year,
                    main[before],
                    main[year],
                    tuple(prior),
                    tuple(country.get(main[y]) for y in prior),
                )
            )
    return found


def abroad_years(
    before_years: Sequence[int], before_countries: Sequence[str | None], home: str | None
) -> int:
    """Length in years (first to last) of the unbroken run of years just before a move whose
    main institution was outside `home` (a country code); 0 when the year before was at home
    or its country is unknown."""
    run: list[int] = []
    for year, country in reversed(list(zip(before_years, before_countries, strict=True))):
        if not country or country == home:
            break
        run.append(year)
    return run[0] - run[-1] + 1 if run else 0


def derive_flows(writer: Writer, *, chunk: int = 500) -> int:
    """Recompute the moves of the scientists marked `flows_dirty`; how many scientists."""
    done = 0
    while ids := writer(flows_write.dirty_scientists, chunk):
        histories, country = writer(flows_write.histories, ids)
        rows = [
            {"id": sid, "moves": [m.row() for m in moves_of(sid, evidence, country)]}
            for sid, evidence in histories.items()
        ]
        writer(flows_write.write_moves, rows, ids)
        done += len(ids)
    return done
