"""Person names as the disambiguator compares them: reading, name keys and blocks.

Every mention gets a name key, the family name and the given name's first letter ("zhang w"),
and only mentions of one block are compared. Chinese names are read properly: hanzi go through
pypinyin (张伟), the family name of "Zhang Wei" / "Wei Zhang" is the word that is the more
common Chinese surname, and a given name's syllables are compared joined ("Xiao-Ming" =
"Xiaoming"). So "Zhang Wei", "Wei Zhang", "W. Zhang" and 张伟 share the block "zhang w"; "Wang
Wei" is "wang w". Two different full given names never merge; an initial is compatible with
any name it starts (`name_conflict`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from ingest.matching.fold import fold as accents_folded
from schema.names import hanzi_name_parts, pinyin_syllables, surname_rank

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

    @cached_property
    def block(self) -> str:
        """The blocking key: family name and first given initial ("zhang w")."""
        return f"{self.family} {self.given[0][0]}" if self.given else self.family

    @cached_property
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


def name_key(name: PersonName) -> str:
    """The block with the full given name ("zhang w|wei"): how often a name recurs in its
    block is counted by this key."""
    return f"{name.block}|{name.full_given or ''}"
