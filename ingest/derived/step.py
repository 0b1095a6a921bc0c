"""The derived step: recompute the ties that depend on what the last loads changed, then the
talent-chain rankings of the segments marked (by an industries load, or all of them when
anything else changed).

It first applies the curators' identity decisions (graph.write.identity), so that a
merge or split holds after any load, and the ties of the scientists it changed are recomputed
in the same run. Last, the evaluation model re-scores the scientists it marked on the way
(ingest/derived/evaluation.py), and segment fit is put on the new rankings' edges."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph.queries import chain
from graph.unit_of_work import Writer
from graph.write import derived, event, identity, team
from graph.write import evaluation as evaluation_write
from graph.write import flows as flows_write
from ingest.derived.evaluation import derive_evaluation, derive_segment_fit
from ingest.derived.flows import derive_flows
from ingest.derived.heat import derive_heat
from ingest.derived.teams import Teams, detect_teams
from schema.labels import Label

# The marks of the ties, as opposed to the segments' rankings computed from them.
TIES = (Label.WORK, Label.SCIENTIST, Label.INSTITUTION)


@dataclass
class DeriveReport:
    works: int = 0
    scientists: int = 0
    institutions: int = 0
    teams: int = 0
    segments: int = 0
    heat: int = 0
    model_ranked: int = 0
    flows: int = 0  # scientists whose moves were recomputed
    evaluated: int = 0
    events: int = 0  # changes to watched entities (graph.write.event)
    identities: identity.ApplyReport = field(default_factory=identity.ApplyReport)
    # Wall seconds of each phase: ties (works, scientists, institutions, teams), segments
    # (rankings and segment fit), heat, flows, evaluated, model_ranked.
    seconds: dict[str, float] = field(default_factory=dict)


def derive(
    writer: Writer,
    *,
    max_authors: int,
    chunk: int = 500,
    on_progress: Callable[[str, int], None] | None = None,
) -> DeriveReport:
    """Process every mark left by loads, chunk by chunk, until none is left; the changes to
    watched entities become events on the way (graph.write.event)."""
    at = datetime.now(UTC)
    started = time.perf_counter()
    report = DeriveReport(identities=writer(identity.apply_identities))
    ties_changed = any(writer(derived.dirty, label, 1) for label in TIES)
    # Heat reads every work and segment: recomputed whole when either changed.
    heat_changed = ties_changed or bool(writer(derived.dirty, Label.CHAIN_SEGMENT, 1))
    if ties_changed:
        # Any change in works, people or teams may move any segment's rankings: marked first,
        # so that a run killed midway still re-ranks them next time.
        writer(chain.mark_segments)
    while ids := writer(derived.dirty, Label.WORK, chunk):
        # Before the marks go: they tell which works are new.
        report.events += writer(event.track_works, ids, at)
        writer(derived.mark_from_works, ids)
        report.works += len(ids)
        if on_progress:
            on_progress("works", report.works)
    while ids := writer(derived.dirty, Label.SCIENTIST, chunk):
        # Before their affiliations are recomputed: those still tell where they published.
        writer(team.mark_changed_institutions, ids)
        # Their evaluation is due too (ingest/derived/evaluation.py, after the rankings).
        writer(evaluation_write.mark_scientists, ids)
        # And their moves (ingest/derived/flows.py).
        writer(flows_write.mark_scientists, ids)
        report.events += writer(event.derive_scientists_tracked, ids, max_authors, at)
        report.scientists += len(ids)
        if on_progress:
            on_progress("scientists", report.scientists)
    while ids := writer(derived.dirty, Label.INSTITUTION, chunk):
        # Teams first: clearing the mark (with COLLABORATES) says the institution is done.
        teams, events = derive_teams(writer, ids, max_authors=max_authors, at=at)
        report.teams += teams
        report.events += events
        writer(derived.derive_institutions, ids)
        report.institutions += len(ids)
        if on_progress:
            on_progress("institutions", report.institutions)
    report.seconds["ties"] = time.perf_counter() - started
    _rankings_and_models(writer, report, heat_changed, on_progress)
    return report


def _rankings_and_models(
    writer: Writer,
    report: DeriveReport,
    heat_changed: bool,
    on_progress: Callable[[str, int], None] | None,
) -> None:
    """After the ties: the marked segments' rankings, heat, flows, the evaluation and the
    model's order of the rankings, each timed in `report.seconds`."""
    clock = time.perf_counter()

    def lap(name: str, done: int) -> None:
        nonlocal clock
        report.seconds[name] = time.perf_counter() - clock
        clock = time.perf_counter()
        if on_progress and done:
            on_progress(name, done)

    ranked: list[str] = []
    while ids := writer(derived.dirty, Label.CHAIN_SEGMENT, 1):
        writer(chain.rank_segment, ids[0])
        ranked.append(ids[0])
        report.segments += 1
    # Segment fit reads the new RANKED_IN edges: batched, a few transactions for all segments
    # (a run killed before it leaves fit 0 on them until their next ranking).
    derive_segment_fit(writer, ranked)
    lap("segments", report.segments)
    if heat_changed:
        report.heat = derive_heat(writer)
    lap("heat", report.heat)
    # Cheap when nothing is due: one index seek.
    report.flows = derive_flows(writer)
    lap("flows", report.flows)
    # Cheap when nothing is due: three index seeks.
    report.evaluated = derive_evaluation(writer)
    lap("evaluated", report.evaluated)
    if ranked or report.evaluated:
        # A re-scored field moves scores in every segment: talentChain's scientist lists
        # follow the model (graph/queries/chain.py, MODEL_RANK), all segments again.
        report.model_ranked = rank_scientists_by_model(writer)
    lap("model_ranked", report.model_ranked)


def rank_scientists_by_model(writer: Writer, *, chunk: int = 10) -> int:
    """Every segment's scientists in the evaluation model's order; how many edges."""
    segments = writer(chain.ranked_segments)
    return sum(
        writer(chain.rank_by_model, segments[start : start + chunk])
        for start in range(0, len(segments), chunk)
    )


def derive_teams(
    writer: Writer, institution_ids: list[str], *, max_authors: int, at: datetime | None = None
) -> tuple[int, int]:
    """Recompute the teams of these institutions from their works: (the number of teams, the
    events of watched entities in new teams)."""
    found = Teams()
    for institution in writer(team.institution_works, institution_ids, max_authors):
        found.extend(detect_teams(institution))
    events = writer(
        event.replace_teams_tracked,
        institution_ids,
        found.teams,
        found.members,
        found.topics,
        at or datetime.now(UTC),
    )
    return len(found.teams), events
