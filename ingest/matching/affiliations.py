"""Affiliation strings to ROR institutions: a gazetteer matcher that abstains when unsure.

- Registry: one `Entry` per ROR institution (every name: display, labels in each language,
  aliases, acronyms; ROR parents; city and country), built from the schema models that
  `ingest.ror.records` makes of a dump, or from the graph (`graph.write.affiliation`). Names
  are also read without a leading "the", Italian universities without "degli Studi", a campus
  named by its system's name with "at" ("State University of New York at Stony Brook"), a
  university named by its city alone in other languages ("Universität Würzburg"), and a
  name without ROR's country qualifier ("Fate Therapeutics (United States)"), which counts
  only with the city; a label written as an acronym ("CERN") is one.
- Candidates: spaCy's tokenizer and a `PhraseMatcher` on a normalised token form (accents
  folded, lower case, common abbreviations such as Univ., Inst., Natl., Sci. expanded), plus
  a substring scan for names in Chinese or Japanese script; segments of the string (split on
  commas and semicolons) that name no institution exactly are scored against names sharing
  their rarest word with rapidfuzz (typos, other abbreviations; a segment needs a word of an
  institution's name, "Universiät" counting as one), and so are segments whose
  names all extend to a longer name, words in any order ("Medical University of Innsbruck").
- Decision: a name several institutions share is settled by the city, then the country, the
  string names, then by the one above the others (EMBL, not its sites), then by a unit or
  parent of one of them the string names too; acronyms, one-word
  aliases and generic unit names (Department of Earth Sciences) count only with the city, and
  so does a name ending other institutions' names (University Hospital) when a word of a
  longer name stands before it ("Tubingen University Hospital", see `TAIL_NAMES`);
  overlapping spans keep the longest (a child named inside its parent's name gives the
  child), but a name read across a comma loses to a segment's own name, and a name whose
  first words end another name loses to it (Seoul National University College of ...); a
  name whose words go on through a connector into a capitalised word is the start of a
  longer name the registry lacks and is not read ("Nanjing University of the Arts"), unless
  what follows names an institution above it or of its country, or a country; a city inside
  a name several share does not tell them apart ("York University"), and a name that is one
  institution's own and others' alias means the first (unless of common words); names left
  ambiguous, weak fuzzy scores, contradicted countries, and an institution (not a
  university) placed only by country in one of its units' cities abstain, and so do
  strings naming more than `MAX_INSTITUTIONS` (lists, not affiliations). Names placed by
  city or country win over unplaced ones, and beside a university an unplaced name of common
  words (Center for Translational Medicine) is dropped. Precision first.
- Hierarchy: of an institution and one above it (a ROR ancestor, or named in its name, as
  "... School of Medicine at the University of Pennsylvania"; also a unit's name holding its
  ROR ancestor's, as "University of Michigan Medical School"), only the one above is
  returned, as ROR's gold sets label it; so is "<institution> School of ..." in its city.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import spacy
from rapidfuzz import fuzz, process
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from ingest.matching.fold import fold
from ingest.ror.records import RorRecord, parse_record, read_dump
from schema.institution import RorRelationKind

ROR_URL = "https://ror.org/"

# Abbreviations seen in affiliation strings, expanded before matching (after accent folding
# and lower-casing; a trailing period is dropped by the tokenisation).
ABBREVIATIONS: Mapping[str, str] = {
    "univ": "university",
    "universiy": "university",
    "uni": "university",
    "inst": "institute",
    "instit": "institute",
    "dept": "department",
    "dep": "department",
    "natl": "national",
    "nat": "national",
    "sci": "sciences",
    "science": "sciences",
    "technol": "technology",
    "tech": "technology",
    "lab": "laboratory",
    "labs": "laboratories",
    "acad": "academy",
    "coll": "college",
    "ctr": "center",
    "cent": "center",
    "centre": "center",
    "hosp": "hospital",
    "med": "medical",
    "res": "research",
    "engn": "engineering",
    "eng": "engineering",
    "comput": "computer",
    "chem": "chemistry",
    "phys": "physics",
    "int": "international",
    "intl": "international",
    "fed": "federal",
    "st": "saint",
    "mt": "mount",
    "&": "and",
}

# Countries as strings write them, beyond ROR's country names (folded, lower case).
COUNTRY_ALIASES: Mapping[str, tuple[str, ...]] = {
    "US": ("usa", "u s a", "u s", "united states", "united states of america", "america"),
    "GB": ("uk", "u k", "united kingdom", "england", "scotland", "wales", "great britain"),
    "CN": ("china", "p r china", "pr china", "peoples republic of china", "prc"),
    "KR": ("korea", "south korea", "republic of korea", "rep of korea"),
    "RU": ("russia", "russian federation"),
    "IR": ("iran",),
    "TW": ("taiwan",),
    "CZ": ("czech republic", "czechia"),
    "NL": ("netherlands", "the netherlands", "holland"),
    "DE": ("germany", "deutschland"),
    "VN": ("vietnam", "viet nam"),
    "HK": ("hong kong",),
}

# "University" in the languages of the registry's names (folded).
_UNIVERSITY = (
    "university",
    "universidad",
    "universidade",
    "universite",
    "universitat",
    "universita",
    "universiteit",
)
# How a university named by its city alone is written in the registry's languages.
_TOWN_UNIVERSITY = (
    "universitat {}",
    "universite de {}",
    "universita di {}",
    "universidad de {}",
    "universidade de {}",
    "universiteit {}",
)
# Words an institution's name has; a segment with none is not scored fuzzily.
_INSTITUTION_WORDS = frozenset(
    [
        *_UNIVERSITY,
        "institute",
        "institut",
        "instituto",
        "istituto",
        "college",
        "academy",
        "hospital",
        "school",
        "center",
        "laboratory",
        "laboratories",
        "foundation",
        "council",
        "agency",
        "ministry",
        "observatory",
        "museum",
        "polytechnic",
        "politecnico",
        "corporation",
        "company",
        "inc",
        "ltd",
        "gmbh",
        "clinic",
        "organization",
    ]
)
# Words that make a name a university's or a hospital's (not a unit's or a generic one).
_UNIVERSITY_WORDS = frozenset(
    [
        *_UNIVERSITY,
        "universiti",
        "universitas",
        "college",
        "hospital",
        "polytechnic",
        "politecnico",
    ]
)
# Words that tie a name to the words before it ("Laboratory of <name>").
_CONNECTORS = frozenset(["of", "for", "on", "de", "di", "du", "des", "del", "della", "der", "fur"])
_STOPWORDS = frozenset(["of", "the", "and", "for", "de", "di", "du", "des", "la", "le", "et", "y"])
# Articles between a connector and a name's next word ("University of the Arts").
_ARTICLES = frozenset(["the", "la", "le", "les", "l", "el", "il", "der", "die", "das"])
# Words that join a name to a longer one without being part of a proper name ("... at Harvard
# University"), unlike "Tubingen" in "Tubingen University Hospital".
_TIES = _CONNECTORS | _STOPWORDS | {"at"}
# A name ending at least this many longer names after a word of theirs (University Hospital,
# Cancer Research Center) is often the tail of a name the registry lacks: after such a word
# in the string ("Tubingen University Hospital"), it counts only with its city.
TAIL_NAMES = 3
# A word in at least this many registry names is common; a name of common words only
# (Department of Earth Sciences) is generic.
GENERIC_FREQUENCY = 50
# A string naming more institutions is a list (acknowledgements, a consortium), not an
# affiliation: the matcher abstains.
MAX_INSTITUTIONS = 3
# The words a unit's name starts with ("Department of Earth Sciences").
_UNIT_WORDS = frozenset(
    ["department", "division", "section", "unit", "faculty", "school", "program", "programme"]
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Replaced by spaces before tokenising (offsets stay the same): punctuation names vary on.
# Commas and semicolons too: a name may hold one ("University of California, Berkeley"), and
# the longest name wins.
_BLANKS = str.maketrans(
    {c: " " for c in ".-'\u2019`\"()[]/:_+*,;#\u2010\u2011\u2012\u2013\u2014\u2015"}
)
_SEGMENT = re.compile(r"[,;\n]+")
# ROR's qualifier at the end of a name: "Microsoft (United States)"
_QUALIFIER = re.compile(r"\s*\(([^()]*)\)\s*$")
# A label written as an acronym is one ("CERN")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,7}")
_WORD = re.compile(r"[^\W_]+")

MIN_CONFIDENCE = 0.6


def norm_token(token: str) -> str:
    folded = fold(token)
    return ABBREVIATIONS.get(folded, folded)


@functools.lru_cache(maxsize=65536)
def _institution_word(word: str) -> bool:
    """Whether a word is one of an institution's name (misspelt: "Universiät")."""
    return word in _INSTITUTION_WORDS or (
        len(word) >= 6
        and process.extractOne(word, _INSTITUTION_WORDS, scorer=fuzz.ratio, score_cutoff=85)
        is not None
    )


