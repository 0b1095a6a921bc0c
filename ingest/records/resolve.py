"""From a batch of names-only records to graph rows: institutions through the affiliation
matcher, people through the disambiguator.

- **Institutions**: each name the record gives goes through the matcher over the graph's ROR
  institutions (built once, on the first batch). A match becomes `(:Work)-[:BY_INSTITUTION
  {authors, confidence, evidence, name, source, file}]` (the record says how many authors list
  it); a name the matcher abstains on is kept on the work (`unmatched_affiliations`) and
  counted in the report.
- **Which author is where**: CSMetrics gives institution names with author counts, not per
  author. Only what the counts support is inferred: an institution listed by as many authors
  as the paper has is every author's. Those names go on the authorship as its unlinked strings
  with the matcher's answer (`matched_institution_ids`, `matched_confidences`), so the derive
  step makes `AFFILIATED_WITH {source: "matcher", confidence}` of them, and the authorship is
  marked `institutions_inferred`.
- **People**: every byline is a mention (name, inferred institutions, co-authors, year) for
  the disambiguator, clustered with the records people of its name block already in the graph.
  A byline joins the person it clusters with, else a new `rec-…` person keyed by a hash of its
  first byline (work key and position), so a re-run finds the same people. Records people are
  never merged with OpenAlex authors here: their only candidates are records people.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.unit_of_work import Writer
from graph.write import record as repo
from graph.write.record import CLASSIFIER_SOURCE, VENUE_SOURCE
from ingest.matching.affiliations import Match
from ingest.matching.authorships import GraphMatcher, LazyMatcher, matcher_from_graph
from ingest.matching.clustering import disambiguate
from ingest.matching.evidence import Mention
from ingest.matching.names import PersonName, name_key, parse_text_name
from ingest.records.csmetrics import VENUE_TOPIC_SCORE, VENUE_TOPICS
from ingest.records.model import RECORDS_SOURCE, PaperRecord
from schema.names import pinyin_forms

if TYPE_CHECKING:  # scikit-learn loads only when a classifier is made
    from ingest.topics.classifier import TopicClassifier

# The classifier's best topics stored per record (its score is on each link).
CLASSIFIED_TOPICS = 3
# Works with more authors are lists (consortia): their people get no co-author evidence.
MAX_COAUTHOR_EVIDENCE = 30


@dataclass
class RecordsReport:
    """What the matcher and the disambiguator made of the records so far."""

    works: int = 0
    openalex_works: int = 0  # records of works whose OpenAlex record is in the graph
    unchanged: int = 0
    names: Counter[str] = field(default_factory=Counter)  # institution name -> records
    matched: Counter[str] = field(default_factory=Counter)
    abstained: Counter[str] = field(default_factory=Counter)
    new_people: int = 0
    joined_bylines: int = 0  # bylines that joined a records person already in the graph
    inferred_authorships: int = 0
    classified: int = 0  # records given topics by the title classifier

    @property
    def abstained_names(self) -> int:
        return len(self.abstained)


@dataclass(frozen=True)
class _Byline:
    record: PaperRecord
    position: int
    name: PersonName
    affiliations: tuple[str, ...]
    # False where the record itself says the author is at these institutions (WoS C1).
    inferred: bool = True

    @property
    def id(self) -> str:
        return f"{self.record.key}#{self.position}"


class RecordsWriter:
    """The `write` of a records job: resolves each batch and writes it."""

    def __init__(
        self,
        writer: Writer,
        matcher: LazyMatcher | None = None,
        classifier: TopicClassifier | None = None,
    ) -> None:
        self.report = RecordsReport()
        self._matcher = matcher or LazyMatcher(lambda: matcher_from_graph(writer))
        self._matches: dict[str, Match] = {}
        # Topics from titles (and abstracts) when given; the CLI gives one.
        self._classifier = classifier

    def __call__(self, writer: Writer, batch: list[PaperRecord]) -> None:
        records = list({r.key: r for r in batch}.values())
        stored = writer(repo.stored_works, [r.key for r in records])
        # Every record's file, also of a paper two files of the batch hold.
        provenance = [{"id": r.key, "source": r.source, "file": r.file} for r in batch]
        fresh: list[PaperRecord] = []
        digests: dict[str, str] = {}
        for r in records:
            openalex, digest = stored.get(r.key, (False, None))
            digests[r.key] = _digest(r)
            if openalex:
                self.report.openalex_works += 1
            elif digest == digests[r.key]:
                self.report.unchanged += 1
            else:
                fresh.append(r)
        self.report.works += len(records)
        built = self._matcher.get() if fresh else None
        works: list[dict[str, Any]] = []
        institutions: list[dict[str, Any]] = []
        topics: list[dict[str, Any]] = []
        bylines: list[_Byline] = []
        for r in fresh:
            found, unmatched = self._institutions(r, built)
            everyone = [
                f["name"] for f in found if r.institutions and _everyones(f["authors"], r)
            ] + [name for name, authors in unmatched if _everyones(authors, r)]
            works.append(_work_row(r, digests[r.key], [name for name, _ in unmatched]))
            institutions.extend(
                {
                    "work_id": r.key,
                    "institution_id": f["institution_id"],
                    "props": {
                        "authors": f["authors"],
                        "confidence": f["confidence"],
                        "evidence": f["evidence"],
                        "name": f["name"],
                        "source": r.source,
                        "file": r.file,
                    },
                }
                for f in found
            )
            topics.extend(
                {
                    "work_id": r.key,
                    "topic_id": t,
                    "score": VENUE_TOPIC_SCORE,
                    "venue": r.venue,
                    "source": VENUE_SOURCE,
                }
                for t in VENUE_TOPICS.get(r.venue or "", ())
            )
            bylines.extend(
                _Byline(r, i, parse_text_name(author), *_placed(r, i, everyone))
                for i, author in enumerate(r.authors)
            )
        topics.extend(self._classified(fresh, {(t["work_id"], t["topic_id"]) for t in topics}))
        scientists, authorships = self._people(writer, bylines, built)
        writer(
            repo.write_records_batch,
            provenance,
            works,
            scientists,
            authorships,
            institutions,
            topics,
        )

    def _classified(
        self, records: Sequence[PaperRecord], known: set[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        """The classifier's best topics of each record with a title (those its venue does not
        already give), as topic rows."""
        if self._classifier is None:
            return []
        titled = [r for r in records if r.title]
        found_topics = self._classifier.classify(
            [r.title or "" for r in titled],
            CLASSIFIED_TOPICS,
            abstracts=[r.abstract or "" for r in titled],
        )
        rows: list[dict[str, Any]] = []
        for r, found in zip(titled, found_topics, strict=True):
            rows.extend(
                {
                    "work_id": r.key,
                    "topic_id": s.topic_id,
                    "score": s.score,
                    "venue": None,
                    "source": CLASSIFIER_SOURCE,
                }
                for s in found
                if (r.key, s.topic_id) not in known
            )
        self.report.classified += len(titled)
        return rows

    def _match(self, name: str, built: GraphMatcher) -> Match:
        if name not in self._matches:
            self._matches[name] = built.matcher.match(name)
        return self._matches[name]

    def _institutions(
        self, r: PaperRecord, built: GraphMatcher | None
    ) -> tuple[list[dict[str, Any]], list[tuple[str, int | None]]]:
        """The institutions the record's names match (one row per institution, the best
        reading), and the names the matcher abstained on with their author counts."""
        found: dict[str, dict[str, Any]] = {}
        unmatched: list[tuple[str, int | None]] = []
        for inst in r.institutions:
            self.report.names[inst.name] += 1
            match = self._match(inst.name, built) if built else None
            ids = built.institutions(match) if built and match else []
            if not ids or match is None:
                self.report.abstained[inst.name] += 1
                unmatched.append((inst.name, inst.authors))
                continue
            self.report.matched[inst.name] += 1
            evidence = "; ".join(
                f"{e.kind} '{e.span}' = {e.name} ({e.location})" for e in match.evidence
            )
            for node_id, confidence in ids:
                row = found.setdefault(
                    node_id,
                    {
                        "institution_id": node_id,
                        "authors": 0,
                        "confidence": confidence,
                        "evidence": evidence,
                        "name": inst.name,
                    },
                )
                row["authors"] = max(row["authors"], inst.authors or 0)
                row["confidence"] = max(row["confidence"], confidence)
        for row in found.values():
            row["authors"] = row["authors"] or None  # the record does not say how many
        return list(found.values()), unmatched

    def _people(
        self, writer: Writer, bylines: Sequence[_Byline], built: GraphMatcher | None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Each byline's person (a records person already in the graph, else a new one) as
        scientist rows, and the bylines as authorship rows."""
        if not bylines:
            return [], []
        pool = _known_people(writer, bylines)
        mentions = _mentions(bylines)
        target = self._assign(pool, mentions)
        people: dict[str, dict[str, Any]] = {}
        authorships = []
        for b in bylines:
            pid = target[b.id]
            row = people.setdefault(pid, _person_row(pid, b))
            _add_byline(row, b, mentions[b.id])
            ids, confidences = self._byline_institutions(b, built)
            if b.affiliations and b.inferred:
                self.report.inferred_authorships += 1
            authorships.append(_authorship_row(pid, b, ids, confidences))
        return list(people.values()), authorships

    def _assign(self, pool: dict[str, Mention], mentions: dict[str, Mention]) -> dict[str, str]:
        """Byline id -> person id: the first known person its cluster holds, else a new `rec-…`
        person keyed by a hash of the cluster's first byline (so a re-run finds it again)."""
        target: dict[str, str] = {}
        for person in disambiguate([*pool.values(), *mentions.values()], explain=False):
            known = sorted(m for m in person.mention_ids if m in pool)
            own = sorted(m for m in person.mention_ids if m in mentions)
            if not own:
                continue
            if known:
                pid = known[0]
                self.report.joined_bylines += len(own)
            else:
                pid = "rec-" + hashlib.sha256(own[0].encode()).hexdigest()[:16]
                self.report.new_people += 1
            for m in own:
                target[m] = pid
        return target

    def _byline_institutions(
        self, b: _Byline, built: GraphMatcher | None
    ) -> tuple[list[str], list[float]]:
        """The institutions the byline's inferred names match, each once, with confidences."""
        ids: list[str] = []
        confidences: list[float] = []
        if built is not None:
            for text in b.affiliations:
                for node_id, confidence in built.institutions(self._match(text, built)):
                    if node_id not in ids:
                        ids.append(node_id)
                        confidences.append(confidence)
        return ids, confidences


