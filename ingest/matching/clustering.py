"""Which person a name means: the disambiguator for names without an OpenAlex id or ORCID.

Three steps, each kept simple enough to explain to a curator:

1. Blocking on a name key (`ingest.matching.names`).
2. Pairwise evidence inside a block, a sum of log-odds (`ingest.matching.evidence`).
3. Clustering, here: average-linkage agglomeration of the mentions that carry evidence beyond
   the name, merging while the best link scores above the threshold and never across a name
   conflict; then each mention known by its name alone joins the compatible cluster of its
   block that holds at least half the odds (size times the share of its mentions at the same
   place in the author list), or stays alone (bare names with no such cluster form one).
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ingest.matching.evidence import (
    Evidence,
    EvidenceKind,
    Mention,
    ScoringContext,
    Weights,
    affiliation_tokens,
    pair_evidence,
    pair_score,
)
from ingest.matching.names import PersonName, name_conflict, name_key
from schema.identity import IdentityDecision, IdentityDecisionKind


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
    *,
    explain: bool = True,
) -> list[Person]:
    """Cluster mentions into people, block by block; deterministic for a given input.

    Curators' decisions are obeyed: a merge joins its mentions (across blocks too), a split
    keeps its sides apart. A person's id is the smallest mention id it holds, so re-running
    on the same mentions gives the same ids. With `explain=False` the people are the same
    but carry no decisions, and only the pairs that could merge are scored (see
    `_compatible_groups`): for callers that need only who is who, in large blocks.
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
        ctx = ScoringContext(
            weights=weights,
            idf=idf,
            name_counts=Counter(name_key(m.name) for m in members),
            tokens={m.id: [affiliation_tokens(a) for a in m.affiliations] for m in members},
        )
        people.extend(_cluster_block(block, members, ctx, curation, explain))
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
    block: str, members: list[Mention], ctx: ScoringContext, curation: _Curation, explain: bool
) -> list[Person]:
    clustered = [m for m in members if m.informative or curation.concerns(m.id)]
    by_id = {m.id: m for m in members}
    if explain:
        clusters, decisions = _agglomerate(clustered, ctx, curation)
    else:
        clusters, decisions = _agglomerate_groups(clustered, ctx, curation)
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
        if not explain:
            clusters[target].append(m.id)
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


@dataclass
class _Pairs:
    """Every pair of a block's clustered mentions, by member index (i < j): its score and
    evidence, whether a constraint keeps it apart, and the curators' merges among them."""

    scores: dict[tuple[int, int], float] = field(default_factory=dict)
    evidence: dict[tuple[int, int], list[Evidence]] = field(default_factory=dict)
    conflicts: set[tuple[int, int]] = field(default_factory=set)
    must: list[tuple[int, int]] = field(default_factory=list)


def _score_pairs(
    members: list[Mention], ctx: ScoringContext, curation: _Curation, explain: bool = True
) -> _Pairs:
    """Every pair's score and evidence. Without `explain`, only scores, and pairs a constraint
    keeps apart are not scored (0.0): a blocked link never merges, and its sum only explains
    a refusal."""
    pairs = _Pairs()
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            a, b = members[i].id, members[j].id
            split = curation.split(a, b)
            conflict = False
            if split is not None:
                conflict = True
            elif a in curation.merged_by and curation.find(a) == curation.find(b):
                pairs.must.append((i, j))
            elif name_conflict(members[i].name, members[j].name) is not None:
                conflict = True
            if conflict:
                pairs.conflicts.add((i, j))
            if not explain:
                pairs.scores[i, j] = 0.0 if conflict else pair_score(members[i], members[j], ctx)
                continue
            found = pair_evidence(members[i], members[j], ctx)
            if split is not None:
                found.append(_curator_evidence(split))
            pairs.scores[i, j] = sum(e.weight for e in found)
            pairs.evidence[i, j] = found
    return pairs