def _one_word(key: str) -> bool:
    """Whether a normalised name has one word, a possessive's "s" not counted ("king s")."""
    return sum(len(w) > 1 for w in key.split()) <= 1


def _short_forms(key: str) -> list[str]:
    """The forms a normalised name is also written in: without a leading "the", an Italian
    university without "degli studi" ("universita di torino")."""
    forms = []
    if key.startswith("the ") and " " in key[4:]:
        forms.append(key[4:])
    if " degli studi " in key:
        forms.append(key.replace(" degli studi ", " "))
    return forms


def _unqualified(entry: Entry) -> str | None:
    """A name without ROR's country qualifier ("Fate Therapeutics (United States)")."""
    found = _QUALIFIER.search(entry.name)
    if found is None or fold(found.group(1)) != fold(entry.country_name or ""):
        return None
    return " ".join(norm_words(entry.name[: found.start()])) or None


def norm_words(text: str) -> list[str]:
    """The normalised words of a text (what names and segments are compared on)."""
    words = (norm_token(w) for w in _WORD.findall(text.replace("&", " and ")))
    return [w for w in words if w]


@dataclass(frozen=True)
class Entry:
    """One institution of the registry."""

    ror_id: str
    name: str
    labels: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    city: str | None = None
    country_code: str | None = None
    country_name: str | None = None
    active: bool = True

    @property
    def url(self) -> str:
        return ROR_URL + self.ror_id

    @classmethod
    def from_ror(cls, record: RorRecord) -> Entry:
        inst = record.institution
        assert inst.ror_id is not None  # every ROR record has one
        return cls(
            ror_id=inst.ror_id,
            name=inst.name,
            labels=inst.labels,
            aliases=inst.aliases,
            acronyms=inst.acronyms,
            parents=tuple(
                r.related_id for r in record.relations if r.kind is RorRelationKind.PARENT
            ),
            city=inst.city,
            country_code=inst.country_code,
            country_name=inst.country_name,
            active=inst.status in (None, "active"),
        )

    @classmethod
    def from_graph(cls, row: Mapping[str, Any]) -> Entry:
        return cls(
            ror_id=row["ror_id"],
            name=row["name"],
            labels=tuple(row.get("labels") or ()),
            aliases=tuple(row.get("aliases") or ()),
            acronyms=tuple(row.get("acronyms") or ()),
            parents=tuple(sorted(row.get("parents") or ())),
            city=row.get("city"),
            country_code=row.get("country_code"),
            country_name=row.get("country_name"),
            active=row.get("status") in (None, "active"),
        )


