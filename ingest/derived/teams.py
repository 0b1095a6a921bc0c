"""Teams: groups that publish together at an institution, found by community detection.

For one institution, the co-author graph links two of its scientists by the number of works
they share there (works with at most `max_authors` authors, where two or more authors list the
institution). Louvain (networkx) splits each connected component of that graph into
communities; a community, cut into its connected parts (Louvain may leave a community
disconnected), is a team when it has at least `MIN_MEMBERS` people. Its lead is the member with
the most of the team's works (ties: the smallest id), and its id `team_id(lead, institution)`.

The result depends only on the institution's works: nodes and edges are added in sorted order,
Louvain runs on integer labels (no string hashing, so no dependence on PYTHONHASHSEED) with a
fixed seed, and each component is detected on its own, so a change in one group of people does
not reshuffle the others. No I/O here; `graph.write.team` reads and writes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# networkx ships no type information; its stubs (types-networkx) are not a dev dependency yet.
import networkx as nx
from networkx.algorithms.community import louvain_communities

from schema.team import InstitutionWorks, Team, TeamMembership, TeamTopic, TeamWork, team_id

MIN_MEMBERS = 3
# A team needs this many works by two or more of its members. One keeps groups seen on a
# single paper (most groups in a small sample); 2 asks for a repeated collaboration.
MIN_WORKS = 1
TOP_TOPICS = 5
LOUVAIN_SEED = 20240601
# Only the works of the institution's last N publication years (None: all years). The window
# ends at the institution's latest year, not today, so a re-run on the same graph gives the
# same teams whatever the date.
RECENT_YEARS: int | None = None
SOURCE = "openalex_authorship"


@dataclass
class Teams:
    """Teams found, with their MEMBER_OF and WORKS_ON evidence."""

    teams: list[Team] = field(default_factory=list)
    members: list[TeamMembership] = field(default_factory=list)
    topics: list[TeamTopic] = field(default_factory=list)

    def extend(self, other: Teams) -> None:
        self.teams.extend(other.teams)
        self.members.extend(other.members)
        self.topics.extend(other.topics)


def coauthor_graph(works: Iterable[TeamWork]) -> nx.Graph[str]:
    """Scientists linked by the number of works they share; nodes and edges in sorted order."""
    weights: Counter[tuple[str, str]] = Counter()
    for work in works:
        people = sorted(set(work.author_ids))
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                weights[(a, b)] += 1
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(sorted({person for pair in weights for person in pair}))
    graph.add_weighted_edges_from((a, b, n) for (a, b), n in sorted(weights.items()))
    return graph


def communities(
    graph: nx.Graph[str], *, min_members: int = MIN_MEMBERS, seed: int = LOUVAIN_SEED
) -> list[frozenset[str]]:
    """Connected communities of at least `min_members`, biggest first (ties: smallest id)."""
    found: list[frozenset[str]] = []
    for component in nx.connected_components(graph):
        if len(component) < min_members:
            continue
        for community in _louvain(graph, component, seed):
            # Louvain may leave a community disconnected; a team is one connected group.
            for part in nx.connected_components(graph.subgraph(community)):
                if len(part) >= min_members:
                    found.append(frozenset(part))
    return sorted(found, key=lambda c: (-len(c), min(c)))


def _louvain(graph: nx.Graph[str], nodes: set[str], seed: int) -> list[set[str]]:
    names = sorted(nodes)
    index = {name: i for i, name in enumerate(names)}
    numbered: nx.Graph[int] = nx.Graph()
    numbered.add_nodes_from(range(len(names)))
    edges: list[tuple[int, int, float]] = []
    for a, b, data in graph.subgraph(nodes).edges(data=True):
        edges.append((min(index[a], index[b]), max(index[a], index[b]), float(data["weight"])))
    numbered.add_weighted_edges_from(sorted(edges))
    parts = louvain_communities(numbered, weight="weight", seed=seed)
    return [{names[i] for i in part} for part in parts]


def detect_teams(
    institution: InstitutionWorks,
    *,
    min_members: int = MIN_MEMBERS,
    min_works: int = MIN_WORKS,
    recent_years: int | None = RECENT_YEARS,
    seed: int = LOUVAIN_SEED,
) -> Teams:
    """The teams of one institution, from its works (see the module docstring)."""
    works = sorted(_in_window(institution.works, recent_years), key=lambda w: w.work_id)
    found = Teams()
    seen: set[str] = set()
    for community in communities(coauthor_graph(works), min_members=min_members, seed=seed):
        team_works = [w for w in works if len(community.intersection(w.author_ids)) >= 2]
        if len(team_works) < min_works:
            continue
        works_of: Counter[str] = Counter()
        years_of: defaultdict[str, list[int]] = defaultdict(list)
        for work in team_works:
            for person in community.intersection(work.author_ids):
                works_of[person] += 1
                if work.year is not None:
                    years_of[person].append(work.year)
        lead = min(community, key=lambda p: (-works_of[p], p))
        tid = team_id(lead, institution.institution_id)
        if tid in seen:  # communities are disjoint, so leads differ; kept as a guard
            continue
        seen.add(tid)
        topics = _top_topics(tid, team_works)
        years = [w.year for w in team_works if w.year is not None]
        found.teams.append(
            Team(
                id=tid,
                name=_name(institution, lead),
                lead_scientist_id=lead,
                institution_id=institution.institution_id,
                topic_ids=tuple(t.topic_id for t in topics),
                first_year=min(years, default=None),
                last_year=max(years, default=None),
                works=len(team_works),
                members=len(community),
                source=SOURCE,
            )
        )
        found.members.extend(
            TeamMembership(
                scientist_id=person,
                team_id=tid,
                role="lead" if person == lead else "member",
                first_year=min(years_of[person], default=None),
                last_year=max(years_of[person], default=None),
            )
            for person in sorted(community)
        )
        found.topics.extend(topics)
    return found


def _in_window(works: Sequence[TeamWork], recent_years: int | None) -> list[TeamWork]:
    if recent_years is None:
        return list(works)
    latest = max((w.year for w in works if w.year is not None), default=None)
    if latest is None:
        return []
    return [w for w in works if w.year is not None and w.year > latest - recent_years]


def _top_topics(tid: str, works: Sequence[TeamWork]) -> list[TeamTopic]:
    score: defaultdict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()
    for work in works:  # in work id order: a float sum depends on the order of its terms
        for topic in {t.topic_id: t for t in work.topics}.values():
            score[topic.topic_id] += topic.score
            count[topic.topic_id] += 1
    best = sorted(score, key=lambda t: (-round(score[t], 6), t))[:TOP_TOPICS]
    return [
        TeamTopic(team_id=tid, topic_id=t, works=count[t], score=round(score[t], 6)) for t in best
    ]


def _name(institution: InstitutionWorks, lead: str) -> str:
    person = institution.scientist_names.get(lead) or lead
    return f"{person} team, {institution.name or institution.institution_id}"
