"""Person-name normalisation: romanised forms of names written in hanzi, so that 张伟, "Zhang
Wei" and "Wei Zhang" meet in the scientist name index."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Two-character family names; every other Chinese family name is one character.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "闻人",
        "申屠",
        "太史",
        "钟离",
        "澹台",
        "公冶",
        "宗政",
        "濮阳",
        "淳于",
        "单于",
    ]
)


def has_hanzi(text: str) -> bool:
    return bool(_HAN.search(text))


def pinyin_forms(name: str) -> tuple[str, ...]:
    """("Zhang Wei", "Wei Zhang") for 张伟; () for a name without hanzi.

    Chinese names put the family name first; Western bylines put it last. Both orders are
    kept, the given name's syllables joined as bylines write them (张晓明 -> "Xiaoming").
    """
    if not has_hanzi(name):
        return ()
    hanzi = "".join(_HAN.findall(name))
    cut = 2 if len(hanzi) > 2 and hanzi[:2] in COMPOUND_SURNAMES else 1
    family = "".join(lazy_pinyin(hanzi[:cut], style=Style.NORMAL)).capitalize()
    given = "".join(lazy_pinyin(hanzi[cut:], style=Style.NORMAL)).capitalize()
    if not given:
        return (family,)
    return (f"{family} {given}", f"{given} {family}")


def hanzi_of(text: str) -> str:
    """The hanzi of `text`, in order, everything else dropped."""
    return "".join(_HAN.findall(text))


def pinyin_words(name: str) -> tuple[tuple[str, ...], ...]:
    """The lower-case words a Latin byline of the hanzi name may be written with, one tuple per
    spelling, word order aside: 张晓明 -> (("zhang", "xiaoming"), ("zhang", "xiao", "ming")).

    Bylines join the given name's syllables ("Xiaoming") or split them ("Xiao Ming",
    "Xiao-Ming", which indexes as two words); a search for the hanzi has to find both."""
    forms = pinyin_forms(name)
    if not forms:
        return ()
    joined = tuple(forms[0].lower().split())
    hanzi = hanzi_of(name)
    cut = 2 if len(hanzi) > 2 and hanzi[:2] in COMPOUND_SURNAMES else 1
    given = [s.lower() for s in lazy_pinyin(hanzi[cut:], style=Style.NORMAL)]
    if len(given) < 2:
        return (joined,)
    return (joined, (joined[0], *given))
