"""Facts from text (talent bios, news, award and recruitment lists; English and Chinese) with
rules and gazetteers alone: no statistical model is needed, or downloadable here.

- Institutions and topics: spaCy PhraseMatchers built from the graph's own gazetteers
  (institution names, labels in every language, aliases and acronyms; topic names and
  keywords). English text is matched on lower-cased tokens (acronyms on their exact form),
  Chinese on characters (spaCy's blank `zh` segments by character).
- Honours and titles (academician 院士, professor 教授, fellow, distinguished young scholar
  杰青, ...): a small lexicon, `TITLES`.
- People: English names right after a title word ("Prof. Wei Zhang", "Dr. Anna Schmidt") or
  before a title phrase ("Wei Zhang, professor of ..."); Chinese names as a family name and one
  or two given characters right before a title or a bio marker (张伟教授, or 李娜 and a
  full-width comma and 女).
- Years: four-digit years in a plausible range (and 2015年).

Each mention keeps its character offsets in the document's plain text, a confidence, and the
graph id it links to when the name means exactly one entity (a name shared by several
institutions is kept unlinked: a wrong link is worse than none).
"""

from __future__ import annotations

import html.parser
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.util import filter_spans

from schema.document import MentionKind as MentionKind
from schema.names import COMPOUND_SURNAMES


@dataclass(frozen=True)
class Mention:
    kind: MentionKind
    text: str
    start: int  # character offsets in the document's plain text
    end: int
    entity_id: str | None = None  # the graph node (or title key) it links to, when unambiguous
    confidence: float = 0.0
    rule: str = ""  # which rule found it: the evidence


@dataclass(frozen=True)
class Entry:
    """One gazetteer entity: its id and every name it goes by."""

    id: str
    names: tuple[str, ...]
    acronyms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # weaker names (a topic's keywords)


@dataclass
class Gazetteer:
    institutions: Sequence[Entry] = ()
    topics: Sequence[Entry] = ()


# Title key -> its English and Chinese forms. Longer forms win over the shorter ones they
# contain (filter_spans keeps the longest), so "Associate Professor" is not "Professor".
TITLES: dict[str, tuple[str, ...]] = {
    "academician_cas": (
        "Academician of the Chinese Academy of Sciences",
        "Member of the Chinese Academy of Sciences",
        "中国科学院院士",
        "中科院院士",
    ),
    "academician_cae": (
        "Academician of the Chinese Academy of Engineering",
        "Member of the Chinese Academy of Engineering",
        "中国工程院院士",
    ),
    "academician": ("Academician", "院士"),
    "fellow": ("Fellow", "IEEE Fellow", "ACM Fellow", "Fellow of the Royal Society", "会士"),
    "professor": ("Professor", "Prof.", "Full Professor", "Chair Professor", "教授", "讲席教授"),
    "doctor": ("Dr.",),
    "associate_professor": ("Associate Professor", "副教授"),
    "assistant_professor": ("Assistant Professor", "助理教授"),
    "research_professor": ("Research Professor", "研究员"),
    "associate_research_professor": ("Associate Research Professor", "副研究员"),
    "distinguished_young_scholar": (
        "Distinguished Young Scholar",
        "National Science Fund for Distinguished Young Scholars",
        "国家杰出青年科学基金获得者",
        "国家杰出青年科学基金",
        "杰青",
    ),
    "excellent_young_scholar": ("Excellent Young Scholar", "优秀青年科学基金", "优青"),
    "changjiang_scholar": ("Changjiang Scholar", "Cheung Kong Scholar", "长江学者"),
    "chief_scientist": ("Chief Scientist", "首席科学家"),
    "principal_investigator": ("Principal Investigator", "课题组长"),
    "doctoral_supervisor": ("Doctoral Supervisor", "博士生导师", "博导"),
}
_TITLE_BEFORE_NAME = {"prof", "prof.", "professor", "dr", "dr.", "academician"}
_NAME_STOP = {
    "University", "Institute", "College", "School", "Academy", "Laboratory", "Lab", "Center",
    "Centre", "Department", "Hospital", "Society", "Foundation", "National", "Key", "State",
    "The", "In", "He", "She", "His", "Her", "They", "This", "Chinese", "China", "Professor",
    "Fellow", "Dr", "Prof", "Science", "Sciences", "Engineering", "Technology", "Award", "Prize",
}  # fmt: skip
_VERB_AFTER_NAME = ["is", "was", "has", "joined", "received", "leads", "won", "became", "holds"]
# Common one-character family names (with the compound ones in schema/names.py): enough
# for bios and news; a name outside them is missed, never invented.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
    "佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
