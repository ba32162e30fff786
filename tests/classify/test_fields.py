"""A field ready for the rules: its sentences and the sentence of each hit."""

from __future__ import annotations

import itertools
import random

import pytest

from services.classify.automaton import Automaton, Builder
from services.classify.fields import Field, Found, longest_only, prepare


@pytest.fixture(scope="module")
def automaton() -> Automaton:
    builder = Builder()
    builder.add("fine*", "action", "fine", lang="en")
    builder.add("罚款", "action", "fine", lang="zh")
    return builder.build()


def _sentences(field: Field) -> list[str]:
    starts = [*field.sentence_starts, len(field.text.text)]
    return [field.text.text[a:b].strip() for a, b in itertools.pairwise(starts)]


def test_sentences_end_at_terminators_followed_by_a_space(automaton: Automaton) -> None:
    field = prepare("summary", "The SEC fined X. Then?! It appealed…  Ok", automaton)
    assert _sentences(field) == ["the sec fined x", "then", "it appealed", "ok"]


def test_a_dot_inside_a_number_or_a_name_ends_nothing(automaton: Automaton) -> None:
    field = prepare("summary", "Fined 7.7m by the U.S.SEC. Next.", automaton)
    assert _sentences(field) == ["fined 7 7m by the u s sec", "next"]


def test_cjk_terminators_and_line_breaks_end_a_sentence_without_a_space(automaton: Automaton) -> None:
    field = prepare("summary", "处以罚款。此前已罚款！第三句\n第四句", automaton)
    assert _sentences(field) == ["处以罚款", "此前已罚款", "第三句", "第四句"]
    assert field.hit_sentences == [0, 1]


def test_sentences_keep_folded_offsets_when_folding_expands_the_text(automaton: Automaton) -> None:
    field = prepare("summary", "Straße ﬁned. The firm was fined.", automaton)
    assert _sentences(field) == ["strasse fined", "the firm was fined"]
    assert field.hit_sentences == [0, 1]


def _found(field: Field, start: int, end: int, ref: str) -> Found:
    return Found(field, start, end, "company", ref, ref, None, 0)


def test_longest_only_drops_spans_inside_longer_ones_of_the_same_field(automaton: Automaton) -> None:
    title, summary = prepare("title", "x" * 40, automaton), prepare("summary", "y" * 40, automaton)
    rng = random.Random(3)
    for _ in range(300):
        items = []
        for number in range(rng.randint(0, 12)):
            start = rng.randint(0, 30)
            items.append(_found(rng.choice((title, summary)), start, start + rng.randint(1, 8), f"c{number}"))
        expected = [
            item for item in items
            if not any(
                other.field is item.field and other.start <= item.start and item.end <= other.end
                and other.end - other.start > item.end - item.start
                for other in items
            )
        ]  # fmt: skip
        assert longest_only(items) == expected


def test_equal_spans_are_all_kept_in_their_order(automaton: Automaton) -> None:
    field = prepare("title", "x" * 20, automaton)
    same = [_found(field, 2, 6, "b"), _found(field, 2, 6, "a"), _found(field, 3, 5, "inside")]
    assert [item.ref for item in longest_only(same)] == ["b", "a"]
