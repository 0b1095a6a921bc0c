"""`talentmap ingest text`: documents (plain text, Markdown, HTML; English and Chinese) through
the rule-based text pipeline into the graph, as documents, mentions and candidate facts.

For each document:

1. Its bytes are hashed: the `Document` id. A document the graph already holds (the same
   bytes, from any path) is skipped, so re-ingesting changes nothing.
2. The pipeline (ingest.text.extract), built once from the graph's own gazetteer (institutions with
   every name, alias and acronym; topics with their keywords; the static titles lexicon),
   finds people, institutions, topics, titles and years; every mention is stored with its
   offsets and confidence.
3. Institution mentions become institution ids through `resolve_institution`: the gazetteer's
   link when the name means one institution, else the affiliation matcher
   (ingest.matching.authorships) on the mention's clause, which carries the place ("Far Eastern
   University, Manila"); it abstains when unsure. The matcher is built only for a document
   with such a mention. Topic mentions link through the gazetteer.
4. People: the mentions of one name in a document are one person (a bare family name joins
   the one full name it agrees with). Each person's evidence is the institutions and topics
   in its stretch of the document (from the previous person's mention to the next one's).
   Candidates are the graph's scientists in the same name block (pinyin and hanzi aware,
   `ingest.matching.names.parse_text_name`), found through the `scientist_names` index; the
   disambiguator clusters the text person with them on names, affiliations and topics. The
   person joins the scientist it clusters with, or becomes a new scientist (`source: 'text'`,
   id from its name key and the document).
5. Candidate facts: the person is AFFILIATED_WITH the institution mentioned nearest to them
   and RESEARCHES the topics in their stretch, on edges of `source: 'text'` with confidence
   and provenance (graph.write.text). An institution the matcher resolved keeps
   `source: 'text'` too (the fact is the document's; the matcher only said which institution
   the name means), with the matcher's confidence in place of the mention's, and the
   mention's REFERS_TO evidence names the matcher and the clause it read.

A file that cannot be read or is not UTF-8 is reported with its path, quarantined under the
quarantine folder, and skipped; the other documents are still written (one transaction each).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graph.unit_of_work import Writer
from graph.write import text as repo
from ingest.errors import RecordError
from ingest.jobs import Problem, Quarantine, RawRecord
from ingest.matching.authorships import LazyMatcher, matcher_from_graph
from ingest.matching.clustering import disambiguate
from ingest.matching.evidence import Mention as NameMention
from ingest.matching.names import PersonName, name_conflict, parse_text_name
from ingest.text.extract import Entry, Gazetteer, Mention, TextPipeline, is_chinese, markup_to_text
from schema.document import TEXT_SOURCE, Document, MentionKind, TextMention, document_id
from schema.names import pinyin_forms
from schema.scientist import Scientist

SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})


def gazetteer_from_graph(writer: Writer) -> Gazetteer:
    """The pipeline's gazetteer from the graph: every institution and topic with its names."""
    institutions, topics = writer(repo.gazetteer_entities)
    return Gazetteer(
        institutions=[Entry(e.id, e.names, e.acronyms) for e in institutions if e.names],
        topics=[Entry(e.id, e.names, keywords=e.keywords) for e in topics if e.names],
    )


@dataclass(frozen=True)
class Resolved:
    """The institution an INSTITUTION mention means, how sure, and why."""

    institution_id: str
    confidence: float
    evidence: str


# Where a clause ends: a sentence end (a period before a capital or the end), or ; or a line.
# (\u3002 \uff01 \uff1f \uff1b: the full-width period, !, ? and ; of Chinese text)
_CLAUSE_END = re.compile(r"[.!?](?=\s+[A-Z\u4e00-\u9fff]|\s*$)|[\u3002\uff01\uff1f\uff1b;\n]")
_CLAUSE_REACH = 200  # characters either side of the mention, at most


def mention_clause(text: str, mention: Mention) -> tuple[int, str]:
    """The clause of the document around a mention (where its place is written) and where it
    starts in the text."""
    low = max(0, mention.start - _CLAUSE_REACH)
    ends = [m.end() for m in _CLAUSE_END.finditer(text, low, mention.start)]
    start = ends[-1] if ends else low
    after = _CLAUSE_END.search(text, mention.end, mention.end + _CLAUSE_REACH)
    end = after.start() if after else min(len(text), mention.end + _CLAUSE_REACH)
    return start, text[start:end]