def entries_from_dumps(paths: Iterable[Path]) -> list[Entry]:
    """Registry entries from ROR dumps as published; the first record of an id wins (give the
    v2 dump before the v1 legacy one)."""
    seen: dict[str, Entry] = {}
    for path in paths:
        for raw in read_dump(path):
            entry = Entry.from_ror(parse_record(raw))
            seen.setdefault(entry.ror_id, entry)
    return list(seen.values())


@dataclass(frozen=True)
class Evidence:
    ror_id: str
    span: str  # the text of the string that names it
    start: int
    end: int
    name: str  # the registry name it matched
    kind: str  # name, acronym, cjk or fuzzy
    score: float  # 1.0 for exact matches, the fuzzy ratio / 100 otherwise
    location: str  # city, country, none or conflict


@dataclass(frozen=True)
class Match:
    affiliation: str
    ror_ids: tuple[str, ...]
    confidence: float  # the lowest of its institutions' (0 when it abstains)
    evidence: tuple[Evidence, ...] = ()

    @property
    def urls(self) -> list[str]:
        return [ROR_URL + x for x in self.ror_ids]


@dataclass
class _Candidate:
    start: int
    end: int
    name: str
    kind: str
    score: float
    entries: list[int] = field(default_factory=list)
    # where a capitalised word of a longer name before it ends ("Tubingen ..."), if one does
    extended_from: int | None = None
    # where the proper words of a longer name after it start and its segment ends ("Nanjing
    # University of Posts and Telecommunications"), if they do
    continued: tuple[int, int] | None = None

    @property
    def extended(self) -> bool:
        return self.extended_from is not None


class _Choice(NamedTuple):
    """A candidate read as the one institution it means."""

    candidate: _Candidate
    entry: int  # its index in the registry
    confidence: float
    location: str  # city, country, none or conflict

    @property
    def placed(self) -> bool:
        """Placed by the city or country the string names, and found by a name, not an
        acronym."""
        return self.location in ("city", "country") and self.candidate.kind != "acronym"


def _partial(a: _Candidate, b: _Candidate) -> bool:
    """Whether two spans overlap without one holding the other."""
    overlap = a.start < b.end and b.start < a.end
    holds = (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end)
    return overlap and not holds


