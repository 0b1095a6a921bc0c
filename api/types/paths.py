"""The introductionPaths answer: the shortest co-author chains from a scientist to a target,
each hop with the works that evidence it.

These types exist only as parts of that one answer, so they share a file (the one-type-per-file
habit is for the entity types that many answers reuse).
"""

from __future__ import annotations

import strawberry

from api.types.scientist import Scientist
from api.types.work import Work
from graph.queries.paths import Hop, IntroPath, PathSearch


@strawberry.type(description="Two co-authors next to each other on a path.")
class IntroductionHop:
    source: Scientist = strawberry.field(description="The person nearer the start.")
    target: Scientist = strawberry.field(description="The person nearer the end.")
    shared_works: int = strawberry.field(
        description="Works both authored (works with at most 100 authors, as COAUTHORED counts)."
    )
    first_year: int | None
    last_year: int | None
    works: list[Work] = strawberry.field(
        description="The evidence: a few works both authored, newest first."
    )

    @classmethod
    def from_hop(cls, hop: Hop) -> IntroductionHop:
        return cls(
            source=Scientist.from_model(hop.source),
            target=Scientist.from_model(hop.target),
            shared_works=hop.shared_works,
            first_year=hop.first_year,
            last_year=hop.last_year,
            works=[Work.from_model(w) for w in hop.works],
        )


@strawberry.type(description="A chain of co-authors from the start to someone in the target.")
class IntroductionPath:
    hops: list[IntroductionHop]
    weakest_tie: int = strawberry.field(description="The fewest shared works of any hop.")
    total_shared_works: int = strawberry.field(description="Shared works over all hops.")

    @classmethod
    def from_path(cls, path: IntroPath) -> IntroductionPath:
        return cls(
            hops=[IntroductionHop.from_hop(h) for h in path.hops],
            weakest_tie=path.weakest,
            total_shared_works=path.total,
        )


@strawberry.type(description="The shortest co-author paths, strongest ties first.")
class IntroductionPaths:
    target_kind: str = strawberry.field(description="scientist, institution or region.")
    target_id: strawberry.ID = strawberry.field(description="Our id of the target.")
    length: int | None = strawberry.field(
        description="Hops of the shortest paths; null when none is within maxHops."
    )
    paths_considered: int = strawberry.field(
        description="Shortest paths found and ranked (the search enumerates at most 2,000)."
    )
    truncated: bool = strawberry.field(
        description="True when the search hit a bound (ties fetched per level, people with "
        "over 500 co-authors left out once the rest met, paths ranked) before seeing every "
        "path of that length."
    )
    paths: list[IntroductionPath]

    @classmethod
    def from_search(cls, search: PathSearch, kind: str, target_id: str) -> IntroductionPaths:
        return cls(
            target_kind=kind,
            target_id=strawberry.ID(target_id),
            length=search.length,
            paths_considered=search.considered,
            truncated=search.truncated,
            paths=[IntroductionPath.from_path(p) for p in search.paths],
        )
