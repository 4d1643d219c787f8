"""Readable names for discovered topics, in the words of their own passages.

Keywords and labels are built from *phrases*: runs of adjacent words with nothing but
whitespace between them and no stop word among them (`PhraseAnalyzer`, a scikit-learn
CountVectorizer analyzer). scikit-learn's own analyzer drops stop words before it forms
n-grams and joins words across punctuation, which made keywords such as "dangers
technology" out of "the dangers of the technology"; a phrase here is always a piece of
some passage's text (markup removed, case and spacing aside).

A discovered topic's label (`label_topics`) is a phrase of 2-4 words:

1. candidates are the phrases its most central passages (cosine to the topic's mean
   vector) contain; those at least two of its passages use come before the others, and
   phrases ending in a past tense ("OpenAI released", "Musk replied") after all others;
2. they are ranked by class-based TF-IDF over all topics (BERTopic's
   ClassTfidfTransformer: frequent in this topic, rare in the others), and the best few
   re-ranked (within those two tiers) KeyBERT-style by the cosine between the phrase's
   embedding and the mean vector of the topic's central passages;
3. a phrase that never occurs without its neighbours is extended to them ("paying
   chatgpt" -> "paying ChatGPT subscribers");
4. labels are unique in a run: larger topics choose first, a later topic takes its best
   phrase not yet taken. The label keeps the passages' most frequent spelling
   ("Safe Superintelligence"), with a capital first letter.

A topic with no such phrase (a couple of tiny passages, only numbers or links, a script
the tokenizer does not split into words) is named after its most central passage:
"Topic 7: <its first words>". Same passages and config, same labels.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from pydantic import BaseModel

# Words every passage of this domain uses: as keywords they would label nothing.
DOMAIN_STOP_WORDS = frozenset({
    "ai", "artificial", "intelligence", "said", "says", "say", "told", "according", "including",
    "also", "would", "could", "one", "two", "new", "like", "year", "years", "week", "month",
    "percent", "mr", "ms", "dr", "thing", "things", "lot", "just", "really", "going", "know",
    "think", "want", "got", "let", "make", "way", "people", "today", "thank", "applause",
    "gov", "com", "www", "http", "https", "html", "srcset", "org",
})
# Link targets, bare URLs and HTML tags say nothing about a topic: keywords come from the rest.
_MARKUP = r"[*_]*\]\([^)]*\)|https?://\S+|<[^>]+>|[\[\]*_#>]+"
_TOKEN = re.compile(r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b")  # a word: a letter, then letters, digits, hyphens
_FALLBACK_CHARS = 40


class LabelConfig(BaseModel):
    """How discovered topics are named (see the module docstring)."""

    min_words: int = 2
    max_words: int = 4
    representatives: int = 10  # the most central passages a label's phrase must occur in
    candidates: int = 20  # c-TF-IDF's best phrases re-ranked by embedding similarity
    fallback_words: int = 5  # "Topic 7: <first words>" when a topic has no phrase
    max_passages: int = 2_000  # per topic, the most central: bounds the work on a large corpus


def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | DOMAIN_STOP_WORDS


def keyword_texts(texts: pl.Series) -> list[str]:
    """Passage texts with markup removed, for keywords and labels (the passages keep their text)."""
    return texts.str.replace_all(_MARKUP, " ").to_list()


@dataclass(frozen=True)
class PhraseAnalyzer:
    """A CountVectorizer analyzer: lower-cased n-grams (min_n..max_n words) of adjacent words,
    none a stop word, with only whitespace between them in the text."""

    stop_words: frozenset[str]
    min_n: int = 1
    max_n: int = 2

    def __call__(self, text: str) -> list[str]:
        grams: list[str] = []
        run: list[str] = []
        end = 0
        for match in _TOKEN.finditer(text):
            if run and not text[end:match.start()].isspace():
                self._extend(grams, run)
                run = []
            word = match.group().lower()
            if word in self.stop_words:
                self._extend(grams, run)
                run = []
            else:
                run.append(word)
            end = match.end()
        self._extend(grams, run)
        return grams

    def _extend(self, grams: list[str], run: list[str]) -> None:
        for n in range(self.min_n, min(self.max_n, len(run)) + 1):
            grams.extend(" ".join(run[i:i + n]) for i in range(len(run) - n + 1))


def centrality(vectors: np.ndarray, topic_ids: np.ndarray) -> np.ndarray:
    """Each passage's similarity to its topic's mean vector (dot product, as vectors are unit length)."""
    scores = np.zeros(len(topic_ids), dtype=np.float32)
    for topic_id in np.unique(topic_ids):
        members = np.flatnonzero(topic_ids == topic_id)
        scores[members] = vectors[members] @ vectors[members].mean(axis=0)
    return scores


def fallback_label(topic_id: int, text: str, words: int) -> str:
    """"Topic 7: <the first words of text>", or "Topic 7" for a blank text."""
    head = " ".join(text.split()[:words])
    if len(head) > _FALLBACK_CHARS:
        head = head[:_FALLBACK_CHARS].rstrip() + "…"
    return f"Topic {topic_id}: {head}" if head else f"Topic {topic_id}"


def label_topics(passages: pl.DataFrame, vectors: np.ndarray | None, named: list[int],
                 config: LabelConfig | None = None, encode: Callable[[list[str]], np.ndarray] | None = None,
                 reserved: frozenset[str] = frozenset()) -> pl.DataFrame:
    """Labels (topic_id, label) for the topics in `named`.

    `passages` holds every passage of the run (topic_id, text without markup, centrality),
    so that phrases common to all topics rank low; `vectors` are the passages' embeddings
    and `encode` embeds phrases (either None: c-TF-IDF order alone). `reserved` labels
    (themes, the outliers) are not given again."""
    config = config or LabelConfig()
    central = _most_central(passages, config.max_passages)
    members = {key[0]: group for key, group in central.partition_by("topic_id", as_dict=True).items()}
    candidates = _ranked_candidates(central, members, named, config)
    if encode is not None and vectors is not None:
        candidates = _rerank_by_embedding(candidates, members, vectors, encode, config)
    taken = {label.lower() for label in reserved}
    sizes = passages.group_by("topic_id").len()
    order = sizes.filter(pl.col("topic_id").is_in(named)).sort(["len", "topic_id"], descending=[True, False])
    labels = {}
    for topic_id in order["topic_id"].to_list():
        phrase = next((p for p, _ in candidates.get(topic_id, []) if p not in taken), None)
        texts = members[topic_id]["text"].to_list()
        if phrase is None:
            labels[topic_id] = fallback_label(topic_id, texts[0], config.fallback_words)
        else:
            taken.add(phrase)
            labels[topic_id] = _surface(phrase, texts)
    return pl.DataFrame({"topic_id": list(labels), "label": list(labels.values())},
                        schema={"topic_id": pl.Int32, "label": pl.String}).sort("topic_id")


def _most_central(passages: pl.DataFrame, limit: int) -> pl.DataFrame:
    """Each topic's `limit` most central passages, most central first (ties: passage order),
    with `row` (the passage's index in `passages`) and `pos` (its index in the result)."""
    return (passages.with_row_index("row")
            .sort(["topic_id", "centrality", "row"], descending=[False, True, False])
            .filter(pl.int_range(pl.len()).over("topic_id") < limit)
            .with_row_index("pos"))


def _ranked_candidates(central: pl.DataFrame, members: dict[int, pl.DataFrame], named: list[int],
                       config: LabelConfig) -> dict[int, list[tuple[str, int]]]:
    """Each named topic's (phrase, tier), at most `config.candidates`: phrases two of its passages
    use (tier 0) first, then the rest (tier 1), then those ending in a past tense (tiers 2, 3);
    in a tier, best c-TF-IDF first, ties alphabetical."""
    from bertopic.vectorizers import ClassTfidfTransformer
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(analyzer=PhraseAnalyzer(stop_words(), config.min_words, config.max_words),
                                 min_df=2 if central.height >= 200 else 1)
    try:
        counts = vectorizer.fit_transform(central["text"].to_list()).tocsr()
    except ValueError:  # no passage has a phrase (or none a phrase used twice): every topic falls back
        return {}
    phrases = vectorizer.get_feature_names_out()
    topic_ids = np.unique(central["topic_id"].to_numpy())
    row_topic = np.searchsorted(topic_ids, central["topic_id"].to_numpy())
    membership = sparse.csr_matrix((np.ones(len(row_topic)), (row_topic, np.arange(len(row_topic)))),
                                   shape=(len(topic_ids), len(row_topic)))
    ctfidf = sparse.csr_matrix(ClassTfidfTransformer().fit_transform(membership @ counts))
    used_by = sparse.csr_matrix(membership @ (counts > 0).astype(np.int64))
    ranked = {}
    for topic_id in (t for t in named if t in members):
        t = int(np.searchsorted(topic_ids, topic_id))
        group = members[topic_id]
        in_central = np.flatnonzero(np.asarray(counts[group["pos"].head(config.representatives).to_numpy()]
                                               .sum(axis=0)).ravel())
        scores, uses = ctfidf[t].toarray().ravel(), used_by[t].toarray().ravel()
        # Shared phrases before one-passage ones, phrases ending in a past tense ("OpenAI released") last.
        tiers = (uses[in_central] < 2).astype(int) + 2 * np.array([_ends_in_past_tense(phrases[j]) for j in in_central],
                                                                  dtype=int)
        eligible = sorted(zip(tiers.tolist(), in_central.tolist()),
                          key=lambda tj: (tj[0], -scores[tj[1]], phrases[tj[1]]))
        ranked[topic_id] = _whole_phrases([(str(phrases[j]), tier) for tier, j in eligible[:config.candidates]],
                                          {str(phrases[j]): uses[j] for j in in_central})
    return ranked


def _whole_phrases(ranked: list[tuple[str, int]], uses: dict[str, int]) -> list[tuple[str, int]]:
    """Each phrase replaced by the longest phrase containing it that as many passages use
    ("paying chatgpt" -> "paying chatgpt subscribers" when it never occurs without it)."""
    whole = []
    for phrase, tier in ranked:
        inner = f" {phrase} "
        longer = [p for p, n in uses.items() if n == uses[phrase] and inner in f" {p} "]
        best = min(longer, key=lambda p: (-len(p.split()), p))
        if best not in (w for w, _ in whole):
            whole.append((best, tier))
    return whole


def _ends_in_past_tense(phrase: str) -> bool:
    """"musk replied", "openai released": a subject and its verb, not a name for a topic
    (without a part-of-speech model, a last word in -ed other than -eed, e.g. "speed")."""
    last = phrase.rsplit(" ", 1)[-1]
    return last.endswith("ed") and not last.endswith("eed")


def _rerank_by_embedding(candidates: dict[int, list[tuple[str, int]]], members: dict[int, pl.DataFrame],
                         vectors: np.ndarray, encode: Callable[[list[str]], np.ndarray],
                         config: LabelConfig) -> dict[int, list[tuple[str, int]]]:
    """KeyBERT-style: candidates by cosine to the mean vector of the topic's central passages."""
    vocabulary = sorted({p for phrases in candidates.values() for p, _ in phrases})
    if not vocabulary:
        return candidates
    embedded = np.asarray(encode(vocabulary), dtype=np.float32)
    embedded /= np.maximum(np.linalg.norm(embedded, axis=1, keepdims=True), 1e-12)
    row_of = {p: i for i, p in enumerate(vocabulary)}
    reranked = {}
    for topic_id, phrases in candidates.items():
        target = vectors[members[topic_id]["row"].head(config.representatives).to_numpy()].mean(axis=0)
        target = target / max(float(np.linalg.norm(target)), 1e-12)
        sims = [float(embedded[row_of[p]] @ target) for p, _ in phrases]
        # Within a tier; rounded so that tiny float differences never reorder phrases; ties keep c-TF-IDF order.
        order = sorted(range(len(phrases)), key=lambda i: (phrases[i][1], -round(sims[i], 4), i))
        reranked[topic_id] = [phrases[i] for i in order]
    return reranked


def _surface(phrase: str, texts: list[str]) -> str:
    """The passages' most frequent spelling of a lower-cased phrase, first letter capitalised."""
    pattern = re.compile(r"(?<![A-Za-z0-9\-])" + r"\s+".join(re.escape(w) for w in phrase.split())
                         + r"(?![A-Za-z0-9\-])", re.IGNORECASE)
    spellings = Counter(" ".join(m.group().split()) for text in texts for m in pattern.finditer(text))
    best = min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0] if spellings else phrase
    return best[:1].upper() + best[1:]
