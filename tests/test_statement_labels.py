"""The speaker-attribution labels (data/statement_labels/, issue 15) are well formed: every
statement's words lie inside its passage, every speaker is a registry name, the quotas the
issue asks for are there, and the White House passages they point at are the ones that were
labelled (checked when ../shared/corpora/whitehouse-ai is beside the repository)."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections import Counter

import pytest

from pipeline_fixtures import REPO_ROOT, WHITEHOUSE

LABEL_DIR = REPO_ROOT / "data" / "statement_labels"
LABELS = LABEL_DIR / "attributions.jsonl"
LABEL_FILES = ("attributions.jsonl", "heldout_2.jsonl", "heldout_3.jsonl", "heldout_5.jsonl", "dev_5.jsonl")
KINDS = {"turn", "quote", "reported"}


def read_examples(name: str) -> list[dict]:
    return [json.loads(line) for line in (LABEL_DIR / name).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module", params=LABEL_FILES)
def examples(request) -> list[dict]:
    return read_examples(request.param)


def test_each_set_draws_on_documents_no_earlier_set_used():
    used: set[str] = set()
    for name in LABEL_FILES:
        docs = {ex["source_path"] for ex in read_examples(name) if ex.get("source_path")}
        assert not docs & used, (name, sorted(docs & used)[:3])
        used |= docs


def test_words_lie_in_their_passage_and_speakers_are_registry_names(examples):
    registry = tomllib.loads((REPO_ROOT / "data" / "people.toml").read_text(encoding="utf-8"))
    names = {p["name"] for p in registry["person"]}
    for ex in examples:
        length = len(ex["text"]) if "text" in ex else ex["char_end"] - ex["char_start"]
        for st in ex["statements"]:
            assert st["kind"] in KINDS, ex["example_id"]
            assert 0 <= st["words_start"] < st["words_end"] <= length, ex["example_id"]
            if "text" in ex:
                assert ex["text"][st["words_start"]:st["words_end"]] == st["words"]
            assert st["speaker"] is None or st["speaker"] in names, st["speaker"]
            assert st["speaker"] is not None or st.get("speaker_text") or st["kind"] != "turn"
        assert set(ex.get("mentioned_not_speaking", [])) <= names, ex["example_id"]


def test_the_issues_quotas():
    examples = read_examples("attributions.jsonl")
    statements = [(ex["origin"], st["kind"]) for ex in examples for st in ex["statements"]]
    kinds = Counter(statements)
    assert len(statements) >= 150
    assert kinds[("whitehouse", "turn")] >= 60
    assert kinds[("brief", "reported")] + kinds[("brief", "quote")] >= 40
    assert sum(n for (origin, _), n in kinds.items() if origin == "handwritten") >= 30
    assert sum(1 for ex in examples if not ex["statements"]) >= 20
    assert "text" not in {k for ex in examples if ex["origin"] == "whitehouse" for k in ex}


@pytest.mark.skipif(not WHITEHOUSE.is_dir(), reason="../shared/corpora/whitehouse-ai is not "
                    "beside the repository")
def test_white_house_passages_are_the_labelled_ones(examples):
    for ex in (e for e in examples if e["origin"] == "whitehouse"):
        text = (WHITEHOUSE / ex["source_path"]).read_text(encoding="utf-8")
        passage = text[ex["char_start"]:ex["char_end"]]
        assert hashlib.sha1(passage.encode()).hexdigest()[:16] == ex["sha1"], ex["example_id"]
        for st in ex["statements"]:
            assert passage[st["words_start"]:st["words_end"]].strip(), ex["example_id"]


def test_briefs_are_the_bundled_corpus_text(examples):
    for ex in (e for e in examples if e["origin"] == "brief"):
        source = (REPO_ROOT / "data" / "corpus" / ex["source_path"]).read_text(encoding="utf-8")
        assert ex["text"] in source, ex["example_id"]
