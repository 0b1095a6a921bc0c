"""The title classifier over the OpenAlex topic taxonomy (no database): a title finds its
topic, and on the held-out half of the sample's works (titles and abstracts; its settings
were chosen on the other half) it beats always answering the most frequent subfield and
field. Expected topics are read off the taxonomy CSV here."""

from __future__ import annotations

import csv
from functools import cache

from ingest.eval.topics import HELD_OUT, TUNE, labelled_works, score, work_half
from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH
from ingest.topics.classifier import TopicClassifier
from tests.conftest import SAMPLE_WORKS


@cache
def classifier() -> TopicClassifier:
    return TopicClassifier.from_taxonomy(DEFAULT_TAXONOMY_PATH)


def topic_named(name: str) -> str:
    with DEFAULT_TAXONOMY_PATH.open(encoding="utf-8", newline="") as handle:
        return next(r["topic_id"] for r in csv.DictReader(handle) if r["display_name"] == name)


def test_a_title_finds_its_topic() -> None:
    found = classifier().classify(
        ["Cross language dependency parsing using a bilingual lexicon", "zzzz qqqq"], top=3
    )
    assert found[0][0].topic_id == topic_named("Natural Language Processing Techniques")
    assert len(found[0]) == 3 and found[0][0].score >= found[0][1].score > 0
    assert found[1] == []  # nothing in common with any topic: no topic


def test_coarse_levels_beat_the_most_frequent_label_on_held_out_works() -> None:
    works = labelled_works([SAMPLE_WORKS])
    assert len(works) > 300
    tune = [w for w in works if w.half == TUNE]
    held_out = [w for w in works if w.half == HELD_OUT]
    assert len(tune) + len(held_out) == len(works) and min(len(tune), len(held_out)) > 100
    by_level = {s.level: s for s in score(classifier(), held_out, baseline_from=tune)}
    assert by_level["subfield"].accuracy > by_level["subfield"].baseline
    assert by_level["field"].accuracy > by_level["field"].baseline
    best = classifier().best_levels([w.title for w in works[:5]], [w.abstract for w in works[:5]])
    ids = {t.id for t in classifier().topics}
    assert all(b is not None and b["topic"] in ids for b in best)


def test_the_split_is_fixed() -> None:
    assert [work_half(x) for x in ("W2741809807", "W2741809807")] in ([0, 0], [1, 1])
    halves = {work_half(f"W{n}") for n in range(20)}
    assert halves == {TUNE, HELD_OUT}


def test_the_title_weighs_more_than_the_abstract() -> None:
    nlp = "Cross language dependency parsing using a bilingual lexicon"
    soil = "soil microbial communities and nitrogen cycling in forest ecosystems"
    topic = topic_named("Natural Language Processing Techniques")
    # the same words as title or as abstract: the title decides
    assert classifier().classify([nlp], 1, abstracts=[soil])[0][0].topic_id == topic
    assert classifier().classify([soil], 1, abstracts=[nlp])[0][0].topic_id != topic
