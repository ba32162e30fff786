"""Tokenisation for full-text search: folded words, CJK as character pairs."""

from __future__ import annotations

from services.web.text import index_text, query_terms, tag_token, tokens


def test_words_are_folded() -> None:
    assert tokens("L'Autorité inflige une AMENDE") == ["l", "autorite", "inflige", "une", "amende"]


def test_han_runs_become_overlapping_pairs_and_the_last_character() -> None:
    assert tokens("处以罚款") == ["处以", "以罚", "罚款", "款"]
    assert tokens("对腾讯 fine") == ["对腾", "腾讯", "讯", "fine"]


def test_a_query_in_han_is_its_pairs() -> None:
    assert query_terms("罚款") == ["罚款"]
    assert query_terms("处以罚款") == ["处以", "以罚", "罚款"]
    assert query_terms("罚") == ["罚"]


def test_query_terms_are_deduplicated_and_bounded() -> None:
    assert query_terms("fine fine FINE") == ["fine"]
    assert len(query_terms(" ".join(f"w{i}" for i in range(50)))) == 12


def test_index_text_joins_parts() -> None:
    assert index_text("CNIL", "Amende") == "cnil amende"


def test_punctuation_and_quotes_never_reach_the_query() -> None:
    assert query_terms('"amende" OR NEAR(x) *') == ["amende", "or", "near", "x"]


def test_tag_tokens_are_one_word_each_and_tell_kinds_and_values_apart() -> None:
    token = tag_token("jurisdiction", "US-NY")
    assert tokens(token) == [token]
    assert len({tag_token("company", "x"), tag_token("regulator", "x"), tag_token("company", "y")}) == 3