class Matcher:
    """Built once from registry entries (building takes a few seconds for all of ROR)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self.by_id = {e.ror_id: i for i, e in enumerate(self.entries)}
        self._ancestors: dict[int, frozenset[int]] = {}
        self._descendant_cities: dict[int, frozenset[str]] = {}
        self.nlp = spacy.blank("en")
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="NORM")
        self.names: dict[str, dict[int, str]] = {}  # normalised name -> entry -> kind
        self.acronyms: dict[str, set[int]] = {}  # exact acronym -> entries
        self.cjk: dict[str, set[int]] = {}
        self.keys_of: dict[int, set[str]] = {}  # entry -> its multi-word name keys
        places = self._places()
        for i, e in enumerate(self.entries):
            self._add_names(i, e, places)
        self._add_town_universities()
        self._add_campus_forms()
        self.phrases.add("NAME", [Doc(self.nlp.vocab, words=k.split()) for k in self.names])
        self.phrases.add("ACRONYM", [Doc(self.nlp.vocab, words=[a.lower()]) for a in self.acronyms])
        self.frequency = self._word_frequency()
        self.vocabulary = sorted(self.frequency)
        self.block = self._fuzzy_blocks()
        self.children = self._children()
        self.tails = self._tails()
        self.countries = self._country_spellings()

    def _places(self) -> set[str]:
        """Every city and country of the registry, normalised: names that are no institution."""
        places: set[str] = set()
        for e in self.entries:
            for place in (e.city, e.country_name):
                if place:
                    places.add(" ".join(norm_words(place)))
        for aliases in COUNTRY_ALIASES.values():
            places.update(aliases)
        return places

    def _add_names(self, i: int, e: Entry, places: set[str]) -> None:
        """Index an entry's names, short forms, name without country qualifier and acronyms."""
        acronyms = set(e.acronyms)
        for kind, names in (("name", (e.name, *e.labels)), ("alias", e.aliases)):
            for name in names:
                if _CJK.search(name):
                    if len(name) >= 3:
                        self.cjk.setdefault(name, set()).add(i)
                    continue
                if _ACRONYM.fullmatch(name):
                    acronyms.add(name)  # "CERN" given as a label
                key = " ".join(norm_words(name))
                # one-word names must be distinctive; a place name is not an institution
                if not key or key in places or (_one_word(key) and len(key) < 5):
                    continue
                self.names.setdefault(key, {}).setdefault(i, kind)
                if not _one_word(key):
                    self.keys_of.setdefault(i, set()).add(key)
                for short in _short_forms(key):
                    self.names.setdefault(short, {}).setdefault(i, kind)
        bare = _unqualified(e)
        if bare and bare not in places and not _one_word(bare):
            self.names.setdefault(bare, {}).setdefault(i, "unqualified")
        for acronym in acronyms:
            if len(acronym) >= 2 and not _CJK.search(acronym):
                self.acronyms.setdefault(acronym, set()).add(i)

    def _add_town_universities(self) -> None:
        """A university named by its city alone, in the other languages' forms ("Universität
        Würzburg" for the University of Würzburg), where no institution has that name."""
        towns: dict[str, set[int]] = {}
        for i, e in enumerate(self.entries):
            city = " ".join(norm_words(e.city or ""))
            if city and " ".join(norm_words(e.name)) in (
                f"university of {city}",
                f"{city} university",
            ):
                for form in _TOWN_UNIVERSITY:
                    towns.setdefault(form.format(city), set()).add(i)
        for key, found in towns.items():
            if key not in self.names and len(found) == 1:
                self.names[key] = {found.pop(): "name"}

    def _add_campus_forms(self) -> None:
        """A campus named by its system's name and its place is also written with "at" ("State
        University of New York at Stony Brook")."""
        campuses: list[tuple[str, int, str]] = []
        for key, named in self.names.items():
            words = key.split()
            for i, kind in named.items():
                above = self.ancestors(i)
                for at in range(2, len(words)):
                    if above.intersection(self.names.get(" ".join(words[:at]), ())):
                        campuses.append((" ".join([*words[:at], "at", *words[at:]]), i, kind))
        for key, i, kind in campuses:
            self.names.setdefault(key, {}).setdefault(i, kind)

    def _word_frequency(self) -> dict[str, int]:
        """In how many names each word stands."""
        frequency: dict[str, int] = {}
        for key in self.names:
            for word in set(key.split()):
                frequency[word] = frequency.get(word, 0) + 1
        return frequency

    def _fuzzy_blocks(self) -> dict[str, list[str]]:
        """Fuzzy blocking: each name under its rarest word."""
        block: dict[str, list[str]] = {}
        for key in self.names:
            rare = min(key.split(), key=lambda w: (self.frequency[w], w))
            block.setdefault(rare, []).append(key)
        return block

    def _children(self) -> dict[int, list[int]]:
        children: dict[int, list[int]] = {}
        for i, e in enumerate(self.entries):
            for parent in e.parents:
                if parent in self.by_id and self.by_id[parent] != i:
                    children.setdefault(self.by_id[parent], []).append(i)
        return children

    def _tails(self) -> dict[str, int]:
        """Name -> how many longer names of other institutions (not its units) it ends, see
        TAIL_NAMES."""
        tails: dict[str, int] = {}
        for key, named in self.names.items():
            words = key.split()
            for at in range(1, len(words) - 1):
                tail = " ".join(words[at:])
                ending = self.names.get(tail)
                if words[at - 1] in _TIES or ending is None:
                    continue
                if not any(self.ancestors(i).intersection(ending) for i in named):
                    tails[tail] = tails.get(tail, 0) + 1
        return tails

    def _country_spellings(self) -> dict[str, set[str]]:
        """Each spelling of a country (its name, its aliases) -> the country codes it means."""
        countries: dict[str, set[str]] = {}
        for e in self.entries:
            if e.country_code and e.country_name:
                spellings = {" ".join(norm_words(e.country_name))}
                spellings.update(COUNTRY_ALIASES.get(e.country_code, ()))
                for n in spellings:
                    countries.setdefault(n, set()).add(e.country_code)
        return countries

    @classmethod
    def from_dumps(cls, paths: Iterable[Path]) -> Matcher:
        return cls(entries_from_dumps(paths))

    # --- matching --------------------------------------------------------------------------

    def match(self, affiliation: str) -> Match:
        text = affiliation
        words = " " + " ".join(norm_words(text)) + " "
        spellings = [n for n in self.countries if f" {n} " in words]  # of countries named
        candidates = self._phrase_candidates(text) + self._cjk_candidates(text)
        candidates += self._fuzzy_candidates(text, candidates)
        chosen = self._choices(text, words, spellings, candidates)
        kept = self._longest(self._read_whole(text, chosen))
        kept = self._topmost(self._placed_first(kept, candidates))
        kept.sort(key=lambda c: c.candidate.start)
        return self._result(affiliation, kept)

    def _choices(
        self, text: str, words: str, spellings: list[str], candidates: list[_Candidate]
    ) -> list[_Choice]:
        """Each candidate that means one institution, read against the places the string
        names."""
        mentioned = self._countries(words, spellings)
        # the institutions names in the string mean unambiguously
        named = {c.entries[0] for c in candidates if len(c.entries) == 1 and c.kind != "acronym"}
        chosen: list[_Choice] = []
        for cand in candidates:
            # a country in the name itself ("Georgia Institute of Technology") contradicts
            # nothing, and a city in it does not tell namesakes apart ("York University")
            before, after = norm_words(text[: cand.start]), norm_words(text[cand.end :])
            around = f" {' '.join(before)} | {' '.join(after)} "
            elsewhere = self._countries(around, spellings) if spellings else set()
            decided = self._decide(
                cand, (words, around), mentioned, elsewhere, named - set(cand.entries)
            )
            if decided is not None:
                chosen.append(decided)
        return chosen

    def _read_whole(self, text: str, chosen: list[_Choice]) -> list[_Choice]:
        """The choices left when names inside other names are read as part of them."""
        # a name read across a comma loses to a name within a segment that it only
        # overlaps: "School of Health Sciences, University of Skovde"
        inner = [
            c for c in chosen if not _SEGMENT.search(text[c.candidate.start : c.candidate.end])
        ]
        chosen = [
            c
            for c in chosen
            if not _SEGMENT.search(text[c.candidate.start : c.candidate.end])
            or not any(_partial(c.candidate, k.candidate) for k in inner)
        ]
        # a unit named by its institution's name and a unit word ("Stanford University
        # School of Medicine") means the institution when the two share a city
        chosen = [
            c
            for c in chosen
            if not any(self._unit_of(c, s) or self._unit_around(c, s) for s in chosen)
        ]
        # a name whose first words end another name is read into it: "Seoul National
        # University College of Medicine" does not name a National University College
        return [
            c
            for c in chosen
            if not c.candidate.extended
            or not any(
                k.candidate.start < c.candidate.start < k.candidate.end < c.candidate.end
                for k in chosen
            )
        ]

    @staticmethod
    def _longest(chosen: list[_Choice]) -> list[_Choice]:
        """Of overlapping spans, the longest (then the surest)."""
        chosen.sort(key=lambda c: (-(c.candidate.end - c.candidate.start), -c.confidence))
        kept: list[_Choice] = []
        for c in chosen:
            if all(
                c.candidate.end <= k.candidate.start or c.candidate.start >= k.candidate.end
                for k in kept
            ):
                kept.append(c)
        return kept

    def _placed_first(self, kept: list[_Choice], candidates: list[_Candidate]) -> list[_Choice]:
        """With institutions the string places, unplaced names are sub-units or namesakes (a
        "Centre for Computational Biology" of some other university), and acronyms are only a
        fallback."""
        if any(k.placed for k in kept):
            kept = [k for k in kept if k.placed]
        # Beside a university (also one the matcher cannot tell from a namesake), an unplaced
        # name of common words is one of its units or a namesake ("Center for Translational
        # Medicine, Koc University")
        universities = [
            c.entries
            for c in candidates
            if c.kind == "name" and all(self._university(i) for i in c.entries)
        ]
        if universities:
            kept = [
                k
                for k in kept
                if k.location != "none"
                or self._university(k.entry)
                or not self._common(k.candidate.name)
                or any(self._related(k.entry, u) for found in universities for u in found)
            ]
        return kept

    def _topmost(self, kept: list[_Choice]) -> list[_Choice]:
        """Of an institution and one above it (a lab and its university): the one above, as
        ROR's gold sets label it."""
        indexes = {k.entry for k in kept}
        return [k for k in kept if not any(self._above(j, k.entry) for j in indexes)]

    def _result(self, affiliation: str, kept: list[_Choice]) -> Match:
        ids: dict[str, float] = {}
        evidence = []
        for cand, index, confidence, location in kept:
            if confidence < MIN_CONFIDENCE:
                continue
            entry = self.entries[index]
            ids[entry.ror_id] = max(confidence, ids.get(entry.ror_id, 0.0))
            evidence.append(
                Evidence(
                    entry.ror_id,
                    affiliation[cand.start : cand.end],
                    cand.start,
                    cand.end,
                    cand.name,
                    cand.kind,
                    cand.score,
                    location,
                )
            )
        if not ids or len(ids) > MAX_INSTITUTIONS:
            return Match(affiliation, (), 0.0, tuple(evidence))
        return Match(affiliation, tuple(ids), round(min(ids.values()), 3), tuple(evidence))

    def _doc(self, text: str) -> tuple[Doc, list[tuple[int, int]]]:
        """The string's tokens (punctuation that names vary on blanked out, spaces dropped)
        with their normalised forms, and each token's character offsets."""
        tokens = [t for t in self.nlp.make_doc(text.translate(_BLANKS)) if not t.is_space]
        doc = Doc(self.nlp.vocab, words=[t.text for t in tokens])
        for token in doc:
            token.norm_ = norm_token(token.text) or token.lower_
        return doc, [(t.idx, t.idx + len(t)) for t in tokens]

    def _phrase_candidates(self, text: str) -> list[_Candidate]:
        doc, offsets = self._doc(text)
        found = []
        for label, start, end in self.phrases(doc):
            span = doc[start:end]
            begin, finish = offsets[start][0], offsets[end - 1][1]
            if self.nlp.vocab.strings[label] == "ACRONYM":
                if span.text in self.acronyms:
                    found.append(
                        _Candidate(
                            begin,
                            finish,
                            span.text,
                            "acronym",
                            1.0,
                            sorted(self.acronyms[span.text]),
                        )
                    )
                continue
            key = " ".join(t.norm_ for t in span)
            entries = self.names.get(key)
            if entries is None:
                continue
            if _one_word(key) and span.text.islower():
                continue  # a one-word name in lower case is a common word ("iFLYTEK" is not)
            if start > 0 and self._object_of(key, text, begin):
                continue
            extended = start > 0 and self._extends(
                doc[start - 1], text[offsets[start - 1][1] : begin]
            )
            found.append(_Candidate(begin, finish, key, "name", 1.0, sorted(entries)))
            found[-1].extended_from = offsets[start - 1][1] if extended else None
            found[-1].continued = self._continued(doc, offsets, end, text)
        # a word before a name that ends another name is that name's ("Perelman School of
        # Medicine University of Pennsylvania")
        ends = {c.end for c in found if c.kind == "name"}
        for c in found:
            if c.extended_from in ends:
                c.extended_from = None
        # a name whose words go on into a name the registry lacks is not read as that name
        # ("Nanjing University of the Arts" is not Nanjing University), unless what follows
        # names an institution above it or of its country ("Institute of Automation of the
        # Chinese Academy of Sciences", not "Biomedical Research Foundation [Little Rock] of
        # the Academy of Athens")
        return [c for c in found if c.continued is None or self._unit_of_next(c, found)]

    def _unit_of_next(self, cand: _Candidate, found: list[_Candidate]) -> bool:
        """Whether a candidate's name goes on into the name of an institution above it, or of
        one in its country (ROR often lacks the link: "Institute for Nuclear Research of the
        Hungarian Academy of Sciences", "Broad Institute of Harvard and MIT")."""
        begin, end = cand.continued or (0, 0)
        after = [j for c in found if begin <= c.start < end for j in c.entries]
        return any(
            j in self.ancestors(i)
            or self.entries[i].country_code in (None, self.entries[j].country_code)
            for i in cand.entries
            for j in after
        )

    def _continued(
        self, doc: Doc, offsets: list[tuple[int, int]], end: int, text: str
    ) -> tuple[int, int] | None:
        """Where a name's words go on past it in its segment, through a connector and an
        article, with a capitalised word that is no country ("... University of the Arts",
        not "National Research Council of Italy"): that word's offset and the segment's
        end."""
        at = end
        if at >= len(doc) or doc[at].norm_ not in _CONNECTORS:
            return None
        at += 1
        if at < len(doc) and doc[at].norm_ in _ARTICLES:
            at += 1
        if at >= len(doc) or not doc[at].text[:1].isupper():
            return None
        begin = offsets[at][0]
        if _SEGMENT.search(text[offsets[end - 1][1] : begin]):
            return None  # "University of X, School of Y": the name ends at the comma
        stop = _SEGMENT.search(text, begin)
        rest = f" {' '.join(norm_words(text[begin : stop.start() if stop else len(text)]))} "
        if any(rest.startswith(f" {n} ") for n in self.countries):
            return None
        return begin, stop.start() if stop else len(text)

    @staticmethod
    def _extends(before: Token, gap: str) -> bool:
        """Whether the token before a name is a word of a longer proper name."""
        return (
            before.text[:1].isupper()
            and before.norm_ not in _TIES
            and before.norm_ not in _UNIT_WORDS
            and not _SEGMENT.search(gap)
        )

    @staticmethod
    def _object_of(key: str, text: str, begin: int) -> bool:
        """Whether a name (not a university's) is the object of a longer name: "State Key
        Laboratory of Biocontrol" does not name Biocontrol."""
        if _UNIVERSITY_WORDS.intersection(key.split()):
            return False
        before = _WORD.findall(text[max(0, begin - 12) : begin])
        gap = text[:begin].rstrip()
        return bool(before) and gap.endswith(before[-1]) and fold(before[-1]) in _CONNECTORS

    def _generic(self, key: str) -> bool:
        """A unit's name of common words only (Department of Earth Sciences)."""
        words = [w for w in key.split() if w not in _STOPWORDS]
        if not words or words[0] not in _UNIT_WORDS:
            return False
        return not _UNIVERSITY_WORDS.intersection(words) and self._common(key)

    def _unit_of(self, unit: _Choice, head: _Choice) -> bool:
        """Whether a candidate's name is another's followed by a unit word, both entries
        in one city."""
        u, h = unit.candidate, head.candidate
        if u.kind != "name" or h.kind != "name" or u.start != h.start or h.end >= u.end:
            return False
        if _one_word(h.name):
            return False  # "King's" (an alias of King's College Hospital) in King's College London
        rest = u.name[len(h.name) :].split() if u.name.startswith(h.name + " ") else []
        return (
            bool(rest)
            and rest[0] in _UNIT_WORDS | {"college"}
            and self.entries[unit.entry].city == self.entries[head.entry].city
        )

    def _unit_around(self, unit: _Choice, head: _Choice) -> bool:
        """Whether a candidate's name holds the name of an institution above it, and the rest
        names a unit, not a campus ("University of Michigan Comprehensive Cancer Center", not
        "University of California, Berkeley")."""
        u, h = unit.candidate, head.candidate
        if not (u.start <= h.start and h.end <= u.end and (u.start, u.end) != (h.start, h.end)):
            return False
        if head.entry not in self.ancestors(unit.entry):
            return False
        rest = set(u.name.split()) - set(h.name.split())
        return bool(rest & _UNIT_WORDS)

    def _common(self, key: str) -> bool:
        """A name of common words only (Center for Translational Medicine)."""
        words = [w for w in key.split() if w not in _STOPWORDS]
        return all(self.frequency.get(w, 0) >= GENERIC_FREQUENCY for w in words)

    def _university(self, index: int) -> bool:
        return bool(_UNIVERSITY_WORDS.intersection(norm_words(self.entries[index].name)))

    def _related(self, a: int, b: int) -> bool:
        return a in self.ancestors(b) or b in self.ancestors(a)

    def _above(self, upper: int, lower: int) -> bool:
        """Whether an entry is above another: a ROR ancestor, or named in its name ("... at
        the University of Pennsylvania")."""
        if upper == lower:
            return False
        if upper in self.ancestors(lower):
            return True
        name = f" {' '.join(norm_words(self.entries[lower].name))} "
        return any(f" {key} " in name for key in self.keys_of.get(upper, ()))

    def ancestors(self, index: int) -> frozenset[int]:
        """The registry entries above an entry (ROR parents, transitively)."""
        found = self._ancestors.get(index)
        if found is None:
            seen: set[int] = set()
            todo = [index]
            while todo:
                for parent in self.entries[todo.pop()].parents:
                    at = self.by_id.get(parent)
                    if at is not None and at not in seen and at != index:
                        seen.add(at)
                        todo.append(at)
            found = self._ancestors[index] = frozenset(seen)
        return found

    def descendant_cities(self, index: int) -> frozenset[str]:
        """The normalised cities of the entries below an entry, its own city excepted."""
        found = self._descendant_cities.get(index)
        if found is None:
            own = self.entries[index].city
            cities: set[str] = set()
            seen = {index}
            todo = [index]
            while todo:
                for child in self.children.get(todo.pop(), ()):
                    if child not in seen:
                        seen.add(child)
                        todo.append(child)
                        city = self.entries[child].city
                        if city and city != own:
                            cities.add(" ".join(norm_words(city)))
            found = self._descendant_cities[index] = frozenset(cities)
        return found

    def _cjk_candidates(self, text: str) -> list[_Candidate]:
        if not _CJK.search(text):
            return []
        found = []
        for name, entries in self.cjk.items():
            at = text.find(name)
            if at >= 0:
                found.append(_Candidate(at, at + len(name), name, "cjk", 1.0, sorted(entries)))
        return found

    def _fuzzy_candidates(self, text: str, exact: list[_Candidate]) -> list[_Candidate]:
        found = []
        offset = 0
        for piece in _SEGMENT.split(text):
            start = text.find(piece, offset)
            end = start + len(piece)
            offset = end
            inside = [c for c in exact if c.kind == "name" and c.start < end and c.end > start]
            if any(not c.extended for c in inside):
                continue
            words = norm_words(piece)
            if not words or len(words) > 12 or not any(map(_institution_word, words)):
                continue
            known = {w for w in words if w in self.frequency}
            for w in set(words) - known:  # a misspelt word: its nearest known spellings
                if len(w) >= 4:
                    near = process.extract(
                        w, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80, limit=3
                    )
                    known.update(x[0] for x in near)
            query = " ".join(words)
            choices: list[str] = []
            for w in sorted(known, key=lambda w: self.frequency[w])[:3]:
                choices.extend(self.block.get(w, ()))
            if not choices:
                continue
            scorer = fuzz.token_sort_ratio if inside else fuzz.ratio
            best = process.extractOne(query, choices, scorer=scorer, score_cutoff=88)
            if best is None:
                continue
            key, score, _ = best
            stripped = piece.strip()
            begin = start + piece.find(stripped)
            found.append(
                _Candidate(
                    begin, begin + len(stripped), key, "fuzzy", score / 100, sorted(self.names[key])
                )
            )
        return found

    def _decide(
        self,
        cand: _Candidate,
        texts: tuple[str, str],
        mentioned: set[str],
        elsewhere: set[str],
        named: set[int],
    ) -> _Choice | None:
        """The one institution a candidate means, its confidence and location check; None
        when the string does not say which. `texts`: the string's normalised words, and
        those around the candidate (a city in a name several share does not say which)."""
        words, around = texts
        shared = around if len(cand.entries) > 1 else words
        places = {
            i: self._location(self.entries[i], shared, mentioned, elsewhere) for i in cand.entries
        }
        # whose own name (not alias) it is counts, unless the name is of common words only
        # ("National Center for Biotechnology" in "... Information")
        own = (
            cand.kind in ("name", "fuzzy")
            and not cand.extended  # "Necker Hospital for Sick Children"
            and not self._common(cand.name)
        )
        kinds = self.names.get(cand.name, {}) if own else {}
        pool = self._narrow(cand.entries, places, named, kinds)
        if len(pool) > 1:
            return None
        index = pool[0]
        location = self._location(self.entries[index], words, mentioned, elsewhere)
        if location != "city" and self._needs_city(cand, index):
            return None
        if location == "country" and self._in_a_unit_city(index, words):
            # an academy placed in the city of one of its institutes: the string means the
            # institute
            return None
        if cand.kind == "fuzzy" and cand.score < (
            0.93 if location in ("city", "country") else 0.97
        ):
            return None
        return _Choice(cand, index, _confidence(cand, location), location)

    def _narrow(
        self,
        entries: list[int],
        places: dict[int, str],
        named: set[int],
        kinds: Mapping[int, str],
    ) -> list[int]:
        """The institutions a name several share can still mean: settled by the city, then
        the country, then the active one, the one whose own name it is (not an alias), the
        one above the others, a kin the string names."""
        pool = list(entries)
        for level in ("city", "country"):
            supported = [i for i in pool if places[i] == level]
            if supported:
                pool = supported
                break
        else:
            pool = [i for i in pool if places[i] != "conflict"] or pool
        if len(pool) > 1:
            active = [i for i in pool if self.entries[i].active]
            pool = active if len(active) == 1 else pool
        if len(pool) > 1:
            # one institution's name and others' alias (often a former name: Tianjin Normal
            # University, once Hebei University's) means the first; OpenAlex's names are
            # ROR's names
            own = [i for i in pool if kinds.get(i) == "name"]
            pool = own if len(own) == 1 else pool
        if len(pool) > 1:
            # a name its units share (EMBL and its sites) means the one above them all
            top = [i for i in pool if all(j == i or i in self.ancestors(j) for j in pool)]
            pool = top or pool
        if len(pool) > 1:
            # namesakes told apart by a unit or parent the string names as well ("Feinberg
            # School of Medicine, Northwestern University")
            kin = [i for i in pool if any(self._related(i, j) for j in named)]
            pool = kin if len(kin) == 1 else pool
        return pool

    def _needs_city(self, cand: _Candidate, index: int) -> bool:
        """Whether the candidate means this institution only where the string names its
        city."""
        if cand.kind == "acronym":
            return True  # an acronym means an institution of the city the string names
        if cand.kind != "name":
            return False
        kind = self.names[cand.name].get(index)
        return (
            (_one_word(cand.name) and kind == "alias")  # a one-word alias ("Statale")
            or kind == "unqualified"  # a name ROR qualifies with its country
            or self._generic(cand.name)  # a generic name
            # the tail of a longer name ("Tubingen University Hospital")
            or (cand.extended and self.tails.get(cand.name, 0) >= TAIL_NAMES)
        )

    def _in_a_unit_city(self, index: int, words: str) -> bool:
        """Whether the string names the city of one of the institution's units (a university's
        campus units are still the university's: LMU in Garching)."""
        return not _UNIVERSITY_WORDS.intersection(norm_words(self.entries[index].name)) and any(
            f" {c} " in words for c in self.descendant_cities(index)
        )

    def _location(self, entry: Entry, words: str, mentioned: set[str], elsewhere: set[str]) -> str:
        """Whether the string names the entry's city or country, or only other countries
        (outside the name it was found by)."""
        if entry.city and f" {' '.join(norm_words(entry.city))} " in words:
            return "city"
        if entry.country_code and entry.country_code in mentioned:
            return "country"
        if elsewhere:
            return "conflict"
        return "none"

    def _countries(self, words: str, spellings: Iterable[str]) -> set[str]:
        """The countries a normalised text (padded with spaces) names, of these spellings."""
        return {code for n in spellings if f" {n} " in words for code in self.countries[n]}


def _confidence(cand: _Candidate, location: str) -> float:
    """How sure a reading is: by the kind of name it was found by and the place the string
    confirms."""
    base = {"name": 0.9, "cjk": 0.9, "acronym": 0.7, "fuzzy": 0.75}[cand.kind]
    if cand.kind == "fuzzy":
        base = 0.75 * cand.score + (0.15 if cand.score >= 0.95 else 0.0)
    bonus = {"city": 0.08, "country": 0.04, "none": 0.0, "conflict": -0.4}[location]
    if len(cand.entries) > 1 and location not in ("city", "country"):
        bonus -= 0.1
    return max(0.0, min(1.0, base + bonus))
