"""py3langid's byte automaton held as the trie it was built from, with failure links: 1.3 MB in place of the
29 MB transition table.

py3langid's model finds its byte n-gram features with a complete transition table: 104,583 states, 256 bytes
each, 38,346 distinct rows. That table is an Aho-Corasick automaton: a move either goes one byte deeper into
the trie of features, or is the move of the state's failure link (the longest suffix in the trie). Kept as the
trie's edges and those links (1.3 MB), the walk reaches the same state after every byte, touching a few cache
lines of that rather than one line of 29 MB per byte, whose misses also evicted the rest of the classifier's
data. Built once at load, from the table, with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

ROOT: Final = 0
NODE_BYTES: Final = 9  # first edge, failure link, feature: 3 bytes each, at these offsets
FAIL_AT: Final = 3
FEATURE_AT: Final = 6
EDGE_TARGET_BYTES: Final = 3
NO_FEATURE: Final = 0xFFFFFF
_ALPHABET: Final = 256
_CHUNK_STATES: Final = 4096  # states expanded at a time (4096 x 256 moves, 4 MB)


@dataclass(frozen=True)
class LanguageTrie:
    """The automaton as bytes that compiled code indexes: per state ``nodes`` (first edge, failure link,
    feature; one record more marks the end of the last state's edges), per edge its byte in ``labels`` (sorted
    within each state) and its target in ``targets``."""

    nodes: bytes
    labels: bytes
    targets: bytes


def _little_endian(values: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.uint8]:
    """Each value as ``width`` little-endian bytes, one row per value."""
    if len(values) and (int(values.min()) < 0 or int(values.max()) >= 1 << (8 * width)):
        raise ValueError(f"the language model has a number that {width} bytes cannot hold")
    return values.astype("<u4").view(np.uint8).reshape(-1, 4)[:, :width]


def _moves(
    rows: npt.NDArray[np.uint32], row_of: npt.NDArray[np.int64], states: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The complete table's moves of ``states``, one row of 256 per state."""
    return rows[row_of[states]].astype(np.int64)


def _tree(rows: npt.NDArray[np.uint32], row_of: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
    """Depth, parent and edge byte of every state, breadth first from the root: a move into a state not yet
    reached goes one byte deeper, since a state's string is the longest suffix that is in the trie."""
    count = len(row_of)
    depth = np.full(count, -1, dtype=np.int64)
    parent = np.full(count, -1, dtype=np.int64)
    label = np.full(count, -1, dtype=np.int64)
    depth[ROOT] = 0
    frontier = np.array([ROOT], dtype=np.int64)
    level = 0
    while len(frontier):
        reached = []
        for start in range(0, len(frontier), _CHUNK_STATES):
            states = frontier[start : start + _CHUNK_STATES]
            moves = _moves(rows, row_of, states)
            new = np.nonzero(depth[moves] < 0)
            targets, first = np.unique(moves[new], return_index=True)
            depth[targets] = level + 1
            parent[targets] = states[new[0][first]]
            label[targets] = new[1][first]
            reached.append(targets)
        frontier = np.concatenate(reached)
        level += 1
    if (depth < 0).any():
        raise ValueError("the language model has states its root cannot reach")
    return depth, parent, label


def _failure_links(
    rows: npt.NDArray[np.uint32], row_of: npt.NDArray[np.int64], depth: npt.NDArray[np.int64],
    parent: npt.NDArray[np.int64], label: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:  # fmt: skip
    """The failure link of every state, level by level: the parent's link moved by the edge's byte."""
    fail = np.zeros(len(depth), dtype=np.int64)
    for level in range(2, int(depth.max()) + 1):
        states = np.nonzero(depth == level)[0]
        fail[states] = rows[row_of[fail[parent[states]]], label[states]]
    return fail


def compact(next_state: npt.ArrayLike, state_row: npt.ArrayLike, output: npt.ArrayLike) -> LanguageTrie:
    """The trie and failure links of py3langid's table (``next_state``: distinct rows of 256 moves,
    ``state_row``: each state's row, ``output``: each state's feature or -1)."""
    rows = np.asarray(next_state, dtype=np.uint32).reshape(-1, _ALPHABET)
    row_of = np.asarray(state_row, dtype=np.int64)
    depth, parent, label = _tree(rows, row_of)
    fail = _failure_links(rows, row_of, depth, parent, label)
    children = np.nonzero(depth > 0)[0]
    order = np.lexsort((label[children], parent[children]))
    edges = children[order]
    first = np.searchsorted(parent[edges], np.arange(len(depth) + 1), side="left").astype(np.int64)
    feature = np.asarray(output, dtype=np.int64)
    if int(feature.max()) >= NO_FEATURE:
        raise ValueError("the language model has more features than three bytes can number")
    nodes = np.zeros((len(first), NODE_BYTES), dtype=np.uint8)
    nodes[:, :FAIL_AT] = _little_endian(first, FAIL_AT)
    nodes[:-1, FAIL_AT:FEATURE_AT] = _little_endian(fail, FEATURE_AT - FAIL_AT)
    nodes[:-1, FEATURE_AT:] = _little_endian(np.where(feature < 0, NO_FEATURE, feature), NODE_BYTES - FEATURE_AT)
    return LanguageTrie(
        nodes=nodes.tobytes(),
        labels=label[edges].astype(np.uint8).tobytes(),
        targets=_little_endian(edges, EDGE_TARGET_BYTES).tobytes(),
    )
