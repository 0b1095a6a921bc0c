"""District recommendations and push lists (靶向推送). No I/O.

For a district's focus segments (the industries its profile names, and their segments), the
candidates outside the district are ranked by

    score = evidence x reach x mobility

- evidence: the talent-chain ranking score in the segment (graph.queries.chain: the sum over
  matching works of 1 + log10(1 + citations)); issue 8's evaluation model replaces it when it
  lands (MODEL_VERSION says which one a push list used);
- reach = 1 + 0.5·log10(1 + works shared between the candidate's (latest) institutions and the
  district's institutions) + 0.5 for a one-hop introduction path (a co-author affiliated with
  a district institution), 0.25 for a two-hop one;
- mobility = 1.1 for a scientist whose latest institution is new since RECENT_YEARS (a recent
  move: people who moved once move again), else 1.

People (and teams and institutions) in an open case are left out: someone is already on them.
Each candidate carries its reasons in words and numbers. A push list is the dated, versioned
ranking sent to a district for a segment; `new_since_last` marks entries the previous list of
the same district and segment did not have.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from schema import sheets
from schema.watch import EntityKind

MODEL_VERSION = "chain-evidence*reach*mobility/1"
RECENT_YEARS = 2
# How many of each segment's ranking are considered (the top of the talent chain).
CANDIDATES_PER_SEGMENT = 200
# How many entries a push list holds per segment.
PUSH_SIZE = 50


class Reason(BaseModel):
    """A reason in English words (`text`) and as a code with the numbers and names behind it,
    which a page translates (lists pushed before these fields existed have only the words)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str  # EVIDENCE, COOPERATION, PATH, MOBILITY
    text: str
    value: float
    rank: int | None = None  # EVIDENCE: the place in the segment's ranking
    works: int | None = None  # EVIDENCE: matching works; COOPERATION: shared works
    citations: int | None = None  # EVIDENCE
    partners: tuple[str, ...] = ()  # COOPERATION: the district's institutions, most first
    hops: int | None = None  # PATH
    institution: str | None = None  # MOBILITY: where the scientist moved
    years: int | None = None  # MOBILITY: within how many years


