"""Folding for matching, and the way back to original offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.classify.normalise import _TYPOGRAPHY, _tables, fold, normalise


def test_case_accents_width_and_traditional_chinese_fold() -> None:
    assert fold("Autorité de la CONCURRENCE") == "autorite de la concurrence"
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("ｶﾀｶﾅ") == "カタカナ"
    assert fold("國家網信辦") == "国家网信办"
    assert fold("Straße Bußgeld") == "strasse bussgeld"
    assert fold("l’Autorité – “x”, (y)") == "l autorite    x    y "  # punctuation: one space per character


def test_hangul_and_kana_are_not_decomposed() -> None:
    assert fold("공정거래위원회") == "공정거래위원회"
    assert fold("グーグル") == "グーグル"


def test_offsets_survive_one_to_one_folding() -> None:
    text = normalise("La COMCO sanctionne Bucher")
    start = text.text.index("bucher")
    assert text.original.__getitem__(slice(*text.span(start, start + 6))) == "Bucher"


def test_offsets_survive_expanding_and_vanishing_characters() -> None:
    text = normalise("Die Straße: Bußgeld für e\u0301te ㈱X")
    start = text.text.index("bussgeld")
    assert text.original.__getitem__(slice(*text.span(start, start + 8))) == "Bußgeld"
    start = text.text.index("ete")
    assert text.original.__getitem__(slice(*text.span(start, start + 3))) == "e\u0301te"
    start = text.text.index(" 株 x")
    assert text.original.__getitem__(slice(*text.span(start, start + 4))) == "㈱X"
    assert text.to_folded(text.original.index("X")) == start + 3


@given(st.text(max_size=60))
def test_offset_map_is_monotonic_and_in_bounds(raw: str) -> None:
    text = normalise(raw)
    mapped = [text.to_original(i) for i in range(len(text.text) + 1)]
    assert mapped == sorted(mapped)
    assert all(0 <= offset <= len(raw) for offset in mapped)
    assert mapped[-1] == len(raw) or len(text.text) == 0


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Nd", "Zs"]), max_size=40))
def test_folding_a_text_folds_each_character(raw: str) -> None:
    assert normalise(raw).text == fold(raw)


# Latin-1 and the typography of Latin-script news, with a few characters that leave the fast path.
_LATIN_NEWS = st.characters(min_codepoint=0, max_codepoint=0xFF) | st.sampled_from("‘’“”–—…€•‹›Łőğẞ中國ﬁ\u0301𝐀🚨")


@given(st.text(alphabet=_LATIN_NEWS, max_size=80))
def test_every_way_of_folding_gives_what_the_full_table_gives(raw: str) -> None:
    assert normalise(raw).text == raw.translate(_tables().translate)
    assert fold(raw) == raw.translate(_tables().translate)


def test_every_latin1_character_folds_as_the_full_table_says() -> None:
    assert all(_tables().translate[ord(mark)] == " " for mark in _TYPOGRAPHY)  # replaced one for one
    every = "".join(map(chr, range(256))) + "’“”–—…€"
    for ch in every:
        assert fold(f"Société {ch} Générale") == f"Société {ch} Générale".translate(_tables().translate), repr(ch)