def _known_people(writer: Writer, bylines: Sequence[_Byline]) -> dict[str, Mention]:
    """The records people already in the graph in the bylines' name blocks, as mentions (their
    only candidates: records people are never merged with OpenAlex authors here)."""
    blocks = sorted({b.name.block for b in bylines if b.name.block})
    return {
        c["id"]: Mention(
            id=c["id"],
            name=parse_text_name(c["name"]),
            affiliations=tuple(c["affiliations"]),
            coauthors=frozenset(c["coauthors"]),
            year=max(c["years"], default=None),
        )
        for c in writer(repo.record_candidates, blocks, f"{RECORDS_SOURCE}:")
    }


def _mentions(bylines: Sequence[_Byline]) -> dict[str, Mention]:
    """Each byline as a mention, its co-authors the name keys of the others on its work."""
    keys = {b.id: name_key(b.name) for b in bylines}
    by_work: dict[str, list[_Byline]] = {}
    for b in bylines:
        by_work.setdefault(b.record.key, []).append(b)
    return {
        b.id: Mention(
            id=b.id,
            name=b.name,
            affiliations=b.affiliations,
            coauthors=_coauthors(b, by_work[b.record.key], keys),
            year=b.record.year,
            position=b.position,
        )
        for b in bylines
    }


def _person_row(pid: str, b: _Byline) -> dict[str, Any]:
    """A person's row as its first byline names it; `_add_byline` gathers the rest."""
    return {
        "id": pid,
        "name_block": b.name.block,
        "props": {
            "name": b.record.authors[b.position],
            "name_pinyin": list(pinyin_forms(b.record.authors[b.position])[:1]),
            "source": b.record.source,
            "source_id": f"{b.record.file}#{b.record.position}",
        },
        "affiliations": [],
        "coauthors": [],
        "years": [],
    }


