"""Every `ID` argument of the schema accepts every identifier we know for its kind: our own id,
OpenAlex short and URL forms, ORCID for scientists, ROR short and URL forms for institutions.

`parse_id` turns the text into an `IdKey` without the database (or raises `InvalidIdError`
saying what was expected); `resolve_id` finds our own id through the per-request lookup
DataLoader, so a page of ids costs one query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

import strawberry

from api.context import Batch, Info
from api.errors import InvalidId, NotFound
from graph.queries.entities import IdKey, IdProperty, Read, after_lookup, resolve_ids
from schema import ids
from schema.industry import segment_id, slug
from schema.labels import Label
from schema.region import RegionKind, region_id
from schema.scientist import record_scientist_id, text_scientist_id
from schema.team import team_key

ID = IdProperty.ID
M = TypeVar("M")  # the model an entity is read as


class IdKind(StrEnum):
    SCIENTIST = "scientist"
    INSTITUTION = "institution"
    TOPIC = "topic"
    TAXON = "topic, subfield, field or domain"
    TEAM = "team"
    INDUSTRY = "industry"
    SEGMENT = "chain segment"
    REGION = "region"
    WORK = "work"


_TAXONOMY_LABELS = {"domains": Label.DOMAIN, "fields": Label.FIELD, "subfields": Label.SUBFIELD}
_REGION_LABELS = {
    RegionKind.COUNTRY: Label.COUNTRY,
    RegionKind.CITY: Label.CITY,
    RegionKind.DISTRICT: Label.DISTRICT,
}


def _openalex(kind: ids.OpenAlexKind, label: Label) -> Callable[[str], IdKey]:
    def parse(raw: str) -> IdKey:
        return IdKey((label,), (ID, IdProperty.OPENALEX_ID), ids.openalex_id(raw, kind))

    return parse


def _orcid(raw: str) -> IdKey:
    return IdKey((Label.SCIENTIST,), (IdProperty.ORCID,), ids.orcid(raw))


def _ror(raw: str) -> IdKey:
    return IdKey((Label.INSTITUTION,), (ID, IdProperty.ROR_ID), ids.ror_id(raw))


def _topic(raw: str) -> IdKey:
    return IdKey((Label.TOPIC,), (ID,), ids.openalex_id(raw, ids.OpenAlexKind.TOPIC))


def _taxonomy(raw: str) -> IdKey:
    key = ids.taxonomy_id(raw)
    return IdKey((_TAXONOMY_LABELS[key.split("/")[0]],), (ID,), key)


def _region(kind: RegionKind) -> Callable[[str], IdKey]:
    def parse(raw: str) -> IdKey:
        return IdKey((_REGION_LABELS[kind],), (ID,), region_id(raw.strip(), kind))

    return parse


def _plain(label: Label, check: Callable[[str], str]) -> Callable[[str], IdKey]:
    def parse(raw: str) -> IdKey:
        return IdKey((label,), (ID,), check(raw.strip()))

    return parse


# The forms each kind accepts, tried in order, and how an error describes them.
_FORMS: dict[IdKind, tuple[tuple[Callable[[str], IdKey], ...], str]] = {
    IdKind.SCIENTIST: (
        (
            _openalex(ids.OpenAlexKind.AUTHOR, Label.SCIENTIST),
            _orcid,
            _plain(Label.SCIENTIST, text_scientist_id),
            _plain(Label.SCIENTIST, record_scientist_id),
        ),
        "an OpenAlex author id (A5023888391 or its https://openalex.org/ URL), an ORCID iD, "
        "a text person's id (text-…) or a records person's id (rec-…)",
    ),
    IdKind.INSTITUTION: (
        (_ror, _openalex(ids.OpenAlexKind.INSTITUTION, Label.INSTITUTION)),
        "a ROR id (02mhbdp94 or https://ror.org/02mhbdp94) or an OpenAlex institution id (I…)",
    ),
    IdKind.TOPIC: ((_topic,), "an OpenAlex topic id (T10001 or its URL)"),
    IdKind.TAXON: (
        (_topic, _taxonomy),
        "an OpenAlex topic id (T10001) or a subfield, field or domain id (subfields/1702)",
    ),
    IdKind.TEAM: ((_plain(Label.TEAM, team_key),), "a team id (team- and hex digits)"),
    IdKind.INDUSTRY: ((_plain(Label.INDUSTRY, slug),), "an industry id (a slug: semiconductors)"),
    IdKind.SEGMENT: (
        (_plain(Label.CHAIN_SEGMENT, segment_id),),
        "a chain segment id (<industry>/<segment>, e.g. semiconductors/wafer-fabrication)",
    ),
    IdKind.REGION: (
        tuple(_region(kind) for kind in RegionKind),
        "a region id (a country code CN, a city cn/suzhou or a district cn/suzhou/kunshan)",
    ),
    IdKind.WORK: (
        (_openalex(ids.OpenAlexKind.WORK, Label.WORK),),
        "an OpenAlex work id (W2741809807 or its URL)",
    ),
}


def parse_id(kind: IdKind, raw: str) -> IdKey:
    """The lookup key for `raw`, or `InvalidIdError` naming the value and the accepted forms."""
    parsers, expected = _FORMS[kind]
    for parse in parsers:
        try:
            return parse(raw)
        except ids.InvalidIdError:
            continue
    raise ids.InvalidIdError(f"{raw!r} is not {expected}")


def not_found(kind: IdKind, raw: str) -> NotFound:
    """The failure to return for an identifier of `kind` that names nothing."""
    return NotFound(id=strawberry.ID(raw), message=f"no {kind.value} has the id {raw!r}")


async def resolve_id(
    info: Info, kind: IdKind, raw: str, lookup: Batch[IdKey, str | None] | None = None
) -> str | NotFound | InvalidId:
    """Our own id of the `kind` node `raw` names, found by `lookup` (by default
    `resolve_ids`: the node it names now, after merges); else the typed failure to return."""
    key = _key(kind, raw)
    if isinstance(key, InvalidId):
        return key
    # resolve_ids looked up when called, not bound as a default: tests replace it.
    found = await info.context.loader(lookup or resolve_ids).load(key)
    return not_found(kind, raw) if found is None else found


async def resolve_entity(
    info: Info, kind: IdKind, raw: str, read: Read[M]
) -> M | NotFound | InvalidId:
    """The model of the `kind` node `raw` names, looked up as `resolve_id` does and read by
    `read` in the same round of queries; else the typed failure to return."""
    key = _key(kind, raw)
    if isinstance(key, InvalidId):
        return key
    found, model = await info.context.loader(after_lookup(read)).load(key)
    return not_found(kind, raw) if found is None or model is None else model


def _key(kind: IdKind, raw: str) -> IdKey | InvalidId:
    try:
        return parse_id(kind, raw)
    except ids.InvalidIdError as e:
        return InvalidId(id=strawberry.ID(raw), message=str(e))


async def resolve_optional(
    info: Info, kind: IdKind, raw: strawberry.ID | None
) -> str | NotFound | InvalidId | None:
    """`resolve_id` for an optional argument: None stays None."""
    return None if raw is None else await resolve_id(info, kind, str(raw))


_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def country_code(raw: str | None) -> str | InvalidId | None:
    """An ISO country code argument, upper-cased; InvalidId when it is not one; None stays None."""
    if raw is None:
        return None
    if not _COUNTRY.match(raw.strip()):
        return InvalidId(id=strawberry.ID(raw), message=f"{raw!r} is not an ISO country code")
    return raw.strip().upper()
