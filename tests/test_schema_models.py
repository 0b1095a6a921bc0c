"""The domain models in schema/: valid examples, rejected values, Neo4j-safe properties."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
import re
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import pydantic
import pydantic_settings
import pytest

import schema
from schema.apikey import ApiKey, Role
from schema.audit import Actor, AuditEntry
from schema.base import CuratedModel, DomainModel
from schema.case import Case, CaseEvent, CaseFields, FieldChange, Target
from schema.document import Document, MentionKind, TextMention
from schema.identity import IdentityDecision
from schema.ids import InvalidIdError
from schema.industry import ChainSegment, Industry
from schema.institution import (
    Institution,
    InstitutionLocation,
    InstitutionRelation,
    institution_key,
)
from schema.push import Candidate, PushEntry, PushList, Reason, Recommendation
from schema.region import Region, RegionKind
from schema.scientist import Scientist
from schema.team import Team, TeamMembership, team_id
from schema.topic import Domain, Field, Subfield, Taxon, TaxonomyLevel, Topic, taxonomy_id_of
from schema.venue import Funder, PublicationSource
from schema.watch import Event, Watchlist
from schema.webhook import Delivery, Pending
from schema.work import Authorship, Funding, Work, WorkTopic

UPDATED = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)
TSINGHUA_ROR = "03cve4549"
TSINGHUA_OPENALEX = "I99065089"
CARBERRY = "A5023888391"
CARBERRY_ORCID = "0000-0002-1825-0097"
TEAM = "team-" + hashlib.sha256(f"{CARBERRY}|{TSINGHUA_ROR}".encode()).hexdigest()[:16]

# One valid example per model, from realistic values; the tests below vary these.
EXAMPLES: dict[type[pydantic.BaseModel], dict[str, Any]] = {
    Document: {
        "id": "doc-0123456789abcdef",
        "path": "/data/bios/li-ming.txt",
        "title": "Dr. Li Ming",
        "language": "en",
        "sha256": "0123456789abcdef" * 4,
        "chars": 120,
        "ingested_at": datetime(2026, 11, 29, tzinfo=UTC),
    },
    TextMention: {
        "id": "doc-0123456789abcdef:4-11",
        "document_id": "doc-0123456789abcdef",
        "start": 4,
        "end": 11,
        "text": "Li Ming",
        "kind": MentionKind.PERSON,
        "confidence": 0.7,
        "rule": "after-title",
    },
    ApiKey: {
        "id": "key_0123456789abcdef",
        "name": "frontend",
        "role": Role.VIEWER,
        "created_at": datetime(2026, 11, 28, tzinfo=UTC),
    },
    Scientist: {
        "id": f"https://openalex.org/{CARBERRY}",
        "name": "Josiah Carberry",
        "alternative_names": ["J. S. Carberry"],
        "name_pinyin": [],
        "orcid": f"https://orcid.org/{CARBERRY_ORCID}",
        "openalex_id": CARBERRY,
        "works_count": 12,
        "cited_by_count": 340,
        "h_index": 5,
        "updated_at": UPDATED,
    },
    Work: {
        "id": "W2741809807",
        "title": "The state of OA: a large-scale analysis of the prevalence and impact of "
        "Open Access articles",
        "doi": "https://doi.org/10.7717/PEERJ.4375",
        "type": "article",
        "language": "en",
        "publication_year": 2018,
        "publication_date": date(2018, 2, 13),
        "cited_by_count": 1000,
        "openalex_id": "https://openalex.org/W2741809807",
    },
    Authorship: {
        "scientist_id": CARBERRY,
        "work_id": "W2741809807",
        "position": 0,
        "author_position": "first",
        "is_corresponding": True,
        "raw_author_name": "Josiah Carberry",
        "raw_affiliation": ["Brown University, Providence, RI"],
        "institution_ids": ["05gq02987"],
    },
    WorkTopic: {"topic_id": "T10699", "score": 0.9887, "primary": True},
    Funding: {"funder_id": "F4320306151", "award_ids": ["G-2017-9800"]},
    PublicationSource: {
        "id": "https://openalex.org/S4306462995",
        "name": "Cambridge University Press eBooks",
        "issns": [],
        "type": "ebook platform",
        "publisher": "Cambridge University Press",
    },
    Funder: {
        "id": "https://openalex.org/F4320306110",
        "name": "U.S. Department of Homeland Security",
        "ror_id": "https://ror.org/00jyr0d86",
    },
    Institution: {
        "id": TSINGHUA_ROR,
        "name": "Tsinghua University",
        "acronyms": ["THU"],
        "acronym_languages": [""],
        "labels": ["Tsinghua University", "清华大学"],
        "label_languages": ["en", "zh"],
        "ror_id": f"https://ror.org/{TSINGHUA_ROR}",
        "openalex_id": f"https://openalex.org/{TSINGHUA_OPENALEX}",
        "type": "education",
        "country_code": "cn",
        "city": "Beijing",
        "latitude": 40.0,
        "longitude": 116.33,
        "works_count": 300000,
        "cited_by_count": 6000000,
        "updated_at": UPDATED,
    },
    InstitutionRelation: {
        "institution_id": f"https://ror.org/{TSINGHUA_ROR}",
        "kind": "child",
        "related_id": "01vceef04",
        "label": "Tsinghua Shenzhen International Graduate School",
    },
    InstitutionLocation: {
        "institution_id": TSINGHUA_ROR,
        "geonames_id": 1816670,
        "city": "Beijing",
        "country_code": "cn",
        "country_name": "China",
        "subdivision_name": "Beijing",
        "subdivision_code": "22",
        "latitude": 39.9075,
        "longitude": 116.39723,
    },
    Domain: {"id": "https://openalex.org/domains/2", "name": "Social Sciences"},
    Field: {"id": "fields/32", "name": "Psychology", "domain_id": "domains/2"},
    Subfield: {"id": "subfields/3207", "name": "Social Psychology", "field_id": "fields/32"},
    Topic: {
        "id": "https://openalex.org/T10699",
        "name": "Primate Behavior and Ecology",
        "description": "The social behaviour, cognition and ecology of primates.",
        "keywords": ["primate behavior", "social learning"],
        "subfield_id": "https://openalex.org/subfields/3207",
        "works_count": 52000,
        "cited_by_count": 900000,
    },
    Team: {
        "id": TEAM,
        "name": "Carberry group, Tsinghua University",
        "lead_scientist_id": CARBERRY,
        "institution_id": TSINGHUA_ROR,
        "topic_ids": ["T10699", "https://openalex.org/T10003"],
        "first_year": 2012,
        "last_year": 2024,
        "source": "derived",
    },
    TeamMembership: {
        "scientist_id": "A5000000001",
        "team_id": TEAM,
        "role": "member",
        "first_year": 2015,
        "last_year": 2019,
    },
    Industry: {
        "id": "semiconductors",
        "name_en": "Semiconductors",
        "name_zh": "半导体",
        "description": "Chips, from materials and equipment to design and packaging.",
        "source": "curated",
    },
    ChainSegment: {
        "id": "semiconductors/wafer-fabrication",
        "industry_id": "semiconductors",
        "name_en": "Wafer fabrication",
        "name_zh": "晶圆制造",
        "stage": "midstream",
        "order": 3,
        "topic_ids": ["T10299"],
        "subfield_ids": ["subfields/2208", "https://openalex.org/subfields/2504"],
        "keywords": ["lithography", "etching"],
        "source": "curated",
    },
    Region: {
        "id": "cn/suzhou/kunshan",
        "kind": "district",
        "name_en": "Kunshan",
        "name_zh": "昆山",
        "parent_id": "cn/suzhou",
        "industry_ids": ["semiconductors", "new-energy-vehicles"],
        "latitude": 31.385,
        "longitude": 120.98,
        "source": "curated",
    },
    IdentityDecision: {
        "kind": "split",
        "left": ["W2741809807/1"],
        "right": ["W2100837269/3"],
        "curator": "analyst@example.org",
        "reason": "two people: the CVs differ",
        "decided_at": UPDATED,
    },
    # People's work: cases, the audit, watchlists and push lists (issue 18).
    Actor: {"name": "recruiter@example.org", "key_id": "key_0123", "role": "recruiter"},
    AuditEntry: {
        "id": "audit-0123456789abcdef",
        "at": UPDATED,
        "action": "moveCase",
        "entity": "case-0123456789abcdef",
        "key_id": "key_0123",
        "key_name": "recruiter@example.org",
        "role": "recruiter",
        "summary": "IDENTIFIED -> CONTACTED",
    },
    CaseFields: {
        "district": "cn/suzhou/suzhou-industrial-park",
        "programme": "TALENT",
        "tier": "LEADING",
        "owner": "recruiter@example.org",
        "next_action": "first call",
        "next_action_due": "2027-01-15",
        "links": ["https://example.org/cv.pdf"],
    },
    Case: {
        "id": "case-0123456789abcdef",
        "district": "cn/suzhou/suzhou-industrial-park",
        "programme": "TALENT",
        "owner": "recruiter@example.org",
        "target_kind": "SCIENTIST",
        "target_id": "A5071739156",
        "stage": "CONTACTED",
        "version": 2,
        "created_at": UPDATED,
        "updated_at": UPDATED,
    },
    FieldChange: {"field": "stage", "before": "IDENTIFIED", "after": "CONTACTED"},
    CaseEvent: {
        "id": "case-0123456789abcdef/2",
        "case_id": "case-0123456789abcdef",
        "version": 2,
        "action": "MOVED",
        "at": UPDATED,
        "actor": "recruiter@example.org",
        "changes": [{"field": "stage", "before": "IDENTIFIED", "after": "CONTACTED"}],
        "note": "called; interested",
    },
    Target: {
        "id": "leading-talents",
        "name_en": "Leading talents and teams",
        "name_zh": "领军人才（团队）",
        "since": 2022,
        "year": 2025,
        "value": 10000,
        "qualifier": "ABOUT",
        "kinds": ["SCIENTIST", "TEAM"],
        "tiers": ["LEADING"],
    },
    Candidate: {
        "entity_id": "A5071739156",
        "kind": "SCIENTIST",
        "name": "Li Ming",
        "segment_id": "artificial-intelligence/natural-language-processing",
        "chain_rank": 3,
        "works": 12,
        "citations": 340,
        "evidence": 21.5,
    },
    Reason: {"code": "EVIDENCE", "text": "12 works in the segment", "value": 21.5},
    Recommendation: {
        "entity_id": "A5071739156",
        "kind": "SCIENTIST",
        "name": "Li Ming",
        "segment_id": "artificial-intelligence/natural-language-processing",
        "segment_name": "Natural language processing",
        "score": 23.7,
        "evidence": 21.5,
        "reach": 1.1,
        "mobility": 1.0,
        "reasons": [{"code": "EVIDENCE", "text": "12 works in the segment", "value": 21.5}],
    },
    PushEntry: {
        "rank": 1,
        "entity_id": "A5071739156",
        "kind": "SCIENTIST",
        "name": "Li Ming",
        "score": 23.7,
        "reasons": [{"code": "EVIDENCE", "text": "12 works in the segment", "value": 21.5}],
    },
    PushList: {
        "id": "push-0123456789abcdef",
        "district": "cn/suzhou/suzhou-industrial-park",
        "segment": "artificial-intelligence/natural-language-processing",
        "version": 1,
        "as_of": "2026-12-01",
        "pushed_at": UPDATED,
        "pushed_by": "recruiter@example.org",
    },
    Event: {
        "id": "work:A5071739156:W2741809807",
        "kind": "NEW_WORK",
        "entity_id": "A5071739156",
        "entity_kind": "SCIENTIST",
        "at": UPDATED,
        "summary": "a new work: Attention is all you need",
        "facts": {"work": "W2741809807"},
    },
    Delivery: {
        "id": "delivery-0123456789abcdef",
        "watchlist_id": "watch-0123456789abcdef",
        "event_id": "work:A5071739156:W2741809807",
        "attempt": 2,
        "url": "https://hooks.example.org/talentmap",
        "at": UPDATED,
        "ok": False,
        "status": 503,
        "error": "503 Service Unavailable",
        "ms": 41.5,
    },
    Pending: {
        "watchlist_id": "watch-0123456789abcdef",
        "url": "https://hooks.example.org/talentmap",
        "secret": "0123456789abcdef" * 4,
        "event": {
            "id": "work:A5071739156:W2741809807",
            "kind": "NEW_WORK",
            "entity_id": "A5071739156",
            "entity_kind": "SCIENTIST",
            "at": UPDATED,
            "summary": "a new work: Attention is all you need",
            "facts": {"work": "W2741809807"},
        },
        "attempts": 1,
        "last_at": UPDATED,
    },
    Watchlist: {
        "id": "watch-0123456789abcdef",
        "name": "NLP leads",
        "owner": "recruiter@example.org",
        "created_at": UPDATED,
        "entity_ids": ["A5071739156"],
    },
}


M = TypeVar("M", bound=pydantic.BaseModel)


def make(model: type[M], **changes: Any) -> M:
    return model(**{**EXAMPLES[model], **changes})


def rejects(model: type[pydantic.BaseModel], message: str, **changes: Any) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        make(model, **changes)


def _schema_models() -> list[type[pydantic.BaseModel]]:
    found: list[type[pydantic.BaseModel]] = []
    for info in pkgutil.iter_modules(schema.__path__):
        module = importlib.import_module(f"schema.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            # Settings (schema/settings.py) is configuration from the environment, not the domain;
            # the bases only share fields
            if not issubclass(obj, pydantic.BaseModel) or obj in (DomainModel, CuratedModel, Taxon):
                continue
            if issubclass(obj, pydantic_settings.BaseSettings):
                continue
            if obj.__module__ == module.__name__:
                found.append(obj)
    return found


MODELS = list(EXAMPLES)


def test_every_model_in_schema_has_an_example() -> None:
    missing = {model.__qualname__ for model in _schema_models()} - {m.__qualname__ for m in MODELS}
    assert not missing, f"add a valid example for {sorted(missing)} to EXAMPLES"


# Properties and general model behaviour -----------------------------------------------------


def _neo4j_safe(value: object) -> bool:
    scalar = (str, int, float, bool, type(None))
    if isinstance(value, list):
        return all(isinstance(item, scalar) for item in value)
    return isinstance(value, scalar)


def _properties(instance: pydantic.BaseModel) -> dict[str, Any]:
    if isinstance(instance, DomainModel):
        return instance.properties()
    return instance.model_dump(mode="json")


# Read models that hold nested values (a case event's changes, reasons, an event's facts, the
# event a webhook delivery is pending for): the graph keeps those as JSON text
# (graph/write/case.py, push.py, event.py) or assembles them from nodes, not as properties.
NESTED = (CaseEvent, Recommendation, PushEntry, PushList, Event, Pending)
FLAT = [model for model in MODELS if model not in NESTED]


@pytest.mark.parametrize("model", FLAT, ids=lambda model: model.__name__)
def test_properties_hold_only_scalars_and_lists_of_scalars(
    model: type[pydantic.BaseModel],
) -> None:
    props = _properties(make(model))
    assert set(props) == set(model.model_fields) | set(model.model_computed_fields)
    unsafe = {key: value for key, value in props.items() if not _neo4j_safe(value)}
    assert not unsafe


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_properties_validate_back_to_the_same_model(model: type[pydantic.BaseModel]) -> None:
    instance = make(model)
    stored = _properties(instance)
    for computed in model.model_computed_fields:  # derived on load, not an input
        del stored[computed]
    assert model.model_validate(stored) == instance


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_models_are_frozen(model: type[pydantic.BaseModel]) -> None:
    instance = make(model)
    field = next(iter(model.model_fields))
    before = getattr(instance, field)
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        setattr(instance, field, before)
    assert getattr(instance, field) == before


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_models_reject_unknown_fields(model: type[pydantic.BaseModel]) -> None:
    rejects(model, r"surname\n  Extra inputs are not permitted", surname="Carberry")


def test_domain_model_properties_turn_datetimes_and_tuples_json_safe() -> None:
    props = make(Scientist).properties()
    assert props["updated_at"] == "2025-01-31T12:00:00Z"
    assert props["alternative_names"] == ["J. S. Carberry"]
    assert props["source"] == "openalex"
    assert props["names"] == ["Josiah Carberry", "J. S. Carberry"]
    assert make(Work).properties()["publication_date"] == "2018-02-13"


def test_strings_are_stripped_and_blank_names_rejected() -> None:
    assert (
        make(Topic, name="  Primate Behavior and Ecology ").name == "Primate Behavior and Ecology"
    )
    rejects(Topic, r"name\n  String should have at least 1 character", name="   ")
    rejects(Topic, r"source\n  String should have at least 1 character", source="")


# Scientist, Work, Authorship ------------------------------------------------------------------


def test_scientist_ids_are_canonical() -> None:
    scientist = make(Scientist)
    assert scientist.id == CARBERRY
    assert scientist.orcid == CARBERRY_ORCID


def test_scientist_rejects_bad_ids_and_counts() -> None:
    rejects(Scientist, r"'W2741809807' is an OpenAlex work id, not a author id", id="W2741809807")
    rejects(
        Scientist, r"'0000-0002-1825-0098' is not a valid ORCID iD", orcid=CARBERRY_ORCID[:-1] + "8"
    )
    rejects(Scientist, r"'carberry' is not an ORCID iD", orcid="carberry")
    rejects(Scientist, r"h_index\n  Input should be greater than or equal to 0", h_index=-1)


def test_a_text_person_has_a_text_id_and_no_other_form() -> None:
    assert make(Scientist, id="text-0123456789abcdef", source="text").id == "text-0123456789abcdef"
    rejects(Scientist, r"'text-0123' is not an OpenAlex id", id="text-0123")


def test_a_mention_ends_after_it_starts() -> None:
    rejects(TextMention, "end 4 is not after start 4", end=4)


def test_work_normalises_the_doi_and_rejects_a_non_doi() -> None:
    work = make(Work)
    assert work.doi == "10.7717/peerj.4375"
    assert work.openalex_id == "W2741809807"
    rejects(Work, r"'peerj\.4375' is not a DOI", doi="peerj.4375")
    rejects(Work, r"'A5023888391' is an OpenAlex author id, not a work id", id=CARBERRY)
    rejects(
        Work,
        r"publication_year\n  Input should be less than or equal to 2100",
        publication_year=3018,
    )


def test_authorship_rejects_a_negative_position() -> None:
    rejects(Authorship, r"position\n  Input should be greater than or equal to 0", position=-1)


# Institution: the key rule ----------------------------------------------------------------------


def test_institution_key_prefers_ror_then_openalex() -> None:
    ror_url = f"https://ror.org/{TSINGHUA_ROR.upper()}"
    assert institution_key(ror=ror_url, openalex=TSINGHUA_OPENALEX) == TSINGHUA_ROR
    openalex_url = f"https://openalex.org/{TSINGHUA_OPENALEX}"
    assert institution_key(ror=None, openalex=openalex_url) == TSINGHUA_OPENALEX
    with pytest.raises(InvalidIdError, match="needs a ROR id or an OpenAlex id"):
        institution_key(ror=None, openalex=None)


def test_institution_is_keyed_by_ror_when_known() -> None:
    institution = make(Institution)
    assert (institution.id, institution.ror_id) == (TSINGHUA_ROR, TSINGHUA_ROR)
    assert institution.openalex_id == TSINGHUA_OPENALEX
    rejects(
        Institution,
        rf"institution id '{TSINGHUA_OPENALEX}' should be '{TSINGHUA_ROR}'",
        id=TSINGHUA_OPENALEX,
    )


def test_institution_without_ror_is_keyed_by_openalex() -> None:
    institution = make(Institution, id=TSINGHUA_OPENALEX, ror_id=None)
    assert institution.id == TSINGHUA_OPENALEX
    rejects(
        Institution,
        rf"institution id '{TSINGHUA_ROR}' should be '{TSINGHUA_OPENALEX}'",
        ror_id=None,
    )
    rejects(Institution, "needs a ROR id or an OpenAlex id", ror_id=None, openalex_id=None)


def test_institution_rejects_bad_ids_and_values() -> None:
    rejects(Institution, r"'ror:03cve4549' is not a ROR id", ror_id="ror:03cve4549")
    rejects(
        Institution,
        r"'A5023888391' is an OpenAlex author id, not a institution id",
        openalex_id=CARBERRY,
    )
    rejects(Institution, r"'CHN' is not an ISO 3166-1 alpha-2 country code", country_code="CHN")
    rejects(Institution, r"latitude\n  Input should be less than or equal to 90", latitude=90.5)


def test_institution_country_code_is_upper_cased() -> None:
    assert make(Institution, country_code=" cn ").country_code == "CN"


def test_institution_names_and_chinese_name() -> None:
    institution = make(Institution, openalex_name="Tsinghua Univ.", openalex_name_zh="清華大學")
    assert institution.name_zh == "清华大学"  # a Chinese ROR label wins over OpenAlex's
    assert institution.names == (
        "Tsinghua University",
        "清华大学",
        "THU",
        "Tsinghua Univ.",
        "清華大學",
    )
    without_label = make(Institution, labels=["Tsinghua University"], label_languages=["en"])
    assert without_label.name_zh is None
    assert without_label.model_copy(update={"openalex_name_zh": "清華大學"}).name_zh == "清華大學"


def test_institution_parallel_lists_must_match() -> None:
    rejects(Institution, "parallel lists differ in length", label_languages=["en"])
    rejects(
        Institution,
        "parallel lists differ in length",
        lineage_openalex_ids=["I4210162446"],
        lineage_ror_ids=[],
    )
    rejects(
        Institution,
        "String should match pattern",
        lineage_openalex_ids=["I4210162446"],
        lineage_ror_ids=["not-ror"],
    )
    assert make(
        Institution, lineage_openalex_ids=["I4210162446"], lineage_ror_ids=[""]
    ).lineage_ror_ids == ("",)


def test_institution_relation_and_location() -> None:
    assert make(InstitutionRelation).institution_id == TSINGHUA_ROR
    rejects(InstitutionRelation, "cannot be its own child", related_id=TSINGHUA_ROR)
    rejects(InstitutionRelation, "Input should be 'parent', 'child'", kind="sibling")
    location = make(InstitutionLocation)
    assert (location.city_id, location.country_code) == ("geonames/1816670", "CN")


# Topic hierarchy ------------------------------------------------------------------------------


def test_topic_hierarchy_from_openalex() -> None:
    topic, subfield, field, domain = make(Topic), make(Subfield), make(Field), make(Domain)
    assert (topic.id, topic.subfield_id) == ("T10699", "subfields/3207")
    assert (subfield.id, subfield.field_id) == ("subfields/3207", "fields/32")
    assert (field.id, field.domain_id) == ("fields/32", "domains/2")
    assert domain.id == "domains/2"


def test_taxonomy_id_of_checks_the_level() -> None:
    assert taxonomy_id_of("https://openalex.org/fields/17", TaxonomyLevel.FIELD) == "fields/17"
    with pytest.raises(InvalidIdError, match=r"^'fields/17' is not a subfield id"):
        taxonomy_id_of("fields/17", TaxonomyLevel.SUBFIELD)
    with pytest.raises(InvalidIdError, match=r"^'topics/17' is not an OpenAlex domain"):
        taxonomy_id_of("topics/17", TaxonomyLevel.DOMAIN)


@pytest.mark.parametrize(
    ("model", "changes", "message"),
    [
        (Topic, {"id": "A5023888391"}, r"'A5023888391' is an OpenAlex author id, not a topic id"),
        (Topic, {"id": "T10699x"}, r"'T10699x' is not an OpenAlex id"),
        (Topic, {"subfield_id": "fields/17"}, r"'fields/17' is not a subfield id"),
        (Topic, {"subfield_id": "3207"}, r"'3207' is not an OpenAlex domain, field or subfield"),
        (Topic, {"keywords": ["ok", " "]}, r"keywords\.1\n  String should have at least 1"),
        (Topic, {"works_count": -5}, r"works_count\n  Input should be greater than or equal to 0"),
        (Subfield, {"id": "fields/32"}, r"'fields/32' is not a subfield id"),
        (Subfield, {"field_id": "subfields/3207"}, r"'subfields/3207' is not a field id"),
        (Field, {"id": "domains/2"}, r"'domains/2' is not a field id"),
        (Field, {"domain_id": "fields/32"}, r"'fields/32' is not a domain id"),
        (Domain, {"id": "subfields/3207"}, r"'subfields/3207' is not a domain id"),
        (Domain, {"name": ""}, r"name\n  String should have at least 1 character"),
    ],
)
def test_topic_hierarchy_rejects(
    model: type[pydantic.BaseModel], changes: dict[str, Any], message: str
) -> None:
    rejects(model, message, **changes)


# Teams ----------------------------------------------------------------------------------------


def test_team_id_is_a_stable_hash_of_lead_and_institution() -> None:
    assert team_id(CARBERRY, TSINGHUA_ROR) == TEAM
    assert re.fullmatch(r"team-[0-9a-f]{16}", TEAM)
    # The same ids in other forms give the same team.
    lead_url = f"https://openalex.org/{CARBERRY.lower()}"
    assert team_id(lead_url, f"https://ror.org/{TSINGHUA_ROR}") == TEAM
    alone = "team-" + hashlib.sha256(f"{CARBERRY}|".encode()).hexdigest()[:16]
    assert team_id(CARBERRY, None) == alone
    assert team_id(CARBERRY, TSINGHUA_OPENALEX) not in {TEAM, alone}
    assert team_id("A5000000001", TSINGHUA_ROR) != TEAM


def test_team_id_rejects_a_lead_that_is_not_an_author() -> None:
    with pytest.raises(InvalidIdError, match=r"'I99065089' is an OpenAlex institution id"):
        team_id(TSINGHUA_OPENALEX, TSINGHUA_ROR)
    with pytest.raises(InvalidIdError, match=r"'Tsinghua' is not an institution id"):
        team_id(CARBERRY, "Tsinghua")


def test_team_is_valid_with_a_derived_id() -> None:
    team = make(Team)
    assert team.topic_ids == ("T10699", "T10003")
    assert make(Team, first_year=2020, last_year=2020).id == TEAM
    assert make(Team, institution_id=None, first_year=None).id == TEAM


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "team-1d4b581a434"}, r"'team-1d4b581a434' is not a team id"),  # 11 hex digits
        ({"id": "team-" + "a" * 41}, r"'team-a{41}' is not a team id"),
        ({"id": "team-1D4B581A43428FBC"}, r"'team-1D4B581A43428FBC' is not a team id"),
        ({"id": "1d4b581a43428fbc"}, r"'1d4b581a43428fbc' is not a team id"),
        ({"id": "team-1d4b581a43428fbg"}, r"'team-1d4b581a43428fbg' is not a team id"),
        ({"lead_scientist_id": "W2741809807"}, r"'W2741809807' is an OpenAlex work id"),
        ({"institution_id": "Tsinghua"}, r"'Tsinghua' is not an institution id"),
        ({"topic_ids": ["T10699", "subfields/3207"]}, r"'subfields/3207' is not an OpenAlex id"),
        ({"first_year": 2025, "last_year": 2024}, r"first_year 2025 is after last_year 2024"),
        ({"first_year": 999}, r"first_year\n  Input should be greater than or equal to 1000"),
        ({"name": " "}, r"name\n  String should have at least 1 character"),
    ],
)
def test_team_rejects(changes: dict[str, Any], message: str) -> None:
    rejects(Team, message, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role": "boss"}, r"role\n  Input should be 'lead' or 'member'"),
        ({"team_id": "team-xyz"}, r"'team-xyz' is not a team id"),
        ({"scientist_id": "T10699"}, r"'T10699' is an OpenAlex topic id, not a author id"),
        ({"first_year": 2019, "last_year": 2015}, r"first_year 2019 is after last_year 2015"),
    ],
)
def test_team_membership_rejects(changes: dict[str, Any], message: str) -> None:
    rejects(TeamMembership, message, **changes)


def test_team_membership_of_a_lead() -> None:
    membership = make(TeamMembership, scientist_id=f"https://openalex.org/{CARBERRY}", role="lead")
    assert (membership.scientist_id, membership.role) == (CARBERRY, "lead")
    assert make(TeamMembership, first_year=None, last_year=None).last_year is None


# Industries and chains ------------------------------------------------------------------------


def test_chain_segment_normalises_its_ids() -> None:
    segment = make(ChainSegment)
    assert segment.subfield_ids == ("subfields/2208", "subfields/2504")
    assert segment.industry_id == segment.id.split("/")[0]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "New Energy"}, r"'New Energy' is not a slug"),
        ({"id": "new--energy"}, r"'new--energy' is not a slug"),
        ({"id": "-semiconductors"}, r"'-semiconductors' is not a slug"),
        ({"id": "semiconductors/chips"}, r"'semiconductors/chips' is not a slug"),
        ({"name_zh": ""}, r"name_zh\n  String should have at least 1 character"),
        ({"name_en": None}, r"name_en\n  Input should be a valid string"),
    ],
)
def test_industry_rejects(changes: dict[str, Any], message: str) -> None:
    rejects(Industry, message, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "semiconductors"}, r"'semiconductors' is not a chain segment id"),
        ({"id": "semiconductors/wafer/fab"}, r"'semiconductors/wafer/fab' is not a chain segment"),
        ({"id": "Semiconductors/Wafer"}, r"'Semiconductors/Wafer' is not a chain segment id"),
        (
            {"industry_id": "batteries"},
            r"chain segment id 'semiconductors/wafer-fabrication' is not under industry "
            r"'batteries'",
        ),
        ({"industry_id": "Semiconductors"}, r"'Semiconductors' is not a slug"),
        (
            {"stage": "sideways"},
            r"stage\n  Input should be 'upstream', 'midstream' or 'downstream'",
        ),
        ({"order": -1}, r"order\n  Input should be greater than or equal to 0"),
        ({"topic_ids": ["W2741809807"]}, r"'W2741809807' is an OpenAlex work id, not a topic id"),
        ({"subfield_ids": ["fields/22"]}, r"'fields/22' is not a subfield id"),
        ({"keywords": [""]}, r"keywords\.0\n  String should have at least 1 character"),
    ],
)
def test_chain_segment_rejects(changes: dict[str, Any], message: str) -> None:
    rejects(ChainSegment, message, **changes)


# Regions --------------------------------------------------------------------------------------

CHINA: dict[str, Any] = {"id": "CN", "kind": "country", "parent_id": None, "industry_ids": []}
SUZHOU: dict[str, Any] = {"id": "cn/suzhou", "kind": "city", "parent_id": "CN"}


def test_regions_country_city_district() -> None:
    china = make(Region, **CHINA, name_en="China", name_zh="中国")
    suzhou = make(Region, **SUZHOU, name_en="Suzhou", name_zh="苏州")
    kunshan = make(Region)
    assert [china.kind, suzhou.kind, kunshan.kind] == list(RegionKind)
    assert (suzhou.parent_id, kunshan.parent_id) == (china.id, suzhou.id)
    assert kunshan.properties()["kind"] == "district"
    assert make(Region, **CHINA, name_zh=None, latitude=None).id == "CN"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({**CHINA, "id": "cn"}, r"'cn' is not a country id \(expected an upper-case ISO 3166-1"),
        ({**CHINA, "id": "CHN"}, r"'CHN' is not a country id"),
        ({**CHINA, "parent_id": "AS"}, r"country 'CN' cannot have a parent \('AS'\)"),
        ({**CHINA, "industry_ids": ["semiconductors"]}, r"country 'CN' cannot have industry_ids"),
        ({**SUZHOU, "id": "CN/Suzhou"}, r"'CN/Suzhou' is not a city id \(expected <country>/"),
        ({**SUZHOU, "id": "suzhou"}, r"'suzhou' is not a city id"),
        ({**SUZHOU, "id": "cn/su_zhou"}, r"'cn/su_zhou' is not a city id"),
        ({**SUZHOU, "id": "cn/suzhou/kunshan"}, r"'cn/suzhou/kunshan' is not a city id"),
        ({**SUZHOU, "parent_id": None}, r"city 'cn/suzhou' needs a parent_id"),
        ({**SUZHOU, "parent_id": "US"}, r"city 'cn/suzhou' has parent_id 'US', expected 'CN'"),
        ({"id": "cn/suzhou"}, r"'cn/suzhou' is not a district id"),
        ({"parent_id": "CN"}, r"district 'cn/suzhou/kunshan' has parent_id 'CN', expected "),
        ({"parent_id": None}, r"district 'cn/suzhou/kunshan' needs a parent_id"),
        ({"kind": "province"}, r"kind\n  Input should be 'country', 'city' or 'district'"),
        ({"industry_ids": ["Semiconductors"]}, r"'Semiconductors' is not a slug"),
        ({"latitude": -90.5}, r"latitude\n  Input should be greater than or equal to -90"),
        ({"longitude": 180.5}, r"longitude\n  Input should be less than or equal to 180"),
        ({"longitude": float("nan")}, r"longitude\n  Input should be a finite number"),
        ({"name_en": ""}, r"name_en\n  String should have at least 1 character"),
    ],
)
def test_region_rejects(changes: dict[str, Any], message: str) -> None:
    rejects(Region, message, **changes)
