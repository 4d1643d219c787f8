"""Names of discovered topics (pipelines/topic_labels.py): short phrases their own passages
use, unique in a run, the same on every run, and a "Topic 7: <first words>" fallback for
topics with no phrase. Small frames, no embedding model: runs in seconds."""

from __future__ import annotations

import re
import zlib

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.topic_labels import LabelConfig, PhraseAnalyzer, fallback_label, label_topics, stop_words

STOP = stop_words()

TOPICS = {
    14: ["Ilya Sutskever left OpenAI in May to found Safe Superintelligence, a lab with one goal.",
         "Safe Superintelligence raised $1 billion; its chief scientist says scaling is not enough.",
         "Sutskever said Safe Superintelligence will ship nothing before a safe superintelligence.",
         "Investors valued Safe Superintelligence at $5 billion three months after its founding."],
    15: ["Microsoft invested $10 billion in OpenAI; the partnership gives Microsoft exclusive cloud rights.",
         "The OpenAI partnership with Microsoft drew an antitrust inquiry from the FTC.",
         "Regulators in Britain examined whether the cloud rights amount to a merger.",
         "Microsoft gave up its observer seat on the OpenAI board under antitrust scrutiny."],
    16: ["Researchers warned of catastrophic misuse: bioweapons, cyberattacks and election fraud.",
         "The report lists catastrophic misuse of open models among the societal challenges ahead.",
         "Catastrophic misuse by bad actors is the risk labs say they test for before release.",
         "Red teams probe for catastrophic misuse such as help with bioweapons."],
    0: ["Nvidia sold more H100 GPUs to data centres as the compute race went on.",  # a named theme
        "Export controls on GPUs to China tightened the compute race."],
    -1: ["Thank you.", "Questions from the floor followed."],
}


def _frame(topics: dict[int, list[str]]) -> pl.DataFrame:
    rows = [(tid, text, 1.0 - i / 10) for tid, texts in topics.items() for i, text in enumerate(texts)]
    return pl.DataFrame(rows, schema={"topic_id": pl.Int32, "text": pl.String, "centrality": pl.Float32}, orient="row")