def resolve_institution(
    mention: Mention, text: str = "", matcher: LazyMatcher | None = None
) -> Resolved | None:
    """The institution an INSTITUTION mention means, or None to abstain.

    The gazetteer's link when it has one (the name means exactly one institution); else the
    affiliation matcher over the mention's clause in `text`, when it names exactly one
    institution at the mention itself (not elsewhere in the clause)."""
    if mention.entity_id is not None:
        return Resolved(mention.entity_id, mention.confidence, f"{mention.rule}: {mention.text!r}")
    if matcher is None or not text:
        return None
    start, clause = mention_clause(text, mention)
    found = matcher.get()
    match = found.matcher.match(clause)
    begin, end = mention.start - start, mention.end - start
    named = {
        e.ror_id
        for e in match.evidence
        if e.start < end and e.end > begin and e.ror_id in match.ror_ids
    }
    if len(named) != 1 or (node := found.node_ids.get(next(iter(named)))) is None:
        return None
    # The mention's own confidence says the name alone was ambiguous; the matcher's says how
    # sure the name with its place is.
    return Resolved(node, match.confidence, f"matcher {match.confidence:.2f}: {clause.strip()!r}")


def document_files(paths: Iterable[Path]) -> list[Path]:
    """The documents to read: files as given, folders walked for .txt/.md/.html files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        else:
            found.append(path)
    return list(dict.fromkeys(found))


@dataclass
class TextReport:
    files: int = 0
    written: int = 0
    unchanged: int = 0
    mentions: int = 0
    new_scientists: int = 0
    linked_people: int = 0
    problems: list[Problem] = field(default_factory=list)
    quarantine_file: Path | None = None


class BadDocumentError(RecordError):
    """A document that cannot be read; the message names the reason."""

    def __init__(self, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


def read_document(path: Path) -> tuple[bytes, str]:
    """A document's bytes and its plain text; BadDocumentError when it cannot be read or decoded."""
    if path.suffix.lower() not in SUFFIXES:
        raise BadDocumentError(f"not a text document (expected {', '.join(sorted(SUFFIXES))})")
    try:
        content = path.read_bytes()
    except OSError as e:
        raise BadDocumentError(f"cannot be read: {e.strerror or e}") from e
    try:
        raw = content.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadDocumentError(
            f"not UTF-8 text: byte 0x{content[e.start]:02x} at offset {e.start} cannot be decoded",
            raw=content[:4000].decode("utf-8", "replace"),
        ) from e
    return content, markup_to_text(raw, path.suffix)


def ingest_text(
    writer: Writer,
    paths: Sequence[Path],
    *,
    quarantine_dir: Path,
    on_progress: Callable[[int, int], None] | None = None,
) -> TextReport:
    """Ingest every document under `paths`, one transaction per document."""
    files = document_files(paths)
    report = TextReport(files=len(files))
    gazetteer = gazetteer_from_graph(writer)
    pipeline = TextPipeline(gazetteer)
    matcher = LazyMatcher(lambda: matcher_from_graph(writer))
    names = {e.id: e.names[0] for e in gazetteer.institutions}
    quarantine = Quarantine(quarantine_dir, "text")
    try:
        for done, path in enumerate(files, start=1):
            try:
                content, text = read_document(path)
            except BadDocumentError as e:
                report.problems.append(Problem(path, 0, str(e)))
                quarantine.add(RawRecord(path, 0, e.raw), str(e))
            else:
                _ingest_one(writer, pipeline, matcher, names, path, content, text, report)
            if on_progress is not None:
                on_progress(done, len(files))
    finally:
        report.quarantine_file = quarantine.close()
    return report


def _ingest_one(
    writer: Writer,
    pipeline: TextPipeline,
    matcher: LazyMatcher,
    names: Mapping[str, str],
    path: Path,
    content: bytes,
    text: str,
    report: TextReport,
) -> None:
    doc_id = document_id(content)
    if writer(repo.documents_present, [doc_id]):
        report.unchanged += 1
        return
    found = pipeline.extract(text)
    document = Document(
        id=doc_id,
        path=str(path.resolve()),
        title=next((line.strip()[:200] for line in text.splitlines() if line.strip()), None),
        language="zh" if is_chinese(text) else "en",
        sha256=hashlib.sha256(content).hexdigest(),
        chars=len(text),
        ingested_at=datetime.now(UTC),
    )
    facts = DocumentReader(writer, doc_id, found, names, text, matcher).facts(document)
    writer(repo.write_document, facts)
    report.written += 1
    report.mentions += len(facts.mentions)
    report.new_scientists += len(facts.new_scientists)
    report.linked_people += len(facts.people)


def mention_id(document: str, mention: Mention) -> str:
    return TextMention.key(document, mention.start, mention.end)


@dataclass
class _Person:
    """The mentions of one name in a document."""

    mentions: list[Mention]
    name: PersonName

    @property
    def written(self) -> str:
        """The fullest form the document writes the name in."""
        return max((m.text for m in self.mentions), key=len)


