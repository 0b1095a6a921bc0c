"""SYNTHETIC OpenAlex-shaped works for benchmarks, from a seeded generator (never real data).

The shape follows the OpenAlex work record (authorships with institutions, topics with their
subfield/field/domain, referenced works, counts), and the structure loosely follows real
bibliographies, so the derived step has realistic work to do:

- people belong to a home institution and mostly write with colleagues from it (groups that
  publish together, which is what teams are detected from), sometimes with outsiders;
- output is long-tailed: a few people and institutions write much of it;
- each institution works on a handful of topics; works cite earlier works.

Ids are in reserved ranges (`W9…`, `A9…`, `I9…`, `T99…`) and names say "Synthetic".
"""

from __future__ import annotations

import csv
import json
import random
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.unit_of_work import Writer
from ingest.jobs import run_job
from ingest.openalex.entities import WORKS

OA = "https://openalex.org/"
RESULTS = Path(__file__).resolve().parent / "results"
AUTHORSHIPS_PER_WORK = 5  # the generator's mean, used to size files by authorship count
_BYLINE_SIZES = (1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 11)  # mean 5
COUNTRIES = ("CN", "US", "DE", "GB", "JP", "FR", "KR", "IT", "CA", "NL")


def _taxonomy(rng: random.Random) -> list[dict[str, Any]]:
    """1,000 synthetic topics under 100 subfields, 20 fields and 4 domains."""
    topics = []
    for t in range(1000):
        sub, field, domain = t // 10, t // 50, t // 250
        topics.append(
            {
                "id": f"{OA}T99{t:04d}",
                "display_name": f"Synthetic topic {t}",
                "subfield": {"id": f"{OA}subfields/99{sub:02d}", "display_name": f"Sub {sub}"},
                "field": {"id": f"{OA}fields/9{field:02d}", "display_name": f"Field {field}"},
                "domain": {"id": f"{OA}domains/9{domain}", "display_name": f"Domain {domain}"},
            }
        )
    rng.shuffle(topics)
    return topics


def real_topics(rng: random.Random) -> list[dict[str, Any]]:
    """The real OpenAlex topics of the bundled taxonomy (data/openalex/topics_taxonomy.csv), so
    that synthetic works are ABOUT the topics the industrial chains NEED (talent-chain bench)."""
    path = Path(__file__).resolve().parent.parent / "data" / "openalex" / "topics_taxonomy.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        topics = [
            {
                "id": row["openalex_id"],
                "display_name": row["display_name"],
                "subfield": {
                    "id": f"{OA}subfields/{row['subfield_id']}",
                    "display_name": row["subfield_display_name"],
                },
                "field": {
                    "id": f"{OA}fields/{row['field_id']}",
                    "display_name": row["field_display_name"],
                },
                "domain": {
                    "id": f"{OA}domains/{row['domain_id']}",
                    "display_name": row["domain_display_name"],
                },
            }
            for row in csv.DictReader(handle)
        ]
    rng.shuffle(topics)
    return topics


def synthetic_works(
    count: int, seed: int, *, with_real_topics: bool = False
) -> Iterator[dict[str, Any]]:
    """`count` SYNTHETIC works (about 5 authorships each), the same for the same seed, one at
    a time (10M authorships would not fit in memory as a list); their topics are synthetic
    (`T99…`) or, `with_real_topics`, the real OpenAlex topics."""
    rng = random.Random(seed)
    institutions = max(10, count // 40)
    people = max(50, int(count * 1.2))
    per_institution = max(5, people // institutions)
    topics = real_topics(rng) if with_real_topics else _taxonomy(rng)
    focus = [rng.sample(range(len(topics)), 6) for _ in range(institutions)]
    country = [rng.choice(COUNTRIES) for _ in range(institutions)]

    def institution_of(person: int) -> int:
        return person // per_institution % institutions

    def someone_at(inst: int) -> int:
        # Long-tailed within the institution: the first members write the most.
        return inst * per_institution + int(per_institution * rng.random() ** 2)

    for n in range(count):
        year = 2000 + int(26 * rng.random() ** 0.5)  # more recent years are busier
        home = int(institutions * rng.random() ** 2)
        byline: list[int] = []
        for _ in range(rng.choice(_BYLINE_SIZES)):
            inst = home if rng.random() < 0.8 else rng.randrange(institutions)
            person = someone_at(inst)
            if person not in byline:
                byline.append(person)
        authorships = [
            _authorship(person, position, len(byline), institution_of(person), country, rng)
            for position, person in enumerate(byline)
        ]
        chosen = rng.sample(focus[home], rng.randint(1, 3))
        work_topics = [
            {**topics[t], "score": round(1 - 0.2 * i - rng.random() * 0.1, 4)}
            for i, t in enumerate(chosen)
        ]
        references = sorted({rng.randrange(n) for _ in range(rng.randint(0, 8))}) if n else []
        yield (
            {
                "id": f"{OA}W9{n:09d}",
                "display_name": f"Synthetic work {n}",
                "publication_year": year,
                "publication_date": f"{year}-06-01",
                "type": "article",
                "cited_by_count": int(200 * rng.random() ** 4),
                "authorships": authorships,
                "primary_topic": work_topics[0],
                "topics": work_topics,
                "referenced_works": [f"{OA}W9{r:09d}" for r in references],
                "updated_date": "2025-01-01T00:00:00",
            }
        )


def _authorship(
    person: int,
    position: int,
    authors: int,
    inst: int,
    country: list[str],
    rng: random.Random,
) -> dict[str, Any]:
    inst_url = f"{OA}I9{inst:08d}"
    return {
        "author_position": "first"
        if position == 0
        else ("last" if position == authors - 1 else "middle"),
        "author": {
            "id": f"{OA}A9{person:09d}",
            "display_name": f"Synthetic Author {person}",
            "orcid": None,
        },
        "institutions": [
            {
                "id": inst_url,
                "display_name": f"Synthetic Institute {inst}",
                "ror": None,
                "country_code": country[inst],
                "type": "education",
                "lineage": [inst_url],
            }
        ],
        "countries": [country[inst]],
        "is_corresponding": position == 0 and rng.random() < 0.9,
        "raw_author_name": f"Synthetic Author {person}",
        "raw_affiliation_strings": [f"Synthetic Institute {inst}"],
    }


def write_synthetic(
    authorships: int, seed: int, *, with_real_topics: bool = False
) -> tuple[Path, int, int]:
    """A seeded SYNTHETIC works JSONL file with about `authorships` authorships (written once,
    reused while it exists); its path, works and exact authorships."""
    count = max(1, authorships // AUTHORSHIPS_PER_WORK)
    RESULTS.mkdir(exist_ok=True)
    kind = "real-topics-" if with_real_topics else ""
    path = RESULTS / f"synthetic-works-v2-{kind}{count}-seed{seed}.jsonl"
    if not path.is_file():
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as handle:
            for work in synthetic_works(count, seed, with_real_topics=with_real_topics):
                handle.write(json.dumps(work) + "\n")
        partial.rename(path)
    with path.open(encoding="utf-8") as handle:
        rows = sum(len(json.loads(line)["authorships"]) for line in handle)
    return path, count, rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def timed_load(writer: Writer, works: Path, quarantine: Path, batch_size: int) -> float:
    """Seconds to load a works file as `talentmap ingest openalex` does (no derived step)."""
    _, took = timed(
        run_job, writer, WORKS, [works], quarantine_dir=quarantine, batch_size=batch_size
    )
    return took
