"""Alerts that explain themselves: the English gist, why a subscription matched, the Slack message with
headline, gist, subscription, publication date and sources (checked with slack_sdk), digests one per story."""

from __future__ import annotations

from services.notify.channels import Batch, Target
from services.notify.channels.slack import render_slack
from services.notify.explain import why_matched
from services.notify.gist import gist
from services.notify.matching import Rule
from services.notify.payload import build_alert
from services.notify.schemas import Filters
from services.pipeline.events import ClassifiedItem, Evidence
from tests.notify.conftest import make_item
from tests.notify.test_slack_email import check_block_kit
from tests.notify.test_stories import reported


def seed_item() -> ClassifiedItem:
    """The seed story as classify tags it: CAC, a summons and a security assessment, five companies."""
    item = make_item(
        "feed:seed",
        title="La Chine convoque des entreprises technologiques sur la sécurité des logiciels vocaux",
        companies=[(c.lower(), c, 0.95) for c in ("Alibaba", "Tencent", "Xiaomi", "ByteDance", "Kuaishou")],
        regulators=[("cn-cac", "Cyberspace Administration of China", "CAC", "CN", 0.95)],
        actions=[("summons", 0.9), ("security_assessment", 0.8)],
        jurisdictions=["CN"],
        language="fr",
    )
    said: dict[str, list[Evidence]] = {
        "bytedance": [{"text": "ByteDance", "field": "summary", "start": 70, "end": 79}],
        "cn-cac": [{"text": "Administration chinoise du cyberespace", "field": "summary", "start": 90, "end": 128}],
        "summons": [{"text": "convoque", "field": "title", "start": 10, "end": 18}],
    }
    tags = item.tags
    companies = [c.model_copy(update={"evidence": said.get(c.id, [])}) for c in tags.companies]
    regulators = [r.model_copy(update={"evidence": said.get(r.id, [])}) for r in tags.regulators]
    actions = [
        a.model_copy(update={"evidence": said.get(a.type.value, []), "primary": a.type.value == "summons"})
        for a in tags.actions
    ]
    return item.model_copy(
        update={"tags": tags.model_copy(update={"companies": companies, "regulators": regulators, "actions": actions})}
    )


def test_the_gist_reads_any_headline_in_english() -> None:
    assert gist(seed_item().tags) == (
        "CAC (China) summoned Alibaba, Tencent, Xiaomi, ByteDance and Kuaishou — security assessment"
    )
    korean = make_item(
        title="공정위, 구글에 과징금 2000억원 부과", companies=[("google", "Google", 0.9)],
        regulators=[("kr-kftc", "Korea Fair Trade Commission", "KFTC", "KR", 0.9)], language="ko",
    ).tags.model_copy(update={"amount": reported(0, amount=("200000000000", "KRW")).tags.amount})  # fmt: skip
    assert gist(korean) == "KFTC (South Korea) fined Google — KRW 200bn"
    assert gist(make_item(companies=[], regulators=[], actions=[], jurisdictions=[]).tags) == "A regulator acted on"


def test_why_names_each_filter_value_that_hit_with_its_words() -> None:
    filters = Filters(companies=["ByteDance"], regulators=["CAC"], actions=["summons"], jurisdictions=["CN"])
    hits = why_matched(Rule.from_filters("s", "t", filters), seed_item())
    assert hits == [
        {"filter": "companies", "value": "ByteDance", "evidence": ["ByteDance"]},
        {"filter": "regulators", "value": "CAC", "evidence": ["Administration chinoise du cyberespace"]},
        {"filter": "actions", "value": "summons", "evidence": ["convoque"]},
        {"filter": "jurisdictions", "value": "CN", "evidence": ["Administration chinoise du cyberespace"]},
    ]


def test_slack_shows_headline_gist_subscription_date_and_sources() -> None:
    alert = build_alert(reported(2), alert_id="msg_1", kind="story_update", subscription=("sub_1", "Acme watch"))
    target = Target("sub_1", "t1", "Acme watch", "slack", url="https://hooks.slack.com/services/x")
    message = render_slack(Batch(target, [alert]))
    check_block_kit(message)
    section, context = message["blocks"][0]["text"]["text"], message["blocks"][1]["elements"][0]["text"]
    assert section.startswith("*New report: <https://www.sec.gov/news/1|AGCM fines Acme Corp, report 2>*")
    assert "_SEC (US) fined Acme Corp — EUR 1.128bn_" in section
    assert "Sources: 3" in context and "Subscription: Acme watch" in context and "Le Monde" in context
    assert f"Published {alert.item.published_at:%Y-%m-%d}" in context


def test_a_digest_lists_each_story_once_with_its_sources() -> None:
    alerts = [
        build_alert(reported(n), alert_id=f"msg_{n}", kind="story_update", subscription=("sub_1", "Acme watch"))
        for n in range(3)
    ] + [build_alert(reported(0, "st_other"), alert_id="msg_x", kind="created", subscription=("sub_1", "Acme watch"))]
    target = Target("sub_1", "t1", "Acme watch", "slack", url="https://hooks.slack.com/services/x")
    message = render_slack(Batch(target, alerts, digest=True))
    check_block_kit(message)
    assert message["blocks"][0]["text"]["text"] == "2 regulatory alerts (digest)"
    contexts = [b["elements"][0]["text"] for b in message["blocks"] if b["type"] == "context"]
    assert ["Sources: 3" in c for c in contexts] == [True, False]
