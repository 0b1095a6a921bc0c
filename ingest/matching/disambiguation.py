"""Which person a name means: the disambiguator for names without an OpenAlex id or ORCID.

Three steps, each kept simple enough to explain to a curator:

1. Blocking. Every mention gets a name key, the family name and the given name's first letter
   ("zhang w"). Chinese names are read properly: hanzi go through pypinyin (张伟), the family
   name of "Zhang Wei" / "Wei Zhang" is the word that is the more common Chinese surname, and
   a given name's syllables are compared joined ("Xiao-Ming" = "Xiaoming"). So "Zhang Wei",
   "Wei Zhang", "W. Zhang" and 张伟 share the block "zhang w"; "Wang Wei" is "wang w".
2. Pairwise evidence inside a block: given-name compatibility (two different full given names
   never merge; an initial is compatible with any name it starts), how common the name is,
   affiliations, e-mail, co-authors, topics and years. Each piece is an `Evidence` with its
   weight, a log-odds contribution, so the sum is the pair's score and every decision can be
   shown and stored.
3. Clustering: average-linkage agglomeration of the mentions that carry evidence beyond the
   name, merging while the best link scores above the threshold and never across a name
   conflict; then each mention known by its name alone joins the compatible cluster of its
   block that holds at least half the odds (size times the share of its mentions at the same
   place in the author list), or stays alone (bare names with no such cluster form one).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ingest.matching.fold import fold as accents_folded
from schema.identity import IdentityDecision, IdentityDecisionKind
from schema.names import hanzi_name_parts, pinyin_syllables, surname_rank

# --- names -----------------------------------------------------------------------------------

_GERMAN_FOLDS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
_TOKEN_SPLIT = re.compile(r"[\s.\-_',\u2019]+")


def camel_split(token: str) -> list[str]:
    """["Zhu", "Hongwei"] for "ZhuHongwei", ["Müller"] for "Müller": bylines that ran words
    together split where a lower-case letter meets a capital."""
    words: list[str] = []
    start = 0
    for i in range(1, len(token)):
        if token[i - 1].islower() and token[i].isupper():
            words.append(token[start:i])
            start = i
    words.append(token[start:])
    return [w for w in words if w]


def fold(text: str) -> str:
    """Lower-case ASCII letters only: "Müller" -> "muller", "O'Neil" -> "oneil", "Łukasz" ->
    "lukasz"."""
    return re.sub("[^a-z]", "", accents_folded(text))


def _fold_western(word: str) -> str:
    # "Mueller" and "Müller" (folded "muller") are one name; never applied to pinyin, where
    # "xue" and "xu" differ.
    for spelled, plain in _GERMAN_FOLDS:
        word = word.replace(spelled, plain)
    return word


@dataclass(frozen=True)
class PersonName:
    """A name as the disambiguator compares it.

    `given` holds the given names in order, folded; an initial is a one-letter part. For a
    Chinese name the given name is its pinyin syllables ("xiao", "ming").
    """

    family: str
    given: tuple[str, ...] = ()
    chinese: bool = False

    @property
    def block(self) -> str:
        """The blocking key: family name and first given initial ("zhang w")."""
        return f"{self.family} {self.given[0][0]}" if self.given else self.family

    @property
    def full_given(self) -> str | None:
        """The given name written out ("xiaoming", "daniel"); None when it starts with an
        initial."""
        if not self.given or len(self.given[0]) == 1:
            return None
        if self.chinese:
            return "".join(p for p in self.given if len(p) > 1)
        return self.given[0]

    def __str__(self) -> str:
        if self.chinese and self.full_given and all(len(p) > 1 for p in self.given):
            return f"{self.full_given} {self.family}".title()
        given = " ".join(p if len(p) > 1 else f"{p}." for p in self.given)
        return f"{given} {self.family}".strip().title()


def _given_parts(tokens: Sequence[str]) -> list[str]:
    parts: list[str] = []
    for token in tokens:
        # "XiaoMing" and "Hongwei" alike: camel case splits, then folding.
        for piece in camel_split(token):
            word = fold(piece)
            if word:
                parts.append(word)
    return parts


def _chinese_given(parts: Sequence[str]) -> tuple[str, ...] | None:
    """The given name as pinyin syllables, or None if it is not pinyin (at most 3 syllables)."""
    syllables: list[str] = []
    for part in parts:
        if len(part) == 1:
            syllables.append(part)
            continue
        split = pinyin_syllables(part)
        if split is None:
            return None
        syllables.extend(split)
    return tuple(syllables) if 0 < len(syllables) <= 3 else None


def _reading(family: str, given: Sequence[str]) -> PersonName | None:
    """The name read with `family` as family name, as a Chinese name if it is one."""
    if surname_rank(family) is None:
        return None
    syllables = _chinese_given(given)
    if syllables is None:
        return None
    return PersonName(family=family, given=syllables, chinese=True)


def _from_parts(given_tokens: Sequence[str], family_text: str) -> PersonName:
    given = _given_parts(given_tokens)
    family_words = _given_parts([family_text])
    family = "".join(family_words)
    if not family:
        return PersonName(family="".join(given[-1:]), given=tuple(given[:-1]))
    as_written = _reading(family, given) if given else None
    # "Zhang Wei" as first "Zhang", last "Wei": the more common Chinese surname is the family
    # name, whichever slot it came in. Only a single full given word can be swapped.
    if len(given) == 1 and len(given[0]) > 1:
        swapped = _reading(given[0], [family])
        if swapped is not None:
            rank_written = surname_rank(family) if as_written is not None else None
            swapped_rank = surname_rank(given[0])
            assert swapped_rank is not None
            if rank_written is None or swapped_rank < rank_written:
                return swapped
    if as_written is not None:
        return as_written
    return PersonName(family=_fold_western(family), given=tuple(_fold_western(g) for g in given))


def parse_name(first: str | None, middle: str | None, last: str | None) -> PersonName:
    """A structured byline name (S2AND, OpenAlex's parsed names) as a `PersonName`.

    A name that came whole in the family-name field ("ZhuHongwei", "Yi Zhang") is read as
    free text.
    """
    given_text = " ".join(x for x in (first, middle) if x and x.strip())
    if not given_text:
        return parse_text_name(last or "")
    if hanzi_name_parts(given_text + (last or "")) is not None:
        return parse_text_name(f"{last or ''}{given_text}")
    return _from_parts(_TOKEN_SPLIT.split(given_text.strip()), last or "")


def parse_text_name(text: str) -> PersonName:
    """A name as text sources write it: "Zhang Wei", "Wei Zhang", "W. Zhang", "Zhang, Wei", 张伟.

    Hanzi say which part is the family name; a comma puts the family name first; a lone full
    word among initials is the family name; otherwise the last word is, except that of two
    pinyin words the more common Chinese surname is the family name.
    """
    hanzi = hanzi_name_parts(text)
    if hanzi is not None:
        family, syllables = hanzi
        return PersonName(family=fold(family), given=syllables, chinese=True)
    if "," in text:
        family_text, _, given_text = text.partition(",")
        return _from_parts(_TOKEN_SPLIT.split(given_text.strip()), family_text)
    tokens = [t for t in re.split(r"\s+", text.strip()) if t]
    if len(tokens) == 1:
        tokens = camel_split(tokens[0])
    if not tokens:
        return PersonName(family="")
    full = [t for t in tokens if len(fold(t)) > 1 and not t.endswith(".")]
    if len(full) == 1 and len(tokens) > 1:
        family_text = full[0]
        return _from_parts([t for t in tokens if t is not family_text], family_text)
    return _from_parts(tokens[:-1], tokens[-1])


def name_conflict(a: PersonName, b: PersonName) -> str | None:
    """Why two names cannot be one person, or None when they are compatible.

    Two full given names must be equal (joined syllables for Chinese names, so "Xian" and
    "Xi An" agree); an initial agrees with any part it starts; a missing middle name is no
    conflict. Different blocks are always a conflict.
    """
    if a.block != b.block:
        return f"different name keys {a.block!r} and {b.block!r}"
    if a.chinese and b.chinese and a.full_given and b.full_given:
        if a.full_given != b.full_given and not _initial_free_prefix(a, b):
            return f"given names {a.full_given!r} and {b.full_given!r} differ"
        return None
    for x, y in zip(a.given, b.given, strict=False):
        if len(x) == 1 or len(y) == 1:
            if x[0] != y[0]:
                return f"initials {x[0]!r} and {y[0]!r} differ"
        elif x != y:
            return f"given names {x!r} and {y!r} differ"
    return None


def _initial_free_prefix(a: PersonName, b: PersonName) -> bool:
    # "Xiao M." against "Xiaoming": the full syllables agree and the initial starts the rest.
    short, long = sorted((a.given, b.given), key=len)
    if len(short) == len(long):
        return all(
            x == y or (min(len(x), len(y)) == 1 and x[0] == y[0])
            for x, y in zip(short, long, strict=True)
        )
    return False


# --- mentions and evidence -------------------------------------------------------------------


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
class _Context:
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


def _name_key(name: PersonName) -> str:
    return f"{name.block}|{name.full_given or ''}"


def pair_evidence(a: Mention, b: Mention, ctx: _Context) -> list[Evidence]:
    """The evidence on two mentions of one block, their names taken as compatible (the caller
    checks `name_conflict`, which overrides any score)."""
    w = ctx.weights
    found: list[Evidence] = []
    if a.name.full_given and a.name.full_given == b.name.full_given:
        found.append(Evidence(EvidenceKind.NAME, w.same_full_name, f"same name {a.name}"))
    else:
        found.append(Evidence(EvidenceKind.NAME, 0.0, f"{a.name} and {b.name} compatible"))
    frequency = max(ctx.name_counts[_name_key(a.name)], ctx.name_counts[_name_key(b.name)])
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


# --- clustering ------------------------------------------------------------------------------


class DecisionKind(StrEnum):
    MERGE = "merge"  # two clusters joined on their average link
    ATTACH = "attach"  # a mention known only by its name joined the likeliest person
    BLOCKED = "blocked"  # a link above the threshold refused: names conflict or a curator split
    CURATED = "curated"  # joined because a curator said so


@dataclass(frozen=True)
class Decision:
    """One step of the clustering, with the evidence of the strongest pair behind it."""

    kind: DecisionKind
    left: tuple[str, ...]
    right: tuple[str, ...]
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Person:
    """A predicted person: the mentions of one cluster and the decisions that built it."""

    id: str
    mention_ids: tuple[str, ...]
    block: str
    decisions: tuple[Decision, ...]


@dataclass
class _Curation:
    """Curators' decisions as constraints: mentions that must be one person, pairs that must
    not, and the decision behind each."""

    parent: dict[str, str] = field(default_factory=dict)
    merged_by: dict[str, IdentityDecision] = field(default_factory=dict)
    apart: dict[frozenset[str], IdentityDecision] = field(default_factory=dict)

    @classmethod
    def of(cls, decisions: Iterable[IdentityDecision]) -> _Curation:
        curation = cls()
        # Oldest first: a later split overrides an earlier merge of the same mentions.
        for d in sorted(decisions, key=lambda d: (d.decided_at, d.id)):
            pairs = [frozenset((a, b)) for a in d.left for b in d.right]
            if d.kind == IdentityDecisionKind.SPLIT:
                curation.apart.update(dict.fromkeys(pairs, d))
            else:
                for pair in pairs:
                    curation.apart.pop(pair, None)
                for x in (*d.left, *d.right):
                    curation.merged_by[x] = d
                    curation.union(d.left[0], x)
        return curation

    def find(self, x: str) -> str:
        while self.parent.get(x, x) != x:
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def concerns(self, mention_id: str) -> bool:
        return mention_id in self.merged_by or any(mention_id in p for p in self.apart)

    def split(self, a: str, b: str) -> IdentityDecision | None:
        return self.apart.get(frozenset((a, b)))


def _curator_evidence(d: IdentityDecision) -> Evidence:
    reason = f": {d.reason}" if d.reason else ""
    return Evidence(
        EvidenceKind.CURATOR,
        math.inf if d.kind == IdentityDecisionKind.MERGE else -math.inf,
        f"{d.kind.value} by {d.curator} on {d.decided_at:%Y-%m-%d} ({d.id}){reason}",
    )


def disambiguate(
    mentions: Iterable[Mention],
    weights: Weights | None = None,
    curated: Iterable[IdentityDecision] = (),
) -> list[Person]:
    """Cluster mentions into people, block by block; deterministic for a given input.

    Curators' decisions are obeyed: a merge joins its mentions (across blocks too), a split
    keeps its sides apart. A person's id is the smallest mention id it holds, so re-running
    on the same mentions gives the same ids.
    """
    weights = weights or Weights()
    curation = _Curation.of(curated)
    # Processing order decides ties. It follows a hash of the id, not the id itself: ids are
    # often handed out person by person (S2AND's are), and their order must not leak.
    items = sorted(mentions, key=lambda m: (hashlib.sha256(m.id.encode()).digest(), m.id))
    blocks: dict[str, list[Mention]] = defaultdict(list)
    for m in items:
        blocks[m.name.block].append(m)
    documents = Counter(
        t for m in items for t in {t for a in m.affiliations for t in affiliation_tokens(a)}
    )
    n = max(len(items), 1)
    idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in documents.items()}
    people: list[Person] = []
    for block, members in sorted(blocks.items()):
        ctx = _Context(
            weights=weights,
            idf=idf,
            name_counts=Counter(_name_key(m.name) for m in members),
            tokens={m.id: [affiliation_tokens(a) for a in m.affiliations] for m in members},
        )
        people.extend(_cluster_block(block, members, ctx, curation))
    return sorted(_join_across_blocks(people, curation), key=lambda p: p.id)


def _join_across_blocks(people: list[Person], curation: _Curation) -> list[Person]:
    """A curator's merge of differently keyed names ("Feng Xu" = "Xu Feng") joins people."""
    by_root: dict[str, list[list[Person]]] = defaultdict(list)
    for person in people:
        roots = {curation.find(x) for x in person.mention_ids if x in curation.merged_by}
        groups = by_root[min(roots) if roots else f"\0{person.id}"]
        # A later split between the merged mentions wins: such people stay apart.
        for group in groups:
            if not any(
                curation.split(a, b) for other in group for a in other.mention_ids
                for b in person.mention_ids
            ):  # fmt: skip
                group.append(person)
                break
        else:
            groups.append([person])
    joined: list[Person] = []
    for group in (g for groups in by_root.values() for g in groups):
        if len(group) == 1:
            joined.append(group[0])
            continue
        ids = tuple(sorted(x for p in group for x in p.mention_ids))
        decision = next(curation.merged_by[x] for x in ids if x in curation.merged_by)
        steps = [d for p in group for d in p.decisions]
        steps.append(
            Decision(
                DecisionKind.CURATED,
                group[0].mention_ids,
                tuple(x for p in group[1:] for x in p.mention_ids),
                math.inf,
                (_curator_evidence(decision),),
            )
        )
        joined.append(
            Person(id=min(ids), mention_ids=ids, block=group[0].block, decisions=tuple(steps))
        )
    return joined


def _position_class(position: int | None, weights: Weights) -> int | None:
    return None if position is None else min(position, weights.max_position)


def _attach_weight(m: Mention, positions: Counter[int | None], weights: Weights) -> float:
    """How likely a person is to hold mention `m`: its size, times how often it sits at m's place
    in the author list (smoothed, so that an unseen place only lowers the odds)."""
    size = sum(positions.values())
    place = _position_class(m.position, weights)
    if place is None or not weights.position_smoothing:
        return float(size)
    known = size - positions[None]
    classes = weights.max_position + 1
    share = (positions[place] + weights.position_smoothing) / (
        known + weights.position_smoothing * classes
    )
    return size * share


def _cluster_block(
    block: str, members: list[Mention], ctx: _Context, curation: _Curation
) -> list[Person]:
    clustered = [m for m in members if m.informative or curation.concerns(m.id)]
    by_id = {m.id: m for m in members}
    clusters, decisions = _agglomerate(clustered, ctx, curation)
    # Mentions known by their name alone join the likeliest person if it is a clear favourite.
    evidence_clusters = len(clusters)
    positions = [
        Counter(_position_class(by_id[x].position, ctx.weights) for x in c) for c in clusters
    ]
    for m in (m for m in members if not (m.informative or curation.concerns(m.id))):
        target: int | None = None
        weights: dict[int, float] = {}
        for index in range(evidence_clusters):
            if all(name_conflict(m.name, by_id[x].name) is None for x in clusters[index]):
                weights[index] = _attach_weight(m, positions[index], ctx.weights)
        total = sum(weights.values())
        if weights:
            target = max(weights, key=lambda i: (weights[i], -i))
            if weights[target] < ctx.weights.attach_share * total:
                target = None
        compatible = len(weights)
        if target is None and compatible == 0:
            for index in range(evidence_clusters, len(clusters)):
                if all(name_conflict(m.name, by_id[x].name) is None for x in clusters[index]) and (
                    target is None or len(clusters[index]) > len(clusters[target])
                ):
                    target = index
        if target is None:
            clusters.append([m.id])
            decisions.append([])
            continue
        evidence = pair_evidence(m, by_id[clusters[target][0]], ctx)
        score = sum(e.weight for e in evidence)
        decisions[target].append(
            Decision(DecisionKind.ATTACH, (m.id,), tuple(clusters[target]), score, tuple(evidence))
        )
        clusters[target].append(m.id)
    return [
        Person(id=min(c), mention_ids=tuple(sorted(c)), block=block, decisions=tuple(d))
        for c, d in zip(clusters, decisions, strict=True)
    ]


def _agglomerate(
    members: list[Mention], ctx: _Context, curation: _Curation
) -> tuple[list[list[str]], list[list[Decision]]]:
    """Average-linkage clustering with cannot-link on name conflicts and curators' splits,
    starting from curators' merges."""
    size = len(members)
    scores: dict[tuple[int, int], float] = {}
    evidence: dict[tuple[int, int], list[Evidence]] = {}
    conflicts: set[tuple[int, int]] = set()
    must: list[tuple[int, int]] = []
    for i in range(size):
        for j in range(i + 1, size):
            a, b = members[i].id, members[j].id
            found = pair_evidence(members[i], members[j], ctx)
            split = curation.split(a, b)
            if split is not None:
                found.append(_curator_evidence(split))
                conflicts.add((i, j))
            elif a in curation.merged_by and curation.find(a) == curation.find(b):
                must.append((i, j))
            elif name_conflict(members[i].name, members[j].name) is not None:
                conflicts.add((i, j))
            scores[i, j] = sum(e.weight for e in found)
            evidence[i, j] = found
    # cluster id -> member indexes; link sums and conflict counts between live clusters.
    live: dict[int, list[int]] = {i: [i] for i in range(size)}
    link: dict[tuple[int, int], float] = dict(scores)
    blocked: dict[tuple[int, int], int] = {pair: 1 for pair in conflicts}
    history: dict[int, list[Decision]] = {i: [] for i in range(size)}
    home = list(range(size))  # member index -> its live cluster id
    threshold = ctx.weights.threshold

    def join(i: int, j: int, kind: DecisionKind, score: float, why: Sequence[Evidence]) -> None:
        history[i] = [
            *history[i],
            *history.pop(j),
            Decision(
                kind,
                tuple(members[x].id for x in live[i]),
                tuple(members[x].id for x in live[j]),
                score,
                tuple(why),
            ),
        ]
        for x in live[j]:
            home[x] = i
        live[i].extend(live.pop(j))
        for k in live:
            if k == i:
                continue
            a, b = (min(i, k), max(i, k))
            jk = (min(j, k), max(j, k))
            link[a, b] = link.get((a, b), 0.0) + link.pop(jk, 0.0)
            blocked[a, b] = blocked.get((a, b), 0) + blocked.pop(jk, 0)
            link.pop((min(j, k), max(j, k)), None)
        for pair in [p for p in link if j in p]:
            del link[pair]
        for pair in [p for p in blocked if j in p]:
            del blocked[pair]

    # Curators' merges first: they hold whatever the names or the evidence say, unless a
    # split keeps the two sides apart.
    for x, y in must:
        i, j = sorted((home[x], home[y]))
        if i != j and not blocked.get((i, j)):
            join(i, j, DecisionKind.CURATED, math.inf,
                 [_curator_evidence(curation.merged_by[members[x].id])])  # fmt: skip
    while True:
        best: tuple[float, int, int] | None = None
        for (i, j), total in link.items():
            if blocked.get((i, j)):
                continue
            average = total / (len(live[i]) * len(live[j]))
            if average > threshold and (best is None or average > best[0]):
                best = (average, i, j)
        if best is None:
            break
        average, i, j = best
        strongest = max(
            ((a, b) for a in live[i] for b in live[j]),
            key=lambda p: scores.get((min(p), max(p)), -math.inf),
        )
        join(i, j, DecisionKind.MERGE, average, evidence.get((min(strongest), max(strongest)), ()))
    # Record the links a constraint refused, so a curator sees the near misses.
    for (i, j), total in sorted(link.items()):
        average = total / (len(live[i]) * len(live[j]))
        if blocked.get((i, j)) and average > threshold:
            reasons = [
                why
                for a in live[i]
                for b in live[j]
                if (why := _refusal(members[a], members[b], curation)) is not None
            ]
            history[i].append(
                Decision(
                    DecisionKind.BLOCKED,
                    tuple(members[x].id for x in live[i]),
                    tuple(members[x].id for x in live[j]),
                    average,
                    tuple(reasons[:1]),
                )
            )
    order = sorted(live)
    return (
        [[members[x].id for x in live[c]] for c in order],
        [history[c] for c in order],
    )


def _refusal(a: Mention, b: Mention, curation: _Curation) -> Evidence | None:
    """Why two mentions may not be one person: a curator's split or a name conflict."""
    split = curation.split(a.id, b.id)
    if split is not None:
        return _curator_evidence(split)
    conflict = name_conflict(a.name, b.name)
    return None if conflict is None else Evidence(EvidenceKind.NAME, -math.inf, conflict)