class Candidate(BaseModel):
    """One row the graph gives: a ranked node of a segment, outside the district, with what
    its reach and mobility are computed from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity_id: str
    kind: EntityKind
    name: str | None = None
    segment_id: str
    segment_name: str | None = None
    segment_name_zh: str | None = None
    chain_rank: int
    works: int
    citations: int
    evidence: float
    cooperation_works: int = 0
    partners: tuple[str, ...] = ()
    hops: int | None = None
    # A scientist's affiliations: (institution name, start year, end year).
    affiliations: tuple[tuple[str | None, int | None, int | None], ...] = ()


class Recommendation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    entity_id: str
    kind: EntityKind
    name: str | None
    segment_id: str
    segment_name: str | None
    segment_name_zh: str | None = None
    score: float
    evidence: float
    reach: float
    mobility: float
    reasons: tuple[Reason, ...]


class PushEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rank: int
    entity_id: str
    kind: EntityKind
    name: str | None
    score: float
    reasons: tuple[Reason, ...]
    new_since_last: bool = False


class PushList(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    district: str
    segment: str
    segment_name: str | None = None
    segment_name_zh: str | None = None
    version: int
    as_of: date
    pushed_at: datetime
    pushed_by: str
    model_version: str = MODEL_VERSION
    previous_id: str | None = None
    entries: tuple[PushEntry, ...] = ()


def new_push_list_id() -> str:
    return "push-" + secrets.token_hex(8)


UNNAMED = "a new institution"


def moved_recently(
    affiliations: Sequence[tuple[str | None, int | None, int | None]], this_year: int
) -> str | None:
    """The institution a scientist moved to within RECENT_YEARS (the latest one started then,
    and an earlier one exists), or None."""
    dated = [(s, e, n) for n, s, e in affiliations if s is not None and e is not None]
    if len(dated) < 2:
        return None
    start, _, name = max(dated, key=lambda a: (a[1], a[0]))
    earliest = min(s for s, _, _ in dated)
    if start >= this_year - RECENT_YEARS and start > earliest:
        return name or UNNAMED
    return None


def recommend(c: Candidate, this_year: int) -> Recommendation:
    """The score of a candidate, with its reasons."""
    segment = c.segment_name or c.segment_id
    reasons = [
        Reason(
            code="EVIDENCE",
            text=f"#{c.chain_rank} in {segment}: {c.works} matching works, "
            f"{c.citations} citations (score {c.evidence:.1f})",
            value=c.evidence,
            rank=c.chain_rank,
            works=c.works,
            citations=c.citations,
        )
    ]
    reach = 1.0
    if c.cooperation_works:
        reach += 0.5 * math.log10(1 + c.cooperation_works)
        partners = ", ".join(c.partners) or "the district's institutions"
        reasons.append(
            Reason(
                code="COOPERATION",
                text=f"{c.cooperation_works} works shared with {partners}",
                value=float(c.cooperation_works),
                works=c.cooperation_works,
                partners=c.partners,
            )
        )
    if c.hops is not None:
        reach += {1: 0.5, 2: 0.25}.get(c.hops, 0.0)
        via = "a co-author" if c.hops == 1 else "a co-author's co-author"
        reasons.append(
            Reason(
                code="PATH",
                text=f"introduction path of {c.hops} hop(s): {via} works in the district",
                value=float(c.hops),
                hops=c.hops,
            )
        )
    mobility = 1.0
    moved = moved_recently(c.affiliations, this_year) if c.kind is EntityKind.SCIENTIST else None
    if moved:
        mobility = 1.1
        reasons.append(
            Reason(
                code="MOBILITY",
                text=f"moved to {moved} within {RECENT_YEARS} years",
                value=1.1,
                institution=None if moved == UNNAMED else moved,
                years=RECENT_YEARS,
            )
        )
    return Recommendation(
        entity_id=c.entity_id,
        kind=c.kind,
        name=c.name,
        segment_id=c.segment_id,
        segment_name=c.segment_name,
        segment_name_zh=c.segment_name_zh,
        score=round(c.evidence * reach * mobility, 6),
        evidence=c.evidence,
        reach=round(reach, 6),
        mobility=mobility,
        reasons=tuple(reasons),
    )


def rank(candidates: Iterable[Candidate], this_year: int) -> list[Recommendation]:
    """Best first (score, then id); an entity ranked in several segments counts once, with
    its best segment."""
    best: dict[tuple[EntityKind, str], Recommendation] = {}
    for c in candidates:
        r = recommend(c, this_year)
        key = (r.kind, r.entity_id)
        if key not in best or (r.score, r.segment_id) > (best[key].score, best[key].segment_id):
            best[key] = r
    return sorted(best.values(), key=lambda r: (-r.score, r.entity_id))


def entries(
    ranked: Sequence[Recommendation], previous: PushList | None, size: int = PUSH_SIZE
) -> tuple[PushEntry, ...]:
    before = {e.entity_id for e in previous.entries} if previous else set()
    return tuple(
        PushEntry(
            rank=i + 1,
            entity_id=r.entity_id,
            kind=r.kind,
            name=r.name,
            score=r.score,
            reasons=r.reasons,
            new_since_last=r.entity_id not in before,
        )
        for i, r in enumerate(ranked[:size])
    )


# The exports' languages (`?lang=` of /export/pushlists/<id>.xlsx, `talentmap push export
# --lang`). English keeps the column names as headers and the reasons' stored words; Chinese
# words the headers, kinds and reasons as the page's Chinese table does (web/src/i18n/zh.json,
# `district.*`, `kind.*` and `says.*`), from the reasons' codes and numbers.
ExportLang = Literal["en", "zh"]
EXPORT_LANGS: tuple[ExportLang, ...] = ("en", "zh")
EXPORT_COLUMNS = ("rank", "kind", "id", "name", "score", "new_since_last", "reasons")
EXPORT_HEADERS: dict[ExportLang, tuple[str, ...]] = {
    "en": EXPORT_COLUMNS,
    "zh": ("排名", "类型", "编号", "名称", "得分", "较上次新增", "推荐理由"),
}


def export_lang(value: str) -> ExportLang | None:
    """`value` as an export language, or None for one the exports do not speak."""
    return next((known for known in EXPORT_LANGS if known == value), None)


KINDS_ZH = {EntityKind.SCIENTIST: "科学家", EntityKind.TEAM: "团队", EntityKind.INSTITUTION: "机构"}
REASONS_ZH = {
    "EVIDENCE": "{segment} 排名第 {rank}：相关成果 {works} 篇，被引 {citations} 次（得分 {score}）",
    "COOPERATION": "与 {partners} 合作成果 {works} 篇",
    "PATH1": "引荐路径 {hops} 跳：其合作者在本区工作",
    "PATH2": "引荐路径 {hops} 跳：其合作者的合作者在本区工作",
    "MOBILITY": "{years} 年内调动至 {institution}",
}
DISTRICT_INSTITUTIONS_ZH = "本区机构"
NEW_INSTITUTION_ZH = "新机构"


def _n(value: int | None) -> str:
    """A count as the page writes it (Intl: thousands with commas, in both languages)."""
    return f"{value:,}" if value is not None else "\u2013"  # an en dash, as the page shows none


def reason_zh(reason: Reason, segment: str) -> str:
    """A reason in Chinese from its code and numbers; the stored English words where the
    numbers are missing (lists pushed before they were kept) or the code is unknown."""
    if reason.code == "EVIDENCE" and reason.rank is not None:
        return REASONS_ZH["EVIDENCE"].format(
            segment=segment,
            rank=_n(reason.rank),
            works=_n(reason.works),
            citations=_n(reason.citations),
            score=f"{reason.value:.1f}",
        )
    if reason.code == "COOPERATION" and reason.works is not None:
        partners = ", ".join(reason.partners) or DISTRICT_INSTITUTIONS_ZH
        return REASONS_ZH["COOPERATION"].format(partners=partners, works=_n(reason.works))
    if reason.code == "PATH" and reason.hops is not None:
        return REASONS_ZH["PATH1" if reason.hops == 1 else "PATH2"].format(hops=_n(reason.hops))
    if reason.code == "MOBILITY" and reason.years is not None:
        institution = reason.institution or NEW_INSTITUTION_ZH
        return REASONS_ZH["MOBILITY"].format(years=_n(reason.years), institution=institution)
    return reason.text


def export_rows(push: PushList, lang: ExportLang = "en") -> list[dict[str, Any]]:
    """One row per entry, as the CSV and XLSX exports write them, in `lang`."""
    if lang == "zh":
        segment = push.segment_name_zh or push.segment_name or push.segment
        return [
            {
                "rank": e.rank,
                "kind": KINDS_ZH[e.kind],
                "id": e.entity_id,
                "name": e.name or "",
                "score": e.score,
                "new_since_last": "是" if e.new_since_last else "",
                "reasons": "；".join(reason_zh(r, segment) for r in e.reasons),
            }
            for e in push.entries
        ]
    return [
        {
            "rank": e.rank,
            "kind": str(e.kind),
            "id": e.entity_id,
            "name": e.name or "",
            "score": e.score,
            "new_since_last": "yes" if e.new_since_last else "",
            "reasons": "; ".join(r.text for r in e.reasons),
        }
        for e in push.entries
    ]


def to_csv(push: PushList, lang: ExportLang = "en") -> str:
    """The list as CSV text (schema/sheets.py), headers and words in `lang`."""
    rows = export_rows(push, lang)
    return sheets.to_csv(EXPORT_COLUMNS, rows, headers=EXPORT_HEADERS[lang])


def export_title(push: PushList, lang: ExportLang = "en") -> str:
    """The XLSX's title row: which district, segment, version and date, and the model."""
    if lang == "zh":
        segment = push.segment_name_zh or push.segment_name or push.segment
        version = f"第 {push.version} 版"
    else:
        segment = push.segment_name or push.segment
        version = f"version {push.version}"
    day = push.as_of.isoformat()
    return f"{push.district} · {segment} · {version} · {day} · {push.model_version}"


def to_xlsx(push: PushList, lang: ExportLang = "en") -> bytes:
    """The list as an XLSX workbook: a sheet of entries under a title row (`export_title`),
    headers and words in `lang`."""
    return sheets.to_xlsx(
        EXPORT_COLUMNS,
        export_rows(push, lang),
        sheet=f"v{push.version}",
        title=export_title(push, lang),
        headers=EXPORT_HEADERS[lang],
    )
