"""What the pipeline bench feeds in: items naming knowledge-base companies, and subscriptions that match them.

Every item is one of a fixed set of headlines (a company and an action), each item its own event: the
n-th appearance of a headline states the n-th of a series of amounts, none within 5% of another, so the
product rightly makes every item a story of its own (and one alert per matching subscription). Each
headline is classified up front with the real classifier (its first two appearances checked to be two
stories) and matched with notify's own matcher against the subscriptions, so the bench knows how many
alerts each item must produce. Subscriptions follow one (company, action) pair each,
drawn so that an item matches ``matches`` of them on average.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from services.classify.classifier import Classifier
from services.classify.stories import MemoryStories, StoryIndex, report_for
from services.notify.intake import IndexCache
from services.notify.matching import match
from services.notify.schemas import SubscriptionCreate
from services.notify.store import create_subscription, create_tenant
from services.pipeline.events import ClassifiedItem, RawItem

KB = Path(__file__).resolve().parents[2] / "services" / "classify" / "kb"
TEMPLATES = {
    "fine": (
        "SEC fines {name} ${amount} million over disclosure failures",
        "The SEC fined {name} ${amount} million for misleading investors.",
    ),
    "investigation": (
        "European Commission opens investigation into {name}",
        "The Commission opened a formal investigation into {name} over a €{amount} million payment.",
    ),
    "lawsuit": (
        "FTC sues {name} over deceptive advertising",
        "The FTC filed a lawsuit against {name} for ${amount} million in damages.",
    ),
    "warning": (
        "FDA sends warning letter to {name}",
        "The FDA warned {name} about manufacturing violations and withheld a ${amount} million payment.",
    ),
}


@dataclass(frozen=True)
class Headline:
    """One item text the bench publishes, the company and action it names, and its expected alerts."""

    company_id: str
    action: str
    title: str  # with {amount}
    summary: str
    expected: int = 0

    def texts(self, appearance: int) -> tuple[str, str]:
        """The title and summary of the headline's ``appearance``-th item (from 0)."""
        amount = amount_of(appearance)
        return self.title.format(amount=amount), self.summary.format(amount=amount)


def amount_of(appearance: int) -> int:
    """The amount (millions) stated by a headline's ``appearance``-th item: each more than 5% above the last."""
    amount = 2
    for _ in range(appearance):
        amount = math.ceil(amount * 1.1) + 1
    return amount


def _companies() -> list[tuple[str, str]]:
    found = []
    for path in sorted(KB.glob("companies-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if not record.get("ambiguous") and len(record["name"]) > 3:
                found.append((record["id"], record["name"]))
    return found


def headlines(classifier: Classifier, count: int, seed: int) -> list[Headline]:
    """``count`` companies' headlines, one per action, each checked to be tagged with its company and action."""
    candidates = _companies()
    random.Random(seed).shuffle(candidates)
    chosen: list[Headline] = []
    for company_id, name in candidates:
        rows = [
            Headline(company_id, action, t.format(name=name, amount="{amount}"), s.format(name=name, amount="{amount}"))
            for action, (t, s) in TEMPLATES.items()
        ]
        if all(_tagged(classifier, row) for row in rows):
            chosen.extend(rows)
        if len(chosen) >= count * len(TEMPLATES):
            return chosen
    raise SystemExit(f"only {len(chosen) // len(TEMPLATES)} companies classify reliably; ask for fewer")


def _tagged(classifier: Classifier, row: Headline) -> bool:
    """The headline is tagged with its company and action, and two appearances are two stories."""
    index = StoryIndex(MemoryStories())
    stories = set()
    for appearance in (0, 1):
        title, summary = row.texts(appearance)
        tags = classifier.classify(title, summary, "en")
        if row.company_id not in {c.id for c in tags.companies} or row.action not in {
            a.type.value for a in tags.actions
        }:
            return False
        report = report_for(
            item_id=str(appearance), published=datetime.now(UTC), feed="f", link=None, title=title, summary=summary,
            tags=tags,
        )  # fmt: skip
        stories.add(index.assign(report).story_id)
    return len(stories) == 2


def subscribe(
    sessions: sessionmaker[Session], rows: list[Headline], *, subscriptions: int, tenants: int, hook: str, seed: int
) -> None:
    """Create ``tenants`` tenants sharing ``subscriptions`` subscriptions, each on one (company, action);
    one in twenty sends email, the others a webhook to ``hook``/t<tenant>."""
    rng = random.Random(seed)
    with sessions.begin() as session:
        tenant_ids = [create_tenant(session, name=f"bench-{n}")[0].id for n in range(tenants)]
    for start in range(0, subscriptions, 1000):
        with sessions.begin() as session:
            for n in range(start, min(start + 1000, subscriptions)):
                row, tenant = rng.choice(rows), n % tenants
                channel: dict[str, object] = {"type": "webhook", "url": f"{hook}/t{tenant}", "format": "json"}
                if n % 20 == 0:
                    channel = {"type": "email", "addresses": [f"t{tenant}@bench.example.org"]}
                data = SubscriptionCreate.model_validate(
                    {
                        "name": f"s{n}",
                        "filters": {"companies": [row.company_id], "actions": [row.action]},
                        "channel": channel,
                    }
                )
                create_subscription(session, tenant_id=tenant_ids[tenant], data=data)


def expectations(classifier: Classifier, sessions: sessionmaker[Session], rows: list[Headline]) -> list[Headline]:
    """Each headline with the number of subscriptions notify's matcher finds for its classified form."""
    with sessions() as session:
        index, _plans, _watch = IndexCache().refresh(session)
    now = datetime.now(UTC)
    counted = []
    for row in rows:
        title, summary = row.texts(0)
        raw = RawItem(
            item_id="x", feed_id="f", feed_url="http://f/", title=title, summary=summary,
            published_at=now, first_seen_at=now, language="en",
        )  # fmt: skip
        tags = classifier.classify(title, summary, "en")
        classified = ClassifiedItem(item=raw, tags=tags, classified_at=now)
        counted.append(Headline(row.company_id, row.action, row.title, row.summary, len(match(classified, index))))
    return counted