# \uff0c and \uff08 are the full-width comma and parenthesis of Chinese text.
_ZH_AFTER_NAME = (
    "院士|教授|副教授|研究员|副研究员|博士|先生|女士|老师|团队|课题组|研究组|博士生导师|"
    "\uff0c男|\uff0c女|,男|,女|\uff08|\\(|现任|任|是|于\\d|当选|获|带领|领衔|表示|说|指出|介绍|认为"
)
_HAN = "\u4e00-\u9fff"


def _zh_name_pattern() -> re.Pattern[str]:
    family = "|".join(sorted(COMPOUND_SURNAMES, key=len, reverse=True)) + f"|[{_SURNAMES}]"
    return re.compile(rf"(?:{family})[{_HAN}]{{1,2}}?(?=(?:{_ZH_AFTER_NAME}))")


_ZH_NAME = _zh_name_pattern()
_FAMILY_START = set(_SURNAMES) | {name[0] for name in COMPOUND_SURNAMES}
_EN_YEAR = re.compile(r"(?<![\d.])(?:19[5-9]\d|20[0-4]\d)(?![\d])")
_ZH_YEAR = re.compile(r"(?:19[5-9]\d|20[0-4]\d)(?=年)")
_HANZI = re.compile(f"[{_HAN}]")


def is_chinese(text: str) -> bool:
    """Whether the text is mostly Chinese (more hanzi than Latin letters)."""
    hanzi = len(_HANZI.findall(text))
    latin = sum(1 for c in text if "a" <= c.lower() <= "z")
    return hanzi > latin / 2


@dataclass
class _Matchers:
    nlp: spacy.language.Language
    names: PhraseMatcher  # case-folded (English) or exact (Chinese) names
    exact: PhraseMatcher  # acronyms, exact case
    ids: dict[str, tuple[MentionKind, tuple[str, ...], float]] = field(default_factory=dict)


