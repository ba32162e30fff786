"""Whatever the text, the classifier answers, and every piece of evidence points at the original text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.classify.classifier import Classifier

WORDS = st.sampled_from(
    [
        "CAC", "cac", "CAC 40", "Tencent", "腾讯", "微信", "在微博", "WEKO", "Weko", "büsst", "Bußgeld", "ß", "ﬁ", "㈱",
        "e\u0301", "Apple", "apple", "Meta-", "Post", "(AP)", "HONG KONG", "AG", "S.p.A.", "株式会社", "주식회사",
        "애플에", "約談", "约谈", "convoqué", "amende", "après que", "le mois dernier", ".", "。", "\n", " ", "-", "F.D.A.",
        "SEC", "fines", "in order to", "Ｔｅｎｃｅｎｔ", "ｶﾀｶﾅ", "🙂", "\u200b", "\x00",
    ]
)  # fmt: skip
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=30).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, summary=TEXT, lang=st.sampled_from([None, "fr", "de", "zh", "ja", "ko", "en", "xx"]))
def test_evidence_always_points_at_the_original_text(
    classifier: Classifier, title: str, summary: str, lang: str | None
) -> None:
    tags = classifier.classify(title, summary, lang)
    fields = {"title": title, "summary": summary}
    for tag in (*tags.companies, *tags.regulators, *tags.actions):
        assert 0.0 < tag.confidence <= 1.0
        for evidence in tag.evidence:
            assert fields[evidence["field"]][evidence["start"] : evidence["end"]] == evidence["text"]
    assert len({c.id for c in tags.companies}) == len(tags.companies)
    assert len({a.type for a in tags.actions}) == len(tags.actions)
