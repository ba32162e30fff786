"""The trie and failure links reach, after every byte, the state py3langid's complete table reaches."""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, visit_counts
from py3langid.modelio import load_model

from services.classify import language
from services.classify.language_trie import FAIL_AT, NODE_BYTES, compact

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout.jsonl"


@cache
def _table() -> tuple[list[int], list[int], list[int]]:
    """py3langid's complete table as its own walk reads it: moves, each state's row offset, outputs."""
    _, _, _, next_state, state_row, output = load_model(MODEL_DIR / MODEL_FILE)
    return list(next_state), [row << 8 for row in state_row], list(output)


def _reference(data: bytes) -> dict[int, int]:
    return dict(visit_counts(*_table(), data) or {})


def _texts() -> list[bytes]:
    """Held-out items in every script, as written and upper-cased, and random bytes (invalid UTF-8 included)."""
    texts = []
    for line in HELDOUT.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = f"{row['title']}\n{row['summary']}"
        texts += [text.encode(), text.upper().encode()]
    rng = random.Random(7)
    texts += [bytes(rng.randrange(256) for _ in range(400)) for _ in range(50)]
    return texts


def test_every_text_counts_the_features_the_complete_table_counts() -> None:
    model = language.language_model()
    texts = _texts()
    assert len(texts) >= 200
    for data in texts:
        # the same features, the same counts, in the order py3langid's walk of the table first finds them
        assert list(model.features(data).items()) == list(_reference(data).items()), data[:80]


def _number(records: np.ndarray, at: int) -> np.ndarray:
    """The three-byte number at offset ``at`` of every record."""
    return records[:, at] | records[:, at + 1] << 8 | records[:, at + 2] << 16


def test_every_state_has_sorted_edges_and_a_shallower_failure_link() -> None:
    _, _, _, next_state, state_row, output = load_model(MODEL_DIR / MODEL_FILE)
    trie = compact(next_state, state_row, output)
    records = np.frombuffer(trie.nodes, dtype=np.uint8).reshape(-1, NODE_BYTES).astype(np.int64)
    first, fail = _number(records, 0)[:-1], _number(records, FAIL_AT)[:-1]
    edges = len(state_row) - 1  # a trie: an edge into every state but the root
    assert len(records) == len(state_row) + 1  # one record more closes the last state's edges
    assert first[0] == 0 and _number(records, 0)[-1] == edges == len(trie.labels)
    owner = np.searchsorted(_number(records, 0), np.arange(edges), side="right") - 1
    labels = np.frombuffer(trie.labels, dtype=np.uint8).astype(np.int64)
    assert ((owner[1:] != owner[:-1]) | (labels[1:] > labels[:-1])).all()  # within a state, sorted and distinct
    targets = _number(np.frombuffer(trie.targets, dtype=np.uint8).reshape(-1, 3).astype(np.int64), 0)
    depth = np.full(len(state_row), -1)
    depth[0], level = 0, 0
    while (depth < 0).any():  # breadth first along the edges
        reached = targets[depth[owner] == level]
        assert len(reached) and (depth[reached] < 0).all()  # every state has exactly one edge into it
        level += 1
        depth[reached] = level
    assert (depth[fail[1:]] < depth[1:]).all()  # a failure link is a shorter suffix
    assert len(trie.nodes) + len(trie.labels) + len(trie.targets) < 2_000_000  # the table it replaces: 29 MB


def test_a_table_that_is_not_a_trie_is_refused() -> None:
    moves = np.zeros((2, 256), dtype=np.uint32)
    moves[0, ord("a")] = 1  # state 2 is in the table, but no move reaches it
    with pytest.raises(ValueError, match="cannot reach"):
        compact(moves.ravel(), [0, 1, 1], [-1, 0, -1])