class _Agglomeration:
    """The live clusters of one block while they merge: cluster id -> member indexes, the
    link sums and conflict counts between live clusters, and each cluster's decisions.

    The candidate links wait in a heap by (-average, i, j): the best first and, of equal
    averages, the lowest pair (the first in the order of the pairs, which merging keeps). A
    join makes the links of the merged cluster new entries (with its new version), so older
    entries of a cluster are skipped when they come up: a join costs the live clusters once,
    not every link.
    """

    def __init__(self, members: list[Mention], pairs: _Pairs, threshold: float) -> None:
        size = len(members)
        self.members = members
        self.threshold = threshold
        self.live: dict[int, list[int]] = {i: [i] for i in range(size)}
        self.link: dict[tuple[int, int], float] = dict(pairs.scores)
        self.blocked: dict[tuple[int, int], int] = {pair: 1 for pair in pairs.conflicts}
        self.history: dict[int, list[Decision]] = {i: [] for i in range(size)}
        self.home = list(range(size))  # member index -> its live cluster id
        self.version = [0] * size
        self.heap = [entry for pair in self.link if (entry := self._entry(pair)) is not None]
        heapq.heapify(self.heap)

    def ids(self, cluster: int) -> tuple[str, ...]:
        return tuple(self.members[x].id for x in self.live[cluster])

    def average(self, i: int, j: int, total: float) -> float:
        return total / (len(self.live[i]) * len(self.live[j]))

    def _entry(self, pair: tuple[int, int]) -> tuple[float, int, int, int, int] | None:
        """The heap entry of a pair of live clusters, None when it may not merge."""
        if self.blocked.get(pair):
            return None
        i, j = pair
        average = self.average(i, j, self.link[pair])
        if average > self.threshold:
            return (-average, i, j, self.version[i], self.version[j])
        return None

    def best_link(self) -> tuple[float, int, int] | None:
        """The unblocked pair of clusters with the highest average link above the threshold
        (of equal averages, the lowest pair)."""
        heap, live, version = self.heap, self.live, self.version
        while heap:
            negative, i, j, vi, vj = heap[0]
            if i in live and j in live and version[i] == vi and version[j] == vj:
                return -negative, i, j
            heapq.heappop(heap)
        return None

    def join(
        self, i: int, j: int, kind: DecisionKind, score: float, why: Sequence[Evidence]
    ) -> None:
        live, link, blocked = self.live, self.link, self.blocked
        decision = Decision(kind, self.ids(i), self.ids(j), score, tuple(why))
        self.history[i] = [*self.history[i], *self.history.pop(j), decision]
        for x in live[j]:
            self.home[x] = i
        live[i].extend(live.pop(j))
        self.version[i] += 1
        for k in live:
            if k == i:
                continue
            ik = (min(i, k), max(i, k))
            jk = (min(j, k), max(j, k))
            link[ik] = link.get(ik, 0.0) + link.pop(jk, 0.0)
            blocked[ik] = blocked.get(ik, 0) + blocked.pop(jk, 0)
            if (entry := self._entry(ik)) is not None:
                heapq.heappush(self.heap, entry)
        link.pop((i, j), None)
        blocked.pop((i, j), None)

    def record_refusals(self, threshold: float, curation: _Curation) -> None:
        """Record the links a constraint refused, so a curator sees the near misses."""
        for (i, j), total in sorted(self.link.items()):
            average = self.average(i, j, total)
            if self.blocked.get((i, j)) and average > threshold:
                reasons = [
                    why
                    for a in self.live[i]
                    for b in self.live[j]
                    if (why := _refusal(self.members[a], self.members[b], curation)) is not None
                ]
                self.history[i].append(
                    Decision(
                        DecisionKind.BLOCKED, self.ids(i), self.ids(j), average, tuple(reasons[:1])
                    )
                )

    def result(self) -> tuple[list[list[str]], list[list[Decision]]]:
        order = sorted(self.live)
        return [list(self.ids(c)) for c in order], [self.history[c] for c in order]


