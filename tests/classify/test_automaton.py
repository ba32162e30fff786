"""The automaton's boundary and case rules."""

from __future__ import annotations

from services.classify.automaton import Automaton, Builder, is_acronym
from services.classify.normalise import normalise


def _automaton() -> Automaton:
    builder = Builder()
    builder.add_name("CAC", "regulator", "cn-cac")
    builder.add_name("WEKO", "regulator", "ch-comco")
    builder.add_name("Apple", "company", "apple")
    builder.add_name("腾讯", "company", "tencent")
    builder.add_name("애플", "company", "apple")
    builder.add("convoqu*", "action", "summons", lang="fr")
    builder.add("ban", "action", "ban", lang="en")
    builder.add_name("1&1", "company", "1-1")
    return builder.build()


def _found(text: str) -> list[tuple[str, str]]:
    folded = normalise(text)
    return [
        (folded.original.__getitem__(slice(*folded.span(h.start, h.end))), e.ref)
        for h in _automaton().find(folded)
        for e in h.entries
    ]


def test_alphabetic_patterns_need_word_boundaries() -> None:
    assert _found("Apple, Apples, Pineapple, banal, ban.") == [("Apple", "apple"), ("ban", "ban")]


def test_a_stem_takes_any_ending() -> None:
    assert _found("convoque, convoqué, convoquées, reconvoque") == [
        ("convoque", "summons"), ("convoqué", "summons"), ("convoquées", "summons"),
    ]  # fmt: skip


def test_cjk_needs_no_boundary_and_hangul_only_a_left_one() -> None:
    assert _found("约谈腾讯等") == [("腾讯", "tencent")]
    assert _found("구글·애플에 과징금") == [("애플", "apple")]
    assert _found("사과애플") == []


def test_latin_names_beside_cjk_text_are_found_in_every_run() -> None:
    # No space marks the edges of a Latin run inside Chinese text: each run is scanned again, all in one pass.
    assert _found("约谈Apple公司、CAC和腾讯，2021年ban了Apple") == [
        ("腾讯", "tencent"), ("Apple", "apple"), ("CAC", "cn-cac"), ("ban", "ban"), ("Apple", "apple"),
    ]  # fmt: skip
    assert _found("罚款2021年3月") == []
    assert _found("约谈1&1公司") == [("1&1", "1-1")]  # a run of digits is read again when a name is made of digits


def test_a_name_without_letters_must_be_written_as_it_is() -> None:
    assert _found("1&1 fined; Apple fined 1.1 billion and 1,1 Mrd.") == [("1&1", "1-1"), ("Apple", "apple")]


def test_short_acronyms_keep_their_case() -> None:
    assert _found("le CAC a convoqué") == [("CAC", "cn-cac"), ("convoqué", "summons")]
    assert _found("cac cac Cac") == []
    assert _found("WEKO, Weko, weko") == [("WEKO", "ch-comco"), ("Weko", "ch-comco")]
    assert _found("la C.A.C. dit") == [("C.A.C", "cn-cac")]


def test_acronym_detection() -> None:
    assert is_acronym("CAC") and is_acronym("F.D.A.") and is_acronym("AT&T")
    assert not is_acronym("Apple") and not is_acronym("COFECE") and not is_acronym("A")


def test_a_regulator_name_is_never_also_a_company() -> None:
    builder = Builder()
    builder.add_name("Swissmedic", "regulator", "ch-swissmedic")
    builder.add_name("Swissmedic", "company", "someone")
    hits = list(builder.build().find(normalise("Swissmedic autorise")))
    assert [(e.kind, e.ref) for h in hits for e in h.entries] == [("regulator", "ch-swissmedic")]