def _add_byline(row: dict[str, Any], b: _Byline, mention: Mention) -> None:
    """Adds the byline's institutions, co-authors and year to its person's row."""
    row["affiliations"] = sorted({*row["affiliations"], *b.affiliations})
    row["coauthors"] = sorted({*row["coauthors"], *mention.coauthors})
    if b.record.year:
        row["years"] = sorted({*row["years"], b.record.year})


def _authorship_row(
    pid: str, b: _Byline, ids: list[str], confidences: list[float]
) -> dict[str, Any]:
    return {
        "scientist_id": pid,
        "work_id": b.record.key,
        "props": {
            "position": b.position,
            "raw_author_name": b.record.authors[b.position],
            "source": b.record.source,
            "file": b.record.file,
            "unlinked_affiliation": list(b.affiliations),
            "matched_strings": list(b.affiliations),
            "matched_institution_ids": ids,
            "matched_confidences": confidences,
            "institutions_inferred": b.inferred and bool(b.affiliations),
        },
    }


def _placed(r: PaperRecord, position: int, everyone: list[str]) -> tuple[tuple[str, ...], bool]:
    """The institution names of the author at `position` and whether they are inferred: the
    record's own per-author names where the format gives them, else those every author has."""
    if r.author_institutions is not None and position < len(r.author_institutions):
        return r.author_institutions[position], False
    return tuple(everyone), True