class DocumentReader:
    """Turns one document's mentions into links and candidate facts."""

    def __init__(
        self,
        writer: Writer,
        document: str,
        mentions: Sequence[Mention],
        names: Mapping[str, str],
        text: str = "",
        matcher: LazyMatcher | None = None,
    ) -> None:
        """`names`: each institution's main name, the text the disambiguator compares with the
        candidates' affiliations (the graph's names of their institutions); `text` (the
        document's plain text) and `matcher` resolve institution names the gazetteer cannot."""
        self._writer = writer
        self._names = names
        self._doc = document
        self._mentions = mentions
        self._institutions = {
            mention_id(document, m): iid
            for m in mentions
            if m.kind == MentionKind.INSTITUTION
            and (iid := resolve_institution(m, text, matcher)) is not None
        }

    def facts(self, document: Document) -> repo.DocumentFacts:
        doc = self._doc
        stored = [
            TextMention(
                id=mention_id(doc, m),
                document_id=doc,
                start=m.start,
                end=m.end,
                text=m.text,
                kind=m.kind,
                confidence=m.confidence,
                rule=m.rule,
                entity_key=m.entity_id if m.kind in {MentionKind.TITLE, MentionKind.YEAR} else None,
            )
            for m in self._mentions
        ]
        institutions = [
            repo.Link(key, r.institution_id, r.confidence, r.evidence)
            for m in self._mentions
            if (r := self._institutions.get(key := mention_id(doc, m))) is not None
        ]
        topics = [
            repo.Link(mention_id(doc, m), m.entity_id, m.confidence, f"{m.rule}: {m.text!r}")
            for m in self._mentions
            if m.kind == MentionKind.TOPIC and m.entity_id is not None
        ]
        people, new, affiliations, research, forms = self._people()
        return repo.DocumentFacts(
            document=document,
            mentions=stored,
            new_scientists=new,
            people=people,
            institutions=institutions,
            topics=topics,
            affiliations=affiliations,
            research=research,
            name_forms=forms,
        )

    # --- people ----------------------------------------------------------------------------

    def _group(self) -> list[_Person]:
        """One person per full name; initials and bare family names join the single person
        they agree with, and are left out when none or several do."""
        persons: list[_Person] = []
        partial: list[tuple[Mention, PersonName]] = []
        for m in (m for m in self._mentions if m.kind == MentionKind.PERSON):
            name = parse_text_name(m.text)
            if not name.family:
                continue
            if not name.full_given:
                partial.append((m, name))
                continue
            same = [p for p in persons if p.name.block == name.block
                    and p.name.full_given == name.full_given]  # fmt: skip
            if same:
                same[0].mentions.append(m)
            else:
                persons.append(_Person([m], name))
        for m, name in partial:
            fits = [
                p
                for p in persons
                if p.name.family == name.family
                and (not name.given or name_conflict(p.name, name) is None)
            ]
            if len(fits) == 1:
                fits[0].mentions.append(m)
            elif not fits and name.given:
                persons.append(_Person([m], name))  # "W. Zhang" alone: a person still
        return persons

    def _stretch(self, person: _Person) -> list[Mention]:
        """The institution and topic mentions in this person's stretches of the document:
        from the previous other person's mention to the next one's."""
        own = {id(m) for m in person.mentions}
        others = sorted(
            (m for m in self._mentions if m.kind == MentionKind.PERSON and id(m) not in own),
            key=lambda m: m.start,
        )
        found: list[Mention] = []
        for m in self._mentions:
            if m.kind not in {MentionKind.INSTITUTION, MentionKind.TOPIC}:
                continue
            for p in person.mentions:
                low = max((o.end for o in others if o.end <= p.start), default=0)
                high = min((o.start for o in others if o.start >= p.end), default=math.inf)
                if low <= m.start and m.end <= high:
                    found.append(m)
                    break
        return found

    def _people(
        self,
    ) -> tuple[
        list[repo.Link], list[Scientist], list[repo.Fact], list[repo.Fact], list[repo.NameForms]
    ]:
        persons = self._group()
        if not persons:
            return [], [], [], [], []
        queries = {id(p): name_query(p.name) for p in persons}
        candidates = self._writer(
            repo.scientist_candidates, sorted({q for q in queries.values() if q})
        )
        links: list[repo.Link] = []
        created: list[Scientist] = []
        affiliations: list[repo.Fact] = []
        research: list[repo.Fact] = []
        forms: list[repo.NameForms] = []
        names = self._names
        for person in persons:
            stretch = self._stretch(person)
            place = [m for m in stretch if mention_id(self._doc, m) in self._institutions]
            topics = [m for m in stretch if m.kind == MentionKind.TOPIC and m.entity_id]
            ids = [self._institutions[mention_id(self._doc, m)].institution_id for m in place]
            match = self._match(
                person,
                candidates.get(queries[id(person)], []),
                tuple(dict.fromkeys(names.get(i, i) for i in ids)),
                frozenset(m.entity_id for m in topics if m.entity_id),
            )
            if match is None:
                scientist = self._new_scientist(person, place)
                created.append(scientist)
                target, confidence, evidence = scientist.id, _person_confidence(person), "new"
            else:
                target, confidence, evidence = match
                written = tuple(sorted({m.text for m in person.mentions}))
                pinyin = tuple(sorted({p for w in written for p in pinyin_forms(w)}))
                forms.append(repo.NameForms(target, written, pinyin))
            person_ids = tuple(mention_id(self._doc, m) for m in person.mentions)
            links.extend(repo.Link(key, target, confidence, evidence) for key in person_ids)
            if place:
                nearest = min(place, key=lambda m: _distance(m, person.mentions))
                resolved = self._institutions[mention_id(self._doc, nearest)]
                affiliations.append(
                    repo.Fact(
                        target,
                        resolved.institution_id,
                        round(confidence * resolved.confidence, 3),
                        (*person_ids, mention_id(self._doc, nearest)),
                    )
                )
            by_topic: dict[str, list[Mention]] = {}
            for m in topics:
                by_topic.setdefault(str(m.entity_id), []).append(m)
            for topic, seen in sorted(by_topic.items()):
                research.append(
                    repo.Fact(
                        target,
                        topic,
                        round(confidence * max(m.confidence for m in seen), 3),
                        (*person_ids, *(mention_id(self._doc, m) for m in seen)),
                    )
                )
        return links, created, affiliations, research, forms

    def _match(
        self,
        person: _Person,
        candidates: Sequence[repo.Candidate],
        affiliations: tuple[str, ...],
        topics: frozenset[str],
    ) -> tuple[str, float, str] | None:
        """The existing scientist the person clusters with: (id, confidence, evidence)."""
        pool: list[NameMention] = []
        for c in candidates:
            name = _compatible_name(c.names, person.name)
            if name is not None:
                pool.append(
                    NameMention(
                        id=c.id, name=name, affiliations=c.affiliations,
                        topics=frozenset(c.topic_ids),
                    )
                )  # fmt: skip
        if not pool:
            return None
        own = NameMention(
            id=f"\0{self._doc}", name=person.name, affiliations=affiliations, topics=topics
        )
        for group in disambiguate([*pool, own]):
            if own.id not in group.mention_ids:
                continue
            joined = [x for x in group.mention_ids if x != own.id]
            if not joined:
                return None
            decision = next(
                (d for d in group.decisions if own.id in d.left or own.id in d.right), None
            )
            score = decision.score if decision is not None else 0.0
            confidence = 1.0 if math.isinf(score) else 1 / (1 + math.exp(-score))
            why = (
                f"{decision.kind.value} {score:.2f}: "
                + "; ".join(e.detail for e in decision.evidence)
                if decision is not None
                else "same name"
            )
            shared = {c.id: len(set(c.affiliations) & set(affiliations)) for c in candidates}
            best = max(sorted(joined), key=lambda x: shared.get(x, 0))
            return best, round(_person_confidence(person) * confidence, 3), why
        return None

    def _new_scientist(self, person: _Person, place: Sequence[Mention]) -> Scientist:
        institutions = sorted(
            {self._institutions[mention_id(self._doc, m)].institution_id for m in place}
        )
        key = "|".join([person.name.block, person.name.full_given or "", self._doc, *institutions])
        written = person.written
        others = sorted({m.text for m in person.mentions} - {written})
        return Scientist(
            id="text-" + hashlib.sha256(key.encode()).hexdigest()[:16],
            source=TEXT_SOURCE,
            name=written,
            alternative_names=tuple(others),
            name_pinyin=pinyin_forms(written),
        )


def name_query(name: PersonName) -> str:
    """A Lucene query for the `scientist_names` index that finds every name of the block:
    the family name, a given name starting with its initial, the full given name preferred.
    Only folded letters go in, so no query syntax can."""
    if not name.family or not name.given:
        return ""
    query = f"+{name.family} +{name.given[0][0]}*"
    return f"{query} {name.full_given}" if name.full_given else query


def _compatible_name(names: Iterable[str], wanted: PersonName) -> PersonName | None:
    """The candidate's name that agrees with `wanted` (same block, no conflict), fullest first."""
    fits = [
        parsed
        for n in names
        if (parsed := parse_text_name(n)).block == wanted.block
        and name_conflict(parsed, wanted) is None
    ]
    return max(fits, key=lambda n: (bool(n.full_given), len(n.given)), default=None)


def _person_confidence(person: _Person) -> float:
    return max(m.confidence for m in person.mentions)


def _distance(m: Mention, others: Sequence[Mention]) -> int:
    return min(max(m.start - o.end, o.start - m.end, 0) for o in others)