class TextPipeline:
    """The rule-based extractor; build once (from the gazetteer) and reuse for every document."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._en = self._build(spacy.blank("en"), gazetteer, chinese=False)
        self._zh = self._build(spacy.blank("zh"), gazetteer, chinese=True)

    @staticmethod
    def _build(nlp: spacy.language.Language, gaz: Gazetteer, *, chinese: bool) -> _Matchers:
        attr = "ORTH" if chinese else "LOWER"
        m = _Matchers(nlp, PhraseMatcher(nlp.vocab, attr=attr), PhraseMatcher(nlp.vocab))
        groups: dict[tuple[MentionKind, str, float, bool], set[str]] = {}

        def add(kind: MentionKind, name: str, entity: str, confidence: float, exact: bool) -> None:
            if bool(_HANZI.search(name)) != chinese:
                return
            groups.setdefault((kind, name, confidence, exact), set()).add(entity)

        for entry in gaz.institutions:
            for name in entry.names:
                add(MentionKind.INSTITUTION, name, entry.id, 0.9, False)
            for acronym in entry.acronyms:
                if len(acronym) >= 3 and acronym.isupper():
                    add(MentionKind.INSTITUTION, acronym, entry.id, 0.6, True)
        for entry in gaz.topics:
            for name in entry.names:
                add(MentionKind.TOPIC, name, entry.id, 0.9, False)
            for keyword in entry.keywords:
                if len(keyword) >= 8 or " " in keyword:  # short keywords are too generic
                    add(MentionKind.TOPIC, keyword, entry.id, 0.6, False)
        for key, forms in TITLES.items():
            for form in forms:
                add(MentionKind.TITLE, form, key, 0.95, False)
        # One pattern per distinct text; its match id says which entities it may mean.
        # Names are tokenised as written ("Prof." is one token, "prof." two) and grouped by
        # the text the matcher compares (lower case unless exact).
        texts: dict[tuple[str, bool], list[tuple[MentionKind, str, float]]] = {}
        written: dict[tuple[str, bool], str] = {}
        for (kind, name, confidence, exact), entities in groups.items():
            text_key = (name if exact else name.lower(), exact)
            written.setdefault(text_key, name)
            for entity in entities:
                texts.setdefault(text_key, []).append((kind, entity, confidence))
        for exact in (False, True):
            keys = sorted(key for key, is_exact in texts if is_exact == exact)
            matcher = m.exact if exact else m.names
            docs = nlp.tokenizer.pipe(written[(key, exact)] for key in keys)  # type: ignore[union-attr]  # Language.tokenizer is a Tokenizer for blank pipelines
            for key, doc in zip(keys, docs, strict=True):
                label = f"{'=' if exact else '~'}{key}"
                candidates = texts[(key, exact)]
                kinds = {kind for kind, _, _ in candidates}
                kind = min(kinds)  # a name that is both a topic and a title: keep one kind
                entity_ids = tuple(sorted({e for k, e, _ in candidates if k == kind}))
                confidence = max(c for k, _, c in candidates if k == kind)
                m.ids[label] = (kind, entity_ids, confidence)
                matcher.add(label, [doc])
        return m

    def extract(self, text: str) -> list[Mention]:
        """Every mention in `text`, in document order, overlaps resolved (longest wins)."""
        chinese = is_chinese(text)
        m = self._zh if chinese else self._en
        doc = m.nlp.make_doc(text)
        spans = []
        meta: dict[tuple[int, int], tuple[MentionKind, str | None, float, str]] = {}
        for matcher in (m.names, m.exact):
            for match_id, start, end in matcher(doc):
                label = m.nlp.vocab.strings[match_id]
                kind, entity_ids, confidence = m.ids[label]
                span = doc[start:end]
                linked = entity_ids[0] if len(entity_ids) == 1 else None
                if linked is None:
                    confidence = min(confidence, 0.5)
                rule = "acronym" if label.startswith("=") else "gazetteer"
                meta[(span.start_char, span.end_char)] = (kind, linked, confidence, rule)
                spans.append(span)
        found = filter_spans(spans)
        mentions = [
            Mention(meta[(s.start_char, s.end_char)][0], s.text, s.start_char, s.end_char,
                    *meta[(s.start_char, s.end_char)][1:])
            for s in found
        ]  # fmt: skip
        taken = Coverage(len(text), ((x.start, x.end) for x in mentions))
        context = {(x.start, x.end): x.kind for x in mentions}
        people = (
            _chinese_people(text, context, taken)
            if chinese
            else _english_people(doc, context, taken)
        )
        mentions.extend(people)
        mentions.extend(self._years(text, chinese, taken))
        return sorted(mentions, key=lambda x: (x.start, x.end))

    @staticmethod
    def _years(text: str, chinese: bool, taken: Coverage) -> Iterable[Mention]:
        for pattern in (_ZH_YEAR, _EN_YEAR) if chinese else (_EN_YEAR,):
            for match in pattern.finditer(text):
                start, end = match.span()
                if not taken.overlaps(start, end):
                    taken.add(start, end)
                    yield Mention(
                        MentionKind.YEAR, match.group(), start, end, match.group(), 0.9, "year"
                    )


def _namelike(token: Token) -> bool:
    return token.is_title and token.is_alpha and token.text not in _NAME_STOP


def _english_people(
    doc: Doc, context: dict[tuple[int, int], MentionKind], taken: Coverage
) -> list[Mention]:
    """Runs of one to four capitalised words that a title precedes ("Prof. Wei Zhang",
    "Dr. Schmidt"), or of two to four that a verb ("... is", "... joined"), or a comma or
    parenthesis and then a title or an institution, follows ("Chen Hao, a Research Professor",
    "Jun Liu (Peking University)")."""
    kind_at = {start: kind for (start, _), kind in context.items()}
    ends = {end: kind for (_, end), kind in context.items()}
    found: list[Mention] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        if not _namelike(token) or taken.overlaps(token.idx, token.idx + len(token)):
            i += 1
            continue
        j, words = i, 0
        while j < len(doc):
            if _namelike(doc[j]) and not taken.overlaps(doc[j].idx, doc[j].idx + len(doc[j])):
                words += 1
            elif not (doc[j].text == "-" and j + 1 < len(doc) and _namelike(doc[j + 1])):
                break
            j += 1
        span = doc[i:j]
        rule = _person_evidence(doc, i, j, words, kind_at, ends)
        if rule and words <= 4:
            taken.add(span.start_char, span.end_char)
            found.append(
                Mention(
                    MentionKind.PERSON, span.text, span.start_char, span.end_char, None, 0.7, rule
                )
            )
        i = j
    return found


def _person_evidence(
    doc: Doc,
    start: int,
    end: int,
    words: int,
    kind_at: dict[int, MentionKind],
    ends: dict[int, MentionKind],
) -> str:
    """The rule that makes doc[start:end] a name, or "" when none does."""
    before = doc[start - 1] if start > 0 else None
    if (
        before is not None
        and ends.get(before.idx + len(before)) == MentionKind.TITLE
        and before.text.lower().rstrip(".") in _TITLE_BEFORE_NAME
    ):
        return "after-title"
    if words < 2 or end >= len(doc):
        return ""
    after = doc[end]
    if after.lower_ in _VERB_AFTER_NAME:
        return "before-verb"
    if after.text in {",", "("} and end + 1 < len(doc):
        following = doc[end + 1]
        if following.lower_ in {"a", "an", "the"} and end + 2 < len(doc):
            following = doc[end + 2]
        if kind_at.get(following.idx) in {MentionKind.TITLE, MentionKind.INSTITUTION}:
            return "before-title-or-institution"
    return ""


_ZH_ROLE_BEFORE = (
    "负责人",
    "带头人",
    "主任",
    "院长",
    "校长",
    "所长",
    "教授",
    "研究员",
    "院士",
    "专家",
)


def _chinese_people(
    text: str, context: dict[tuple[int, int], MentionKind], taken: Coverage
) -> list[Mention]:
    """A family name and one or two given characters that a title or bio marker follows, where
    the name cannot be the middle of a word: after a non-hanzi, a mention or a role word."""
    ends = {end for _, end in context}
    found: list[Mention] = []
    for position, char in enumerate(text):
        if char not in _FAMILY_START:
            continue
        starts_word = (
            position == 0
            or not _HANZI.match(text[position - 1])
            or position in ends
            or text[:position].endswith(_ZH_ROLE_BEFORE)
        )
        if not starts_word:
            continue
        match = _ZH_NAME.match(text, position)
        if match and not taken.overlaps(*match.span()):
            taken.add(*match.span())
            found.append(
                Mention(MentionKind.PERSON, match.group(), *match.span(), None, 0.7, "zh-name")
            )
    return found


class Coverage:
    """Which characters of a text mentions already cover: overlap checks in O(span length)."""

    def __init__(self, size: int, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._mask = bytearray(size)
        for start, end in spans:
            self.add(start, end)

    def add(self, start: int, end: int) -> None:
        self._mask[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return any(self._mask[start:end])


class _HtmlText(html.parser.HTMLParser):
    """The visible text of an HTML page, block elements on lines of their own."""

    _BLOCKS: ClassVar[frozenset[str]] = frozenset(
        ["p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"]
    )
    _HIDDEN: ClassVar[frozenset[str]] = frozenset(["script", "style", "head", "template"])

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"^[ \t]{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)|[*_`~]{1,3}", re.MULTILINE)


def plain_text(path: Path) -> str:
    """A document's plain text (the text the offsets of its mentions refer to): HTML without
    its markup, Markdown without its marks, anything else as it is (UTF-8)."""
    return markup_to_text(path.read_text(encoding="utf-8"), path.suffix)


def markup_to_text(raw: str, suffix: str) -> str:
    """`plain_text` of a document already read: `suffix` (".html", ".md", ...) says its markup."""
    suffix = suffix.lower()
    if suffix in {".html", ".htm"}:
        parser = _HtmlText()
        parser.feed(raw)
        parser.close()
        text = "".join(parser.parts)
        return re.sub(r"\n\s*\n+", "\n\n", text).strip()
    if suffix in {".md", ".markdown"}:
        return _MD_MARKS.sub("", _MD_LINK.sub(r"\1", raw))
    return raw
