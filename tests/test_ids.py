"""schema/ids.py: the identifier parsers, in the short and URL forms users paste."""

from __future__ import annotations

import re

import pytest

from schema.ids import InvalidIdError, OpenAlexKind, openalex_id, orcid, ror_id, taxonomy_id

# One real id per OpenAlex entity kind, with the API path that holds it.
OPENALEX_EXAMPLES = [
    (OpenAlexKind.WORK, "works", "W2741809807"),
    (OpenAlexKind.AUTHOR, "authors", "A5023888391"),
    (OpenAlexKind.INSTITUTION, "institutions", "I136199984"),
    (OpenAlexKind.SOURCE, "sources", "S137773608"),
    (OpenAlexKind.TOPIC, "topics", "T10699"),
    (OpenAlexKind.CONCEPT, "concepts", "C41008148"),
    (OpenAlexKind.FUNDER, "funders", "F4320332161"),
    (OpenAlexKind.PUBLISHER, "publishers", "P4310320990"),
]


@pytest.mark.parametrize(("kind", "path", "short"), OPENALEX_EXAMPLES)
def test_openalex_short_and_url_forms_give_the_short_id(
    kind: OpenAlexKind, path: str, short: str
) -> None:
    forms = [
        short,
        short.lower(),
        f"  {short}\n",
        f"https://openalex.org/{short}",
        f"http://openalex.org/{short}",
        f"https://api.openalex.org/{path}/{short}",
        f"https://openalex.org/{path}/{short.lower()}",
    ]
    for form in forms:
        assert openalex_id(form) == short, form
        assert openalex_id(form, kind) == short, form


@pytest.mark.parametrize(("kind", "path", "short"), OPENALEX_EXAMPLES)
def test_openalex_rejects_an_id_of_another_kind(kind: OpenAlexKind, path: str, short: str) -> None:
    other = OpenAlexKind.AUTHOR if kind is not OpenAlexKind.AUTHOR else OpenAlexKind.WORK
    url = f"https://openalex.org/{short}"
    message = (
        rf"'{re.escape(url)}' is an OpenAlex {kind.name.lower()} id, not a {other.name.lower()} id"
    )
    with pytest.raises(InvalidIdError, match=message):
        openalex_id(url, other)


def test_openalex_rejects_a_url_whose_path_disagrees_with_the_letter() -> None:
    with pytest.raises(InvalidIdError, match=r"'https://openalex.org/authors/W2741809807'"):
        openalex_id("https://openalex.org/authors/W2741809807")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "W",
        "12345",
        "X12345",
        "W12a45",
        "W1234567890123",  # 13 digits: longer than any OpenAlex id
        "https://example.org/W2741809807",
        "https://openalex.org/people/A5023888391",
        "W2741809807 extra",
    ],
)
def test_openalex_rejects_garbage_naming_it(garbage: str) -> None:
    with pytest.raises(InvalidIdError, match=rf"^{re.escape(repr(garbage))} is not an OpenAlex id"):
        openalex_id(garbage)


def test_openalex_error_for_a_kind_says_what_was_expected() -> None:
    with pytest.raises(InvalidIdError, match=r"expected A<digits>"):
        openalex_id("not-an-id", OpenAlexKind.AUTHOR)


def test_invalid_id_error_is_a_value_error() -> None:
    # Pydantic turns ValueError (not other exceptions) raised in validators into errors.
    assert issubclass(InvalidIdError, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("domains/2", "domains/2"),
        ("fields/32", "fields/32"),
        ("subfields/3207", "subfields/3207"),
        ("https://openalex.org/subfields/3207", "subfields/3207"),
        ("https://openalex.org/fields/32", "fields/32"),
        ("http://openalex.org/domains/2", "domains/2"),
        ("Subfields/1702", "subfields/1702"),
        (" fields/17 ", "fields/17"),
    ],
)
def test_taxonomy_ids(value: str, expected: str) -> None:
    assert taxonomy_id(value) == expected


@pytest.mark.parametrize(
    "garbage",
    ["", "subfields", "subfields/", "subfield/3207", "topics/3207", "fields/x", "T10699", "32"],
)
def test_taxonomy_rejects_garbage_naming_it(garbage: str) -> None:
    with pytest.raises(InvalidIdError, match=rf"^{re.escape(repr(garbage))} is not an OpenAlex"):
        taxonomy_id(garbage)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),  # the check character X, upper-cased
        (" 0000-0002-1825-0097 ", "0000-0002-1825-0097"),
    ],
)
def test_orcid_with_a_valid_checksum(value: str, expected: str) -> None:
    assert orcid(value) == expected


@pytest.mark.parametrize(
    "bad_checksum",
    [
        "0000-0002-1825-0098",
        "https://orcid.org/0000-0002-1825-0098",
        "0000-0001-5109-3701",
        "0000-0002-1694-2330",
        "0000-0002-1825-009X",
    ],
)
def test_orcid_with_a_wrong_checksum(bad_checksum: str) -> None:
    message = rf"^{re.escape(repr(bad_checksum))} is not a valid ORCID iD \(checksum mismatch\)"
    with pytest.raises(InvalidIdError, match=message):
        orcid(bad_checksum)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "0000000218250097",
        "0000-0002-1825-009",
        "0000-0002-1825-00970",
        "0000-0002-1825-009Y",
        "https://example.org/0000-0002-1825-0097",
    ],
)
def test_orcid_rejects_garbage_naming_it(garbage: str) -> None:
    with pytest.raises(InvalidIdError, match=rf"^{re.escape(repr(garbage))} is not an ORCID iD"):
        orcid(garbage)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("02mhbdp94", "02mhbdp94"),
        ("https://ror.org/02mhbdp94", "02mhbdp94"),
        ("http://ror.org/02mhbdp94", "02mhbdp94"),
        ("02MHBDP94", "02mhbdp94"),
        ("https://ror.org/00f54p054", "00f54p054"),
        (" 03cve4549 ", "03cve4549"),
    ],
)
def test_ror_ids(value: str, expected: str) -> None:
    assert ror_id(value) == expected


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "12mhbdp94",  # must start with 0
        "02mhbdp9",  # too short
        "02mhbdp944",  # too long
        "02mhbdpx4",  # the last two characters are check digits
        "02mhbup94",  # u is not in Crockford base32
        "02ilbop94",  # nor i, l or o
        "https://example.org/02mhbdp94",
    ],
)
def test_ror_rejects_garbage_naming_it(garbage: str) -> None:
    with pytest.raises(InvalidIdError, match=rf"^{re.escape(repr(garbage))} is not a ROR id"):
        ror_id(garbage)