def _agglomerate(
    members: list[Mention], ctx: ScoringContext, curation: _Curation, explain: bool = True
) -> tuple[list[list[str]], list[list[Decision]]]:
    """Average-linkage clustering with cannot-link on name conflicts and curators' splits,
    starting from curators' merges. Without `explain`, the merges' evidence and the refused
    links are not gathered (the clusters are the same)."""
    pairs = _score_pairs(members, ctx, curation, explain)
    threshold = ctx.weights.threshold
    state = _Agglomeration(members, pairs, threshold)
    # Curators' merges first: they hold whatever the names or the evidence say, unless a
    # split keeps the two sides apart.
    for x, y in pairs.must:
        i, j = sorted((state.home[x], state.home[y]))
        if i != j and not state.blocked.get((i, j)):
            merged_by = curation.merged_by[members[x].id]
            state.join(i, j, DecisionKind.CURATED, math.inf, [_curator_evidence(merged_by)])
    while (best := state.best_link()) is not None:
        average, i, j = best
        why: Sequence[Evidence] = ()
        if explain:
            strongest = max(
                ((a, b) for a in state.live[i] for b in state.live[j]),
                key=lambda p: pairs.scores.get((min(p), max(p)), -math.inf),
            )
            why = pairs.evidence.get((min(strongest), max(strongest)), ())
        state.join(i, j, DecisionKind.MERGE, average, why)
    if explain:
        state.record_refusals(threshold, curation)
    return state.result()


def _agglomerate_groups(
    members: list[Mention], ctx: ScoringContext, curation: _Curation
) -> tuple[list[list[str]], list[list[Decision]]]:
    """The clusters of `_agglomerate`, without decisions, group by group.

    Two clusters merge only when no pair across them is kept apart, so every merge stays
    inside one group of mentions joined by pairs that may merge (compatible names, curators'
    merges). The groups evolve independently: each merges as it would beside the others (the
    best link first, ties to the lowest pair of indexes, which the groups keep in order), so
    clustering each alone gives the same clusters, and pairs across groups (most pairs of a
    large block: "Wang Yang" and "Wang Yi") are never scored.
    """
    found: list[tuple[int, list[str]]] = []
    for group in _compatible_groups(members, curation):
        clusters, _ = _agglomerate([members[x] for x in group], ctx, curation, explain=False)
        # a cluster's first id is its lowest index, as in `_Agglomeration.result`
        place = {members[x].id: x for x in group}
        found.extend((place[c[0]], c) for c in clusters)
    found.sort(key=lambda item: item[0])
    return [c for _, c in found], [[] for _ in found]


def _compatible_groups(members: list[Mention], curation: _Curation) -> list[list[int]]:
    """Member indexes in groups (each in order, groups by their first index) such that no two
    of different groups may merge: names without conflict and curators' merges join groups
    (curators' splits are left to the clustering). Names are compared once per distinct pair."""
    parent = list(range(len(members)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_name: dict[PersonName, list[int]] = defaultdict(list)
    merged: dict[str, list[int]] = defaultdict(list)
    for index, m in enumerate(members):
        by_name[m.name].append(index)
        if m.id in curation.merged_by:
            merged[curation.find(m.id)].append(index)
    names = list(by_name)
    for x, a in enumerate(names):
        for b in names[x + 1 :]:
            if name_conflict(a, b) is None:
                union(by_name[a][0], by_name[b][0])
    for indexes in (*by_name.values(), *merged.values()):
        for index in indexes[1:]:
            union(indexes[0], index)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(members)):
        groups[find(index)].append(index)
    return sorted(groups.values(), key=lambda g: g[0])


def _refusal(a: Mention, b: Mention, curation: _Curation) -> Evidence | None:
    """Why two mentions may not be one person: a curator's split or a name conflict."""
    split = curation.split(a.id, b.id)
    if split is not None:
        return _curator_evidence(split)
    conflict = name_conflict(a.name, b.name)
    return None if conflict is None else Evidence(EvidenceKind.NAME, -math.inf, conflict)