def _everyones(authors: int | None, r: PaperRecord) -> bool:
    """Whether the record says every author lists the institution (or it names only one)."""
    return len(r.institutions) == 1 or (authors is not None and authors >= len(r.authors))


def _coauthors(b: _Byline, others: Sequence[_Byline], keys: dict[str, str]) -> frozenset[str]:
    if len(others) > MAX_COAUTHOR_EVIDENCE:
        return frozenset()
    return frozenset(keys[o.id] for o in others if o.id != b.id and keys[o.id])


def _work_row(r: PaperRecord, digest: str, unmatched: list[str]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "title": r.title,
        "publication_year": r.year,
        "doi": r.doi,
        "cited_by_count": r.cited_by_count,
        "openalex_id": r.openalex_id,
        "authors_count": len(r.authors),
        "source": r.source,
        "source_id": f"{r.file}#{r.position}",
        "venue": r.venue,
        "abstract": r.abstract,
        "unmatched_affiliations": unmatched,
    }
    return {
        "id": r.key,
        "source": r.source,
        "digest": digest,
        "props": {k: v for k, v in props.items() if v is not None},
    }


def _digest(r: PaperRecord) -> str:
    """What the record says, without where it was read (the same paper in two files is one)."""
    parts: list[object] = [
        *(r.key, r.title, r.year, r.doi, r.cited_by_count, r.authors, r.institutions, r.venue)
    ]
    if r.author_institutions is not None or r.abstract is not None:
        # Only then, so the digests of records written before these fields stay the same.
        parts += [r.author_institutions, r.abstract]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
