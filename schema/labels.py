"""The graph's vocabulary: every node label and relationship type, in one place.

Cypher never takes a label or type from input; code picks a member of these enums, so a typo
is an AttributeError at import, not a silently empty query.
"""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    SCIENTIST = "Scientist"
    TEAM = "Team"
    INSTITUTION = "Institution"
    WORK = "Work"
    TOPIC = "Topic"
    SUBFIELD = "Subfield"
    FIELD = "Field"
    DOMAIN = "Domain"
    INDUSTRY = "Industry"
    CHAIN_SEGMENT = "ChainSegment"
    COUNTRY = "Country"
    CITY = "City"
    DISTRICT = "District"
    SOURCE = "Source"
    FUNDER = "Funder"
    INGEST_RUN = "IngestRun"
    MIGRATION = "Migration"
    API_KEY = "ApiKey"
    DOCUMENT = "Document"  # a text document read by `talentmap ingest text`
    MENTION = "Mention"  # a span of a Document that names something
    # A scientist merged into another by a curator: keeps its identifiers for lookups.
    MERGED_SCIENTIST = "MergedScientist"
    IDENTITY_DECISION = "IdentityDecision"
    # People's work (issue 18): recruitment cases and their immutable history, and the audit
    # trail every people-write leaves.
    CASE = "Case"
    CASE_EVENT = "CaseEvent"
    AUDIT = "Audit"
    # Watchlists of scientists, teams and institutions, the changes to them the derived step
    # records (Event), and the dated lists of candidates pushed to districts.
    WATCHLIST = "Watchlist"
    EVENT = "Event"
    PUSH_LIST = "PushList"
    # One attempt to deliver an event to a watchlist's webhook (the delivery log).
    WEBHOOK_DELIVERY = "WebhookDelivery"
    # Talent flows (issue 17): a change of a scientist's main institution, derived from the
    # affiliation history (ingest/derived/flows.py).
    MOVE = "Move"


class Rel(StrEnum):
    AUTHORED = "AUTHORED"  # Scientist -> Work {position, raw_affiliation}
    AFFILIATED_WITH = "AFFILIATED_WITH"  # Scientist -> Institution {start_year, end_year, ...}
    PART_OF = "PART_OF"  # lineage, topic hierarchy, segment -> industry
    ABOUT = "ABOUT"  # Work -> Topic {score}
    EXPERT_IN = "EXPERT_IN"  # Scientist -> Topic {score}
    COAUTHORED = "COAUTHORED"  # Scientist -> Scientist {works, first_year, last_year}
    COLLABORATES = "COLLABORATES"  # Institution -> Institution {works, by_year}
    MEMBER_OF = "MEMBER_OF"  # Scientist -> Team {role, first_year, last_year}
    BASED_AT = "BASED_AT"  # Team -> Institution
    WORKS_ON = "WORKS_ON"  # Team -> Topic {works, score}
    LOCATED_IN = "LOCATED_IN"  # Institution -> City -> Country, District -> City
    NEEDS = "NEEDS"  # ChainSegment -> Topic
    UPSTREAM_OF = "UPSTREAM_OF"  # ChainSegment -> ChainSegment
    FOCUSES_ON = "FOCUSES_ON"  # District -> Industry
    PUBLISHED_IN = "PUBLISHED_IN"  # Work -> Source
    FUNDED_BY = "FUNDED_BY"  # Work -> Funder
    CITES = "CITES"  # Work -> Work
    BY_INSTITUTION = "BY_INSTITUTION"  # Work -> Institution among its authorships' {authors}
    RELATED_TO = "RELATED_TO"  # Institution -> Institution (ROR "related")
    SUCCEEDED_BY = "SUCCEEDED_BY"  # Institution -> its successor (ROR "successor")
    ASSOCIATED_WITH = "ASSOCIATED_WITH"  # Institution -> Institution (OpenAlex associated)
    IN = "IN"  # Mention -> Document
    REFERS_TO = "REFERS_TO"  # Mention -> Scientist / Institution / Topic {confidence, evidence}
    RESEARCHES = "RESEARCHES"  # Scientist -> Topic, read from text {source: "text", ...}
    # Scientist / Team / Institution -> ChainSegment, the derived talent-chain ranking
    # {segment, rank, works, citations, score}
    RANKED_IN = "RANKED_IN"
    TARGETS = "TARGETS"  # Case -> Scientist / Team / Institution
    FOR_DISTRICT = "FOR_DISTRICT"  # Case -> District
    HAS_EVENT = "HAS_EVENT"  # Case -> CaseEvent {version}
    WATCHES = "WATCHES"  # Watchlist -> Scientist / Team / Institution {since}
    CONCERNS = "CONCERNS"  # Event -> the Scientist / Team / Institution it is about
    MOVED = "MOVED"  # Scientist -> Move {year, before_years, before_countries}
    MOVED_FROM = "MOVED_FROM"  # Move -> the Institution left
    MOVED_TO = "MOVED_TO"  # Move -> the Institution joined
    # PushList -> the PushList of the same district and segment it follows
    FOLLOWS = "FOLLOWS"
    SENT = "SENT"  # Watchlist -> WebhookDelivery


# Every node but Migration (keyed by `version`) has the key property `id`, backed by a
# uniqueness constraint.
NODE_KEY = "id"

# Other identifiers that must stay unique where present (a real institution is one node).
UNIQUE_PROPERTIES: dict[Label, tuple[str, ...]] = {
    Label.SCIENTIST: ("openalex_id",),
    Label.INSTITUTION: ("ror_id",),
    Label.WORK: ("openalex_id",),
    Label.MIGRATION: ("version",),
    Label.API_KEY: ("hash",),
}