def _fake_encode(texts: list[str]) -> np.ndarray:
    """A deterministic bag-of-words embedding (hashed words), standing in for MiniLM."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            out[i, zlib.crc32(word.encode()) % 64] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _occurs(phrase: str, texts: list[str]) -> bool:
    """The phrase, case and spacing aside, as whole words in one of the texts."""
    words = r"\s+".join(re.escape(w) for w in phrase.lower().split())
    return any(re.search(rf"(?<![a-z0-9\-]){words}(?![a-z0-9\-])", t.lower()) for t in texts)


def _labels(topics: dict[int, list[str]], named: list[int], with_embeddings: bool = True, **kwargs) -> dict[int, str]:
    frame = _frame(topics)
    vectors = _fake_encode(frame["text"].to_list()) if with_embeddings else None
    result = label_topics(frame, vectors, named, encode=_fake_encode if with_embeddings else None, **kwargs)
    return dict(result.iter_rows())


@pytest.mark.parametrize("with_embeddings", [True, False])
def test_labels_are_short_readable_unique_phrases_of_the_topics_own_passages(with_embeddings):
    labels = _labels(TOPICS, [14, 15, 16], with_embeddings)
    assert set(labels) == {14, 15, 16}
    assert len({label.lower() for label in labels.values()}) == 3
    for topic_id, label in labels.items():
        words = label.split()
        assert 2 <= len(words) <= 5 and " · " not in label and not label.startswith("Topic "), label
        assert any(w.lower() not in STOP for w in words), label
        assert _occurs(label, TOPICS[topic_id]), (topic_id, label)  # the topic's own words, adjacent
    assert labels[14] == "Safe Superintelligence"  # the passages' own spelling
    assert labels[16] == "Catastrophic misuse"


def test_labels_are_the_same_on_every_run():
    first = _labels(TOPICS, [14, 15, 16])
    assert all(_labels(TOPICS, [14, 15, 16]) == first for _ in range(2))


def test_two_topics_with_the_same_best_phrase_get_different_labels_and_reserved_labels_are_kept_out():
    twins = {1: ["Export controls on chips to China tightened.", "China answered the export controls on chips."],
             2: ["New export controls on chips reached Dutch lithography firms.", "Dutch export controls on chips."]}
    labels = _labels(twins, [1, 2])
    assert len({label.lower() for label in labels.values()}) == 2
    assert all(_occurs(label, twins[tid]) or label.startswith(f"Topic {tid}") for tid, label in labels.items())
    reserved = _labels(twins, [1, 2], reserved=frozenset(labels.values()))
    assert not {label.lower() for label in reserved.values()} & {label.lower() for label in labels.values()}


@pytest.mark.parametrize("texts, expected", [
    (["Yes."], "Topic 7: Yes."),  # one tiny passage
    (["OK", "No"], "Topic 7: OK"),
    (["10,000 GPUs? 2023 2024 42", "https://example.com/a?b=1 https://x.org 12.5%"],
     "Topic 7: 10,000 GPUs? 2023 2024 42"),  # numbers and links only
    (["人工智能监管需要国际合作，各国应当共同制定规则。", "欧盟人工智能法案"],
     "Topic 7: 人工智能监管需要国际合作，各国应当共同制定规则。"),  # no spaces: one "word"
    (["", "   "], "Topic 7"),
])
def test_topics_without_a_phrase_fall_back_to_their_first_words(texts, expected):
    topics = {7: texts, 3: ["Safe Superintelligence is a lab.", "Safe Superintelligence raised money."]}
    labels = _labels(topics, [7, 3])
    assert labels[7] == expected
    assert labels[3] == "Safe Superintelligence"


def test_non_english_passages_get_a_phrase_or_the_fallback_and_never_fail():
    topics = {5: ["Die Regulierung der Modelle beschäftigt die Europäische Kommission.",
                  "Die Europäische Kommission prüft die Regulierung großer Modelle."],
              6: ["La Commission européenne veut encadrer les modèles.", "Les modèles ouverts inquiètent la Commission."]}
    labels = _labels(topics, [5, 6])
    for topic_id, label in labels.items():
        assert label.startswith(f"Topic {topic_id}: ") or _occurs(label, topics[topic_id]), label


def test_no_passage_with_a_phrase_at_all_still_names_every_topic():
    labels = _labels({1: ["12 34"], 2: ["https://a.b/c"], 3: [""]}, [1, 2, 3])
    assert labels == {1: "Topic 1: 12 34", 2: "Topic 2: https://a.b/c", 3: "Topic 3"}


def test_the_fallback_is_cut_to_a_short_heading():
    label = fallback_label(9, "word " * 3 + "a" * 80, words=5)
    assert label.startswith("Topic 9: word word word ") and label.endswith("…") and len(label) <= 50


def test_only_each_topics_most_central_passages_are_read_when_a_topic_is_large():
    big = {1: ["Model cards describe a model."] * 3
           + ["Compute thresholds trigger reporting duties."] * 5,
           2: ["Watermarks mark synthetic images.", "Watermarks mark synthetic audio."]}
    frame = _frame(big)  # topic 1: model cards first (more central), then compute thresholds
    labels = dict(label_topics(frame, None, [1, 2], LabelConfig(max_passages=3, representatives=3)).iter_rows())
    assert labels[1] == "Model cards"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["the", "of", "Safe", "superintelligence", "GPU", "data-centre", "AI", ",", ".",
                                 "(", ")", "'s", "10,000", "https://x.org", "Musk", "xAI", "\n", "  ", "ü"]),
                max_size=30))
def test_every_phrase_is_a_run_of_adjacent_non_stop_words_of_the_text(pieces):
    text = " ".join(pieces).replace(" 's", "'s")
    for gram in PhraseAnalyzer(STOP, 1, 4)(text):
        assert _occurs(gram, [text]), (gram, text)
        assert not set(gram.split()) & STOP, gram
