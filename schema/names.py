"""Person-name normalisation: romanised forms of names written in hanzi, so that 张伟, "Zhang
Wei" and "Wei Zhang" meet in the scientist name index, and the pinyin facts the name
disambiguator needs (which romanised word is a Chinese family name, how a given name splits
into syllables)."""

from __future__ import annotations

import re
from functools import cache

from pypinyin import Style, lazy_pinyin
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

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


def hanzi_name_parts(name: str) -> tuple[str, tuple[str, ...]] | None:
    """("Zhang", ("wei",)) for 张伟, ("Ouyang", ("na", "na")) for 欧阳娜娜; None without hanzi.

    A name in hanzi says which part is the family name (the first character, or two for a
    compound surname) and how the given name splits into syllables, one per character.
    """
    if not has_hanzi(name):
        return None
    hanzi = "".join(_HAN.findall(name))
    cut = 2 if len(hanzi) > 2 and hanzi[:2] in COMPOUND_SURNAMES else 1
    family = "".join(lazy_pinyin(hanzi[:cut], style=Style.NORMAL)).capitalize()
    return family, tuple(lazy_pinyin(hanzi[cut:], style=Style.NORMAL))


def pinyin_forms(name: str) -> tuple[str, ...]:
    """("Zhang Wei", "Wei Zhang") for 张伟; () for a name without hanzi.

    Chinese names put the family name first; Western bylines put it last. Both orders are
    kept, the given name's syllables joined as bylines write them (张晓明 -> "Xiaoming").
    """
    parts = hanzi_name_parts(name)
    if parts is None:
        return ()
    family, syllables = parts
    given = "".join(syllables).capitalize()
    if not given:
        return (family,)
    return (f"{family} {given}", f"{given} {family}")


# Common Chinese family names in pinyin, most frequent first (after the 2020 household
# register ranking; homophones such as 徐/许 share one entry). The rank decides which word of
# "Zhang Wei" is the family name when a byline gives no other clue: the more common surname.
_PINYIN_SURNAMES = """
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng
liang xie song tang han deng feng cao peng zeng xiao tian dong pan yuan cai jiang yu du
ye cheng wei su lv ding ren lu yao shen zhong cui tan fan liao shi jin jia xia fu fang
zou xiong bai meng qin qiu hou yin xue yan duan lei long tao mao hao gu gong shao wan
qian dai mo kong xiang chang kang yi qiao lai wen hong xin ke zhuang ge niu qi zhai ou
jiao sui bian mi nie an ni guan bao zuo shu geng hua lan ji rao yue zhan mu ning tong
ling ai xing pang luan bi zang cen huo chai zhen jing shan pu
"""
CHINESE_SURNAMES: tuple[str, ...] = tuple(dict.fromkeys(_PINYIN_SURNAMES.split()))
_SURNAME_RANK = {name: rank for rank, name in enumerate(CHINESE_SURNAMES)}
# Then the compound surnames (欧阳 "ouyang"), and Cantonese, Hokkien and Wade-Giles spellings
# common in bylines from Hong Kong, Taiwan and Singapore, all ranked after the pinyin ones.
_OTHER_ROMANISATIONS = """chan wong cheung lee ng leung chow lau tsang hsu chiu kwok yeung tse
lam choi fung ho tsai hsieh kuo tseng chu yip mak"""
for _name in [
    *sorted("".join(lazy_pinyin(c, style=Style.NORMAL)) for c in COMPOUND_SURNAMES),
    *_OTHER_ROMANISATIONS.split(),
]:
    _SURNAME_RANK.setdefault(_name, len(_SURNAME_RANK))


def surname_rank(word: str) -> int | None:
    """How common a romanised Chinese family name is (0 = most common); None if it is none."""
    return _SURNAME_RANK.get(word.lower())


# Every toneless pinyin syllable pypinyin knows ("zhang", "lv", ...), interjections without a
# vowel ("hm", "ng") left out so that initials never read as syllables.
_SYLLABLES = frozenset(
    syllable
    for readings in pinyin_dict.values()
    for reading in readings.split(",")
    if re.search("[aeiouv]", syllable := to_normal(reading).replace("ü", "v"))
)


@cache
def pinyin_syllables(word: str) -> tuple[str, ...] | None:
    """("xiao", "ming") for "xiaoming"; None when the word is not pinyin.

    The split with the fewest syllables wins ("xian" stays one syllable: bylines join a
    given name's syllables, so "Xian" and "Xi'an" are compared joined), then the one with
    fewest one-letter syllables ("nana" is "na na", not "nan a"), which read as initials.
    """
    word = word.lower()
    if not word:
        return ()
    best: tuple[str, ...] | None = None
    for cut in range(min(6, len(word)), 0, -1):
        if word[:cut] in _SYLLABLES:
            rest = pinyin_syllables(word[cut:])
            if rest is not None:
                candidate = (word[:cut], *rest)
                if best is None or _split_cost(candidate) < _split_cost(best):
                    best = candidate
    return best


def _split_cost(syllables: tuple[str, ...]) -> tuple[int, int]:
    return len(syllables), sum(len(s) == 1 for s in syllables)


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
