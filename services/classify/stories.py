"""Stories: the reports of one regulatory decision, across feeds and languages, under one stable id.

A report joins a story when it reports the same decision: a company in common (or, for items naming no
company, the same regulator, decision and headline words), within ``WINDOW`` of the story's reports, with
no regulator, decision or amount that contradicts it. A new decision about the same company (a settlement
after a lawsuit, a second fine) has a decision the story's decided reports never spoke of, or another
amount; a case cited
as background is outside the window. Agreeing amounts outweigh a decision word read differently.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final, Protocol

from services.classify.amounts import stated_amounts
from services.classify.normalise import fold
from services.pipeline.events import Tags

WINDOW: Final = timedelta(days=30)
SAME_AMOUNT: Final = Decimal("0.05")  # reports round: "€1,1 bilhão" and "1,128 miliardi"
MIN_SHARED_WORDS: Final = 0.3  # headline words in common, for items that name no company
# Decisions (primary actions that end a stage) by family: a report of another family is another story.
DECISIONS: Final = {
    "fine": "fine", "settlement": "settlement", "ban": "restriction", "order": "restriction",
    "licence_revocation": "restriction", "approval": "approval", "rejection": "rejection", "recall": "recall",
    "final_rule": "final_rule", "lawsuit": "lawsuit",
}  # fmt: skip
_WORD: Final = re.compile(r"[^\W\d_]{4,}|[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")

Money = tuple[Decimal, str]


@dataclass(frozen=True)
class Report:
    """One item as a story sees it: where and when it was published, and the features that group it."""

    item_id: str
    published: datetime
    feed: str
    lang: str
    link: str | None
    title: str
    companies: frozenset[str] = frozenset()
    regulators: frozenset[str] = frozenset()
    families: frozenset[str] = frozenset()  # every action's family (decision family, else its type)
    decisions: frozenset[str] = frozenset()  # the families of its primary decisions
    amounts: tuple[Money, ...] = ()
    words: frozenset[str] = frozenset()


def report_of(
    *, item_id: str, published: datetime, feed: str, lang: str, link: str | None, title: str, tags: Tags,
    amounts: Iterable[Money] = (),
) -> Report:  # fmt: skip
    """The story features of a tagged item; ``amounts``: every amount it states (amounts.stated_amounts)."""
    return Report(
        item_id=item_id, published=published, feed=feed, lang=lang, link=link, title=title,
        companies=frozenset(c.id for c in tags.companies), regulators=frozenset(r.id for r in tags.regulators),
        families=frozenset(DECISIONS.get(a.type.value, a.type.value) for a in tags.actions),
        decisions=frozenset(DECISIONS[a.type.value] for a in tags.actions if a.primary and a.type.value in DECISIONS),
        amounts=tuple(dict.fromkeys(amounts)), words=headline_words(title),
    )  # fmt: skip


def report_for(
    *, item_id: str, published: datetime, feed: str, link: str | None, title: str, summary: str, tags: Tags
) -> Report:
    """The story features of an item and its tags, every amount it states included."""
    amounts = stated_amounts(title, summary, lang=tags.language, jurisdictions=tags.jurisdictions)
    return report_of(
        item_id=item_id, published=published, feed=feed, lang=tags.language, link=link, title=title, tags=tags,
        amounts=amounts,
    )  # fmt: skip


def headline_words(title: str) -> frozenset[str]:
    """The folded words of a headline that compare it with others (four letters and more, CJK characters)."""
    return frozenset(_WORD.findall(fold(title)))


def story_id_for(item_id: str) -> str:
    """A story's id, from its first report's item id: the same on every replica and every replay."""
    return "st_" + hashlib.sha256(item_id.encode()).hexdigest()[:20]


@dataclass
class Story:
    """A story: its id and reports, the first one first."""

    story_id: str
    reports: list[Report] = field(default_factory=list)

    @property
    def first(self) -> Report:
        """The first report (by publication time)."""
        return min(self.reports, key=lambda r: r.published)

    def union(self, name: str) -> frozenset[str]:
        """A feature's values over every report (companies, regulators, families, words)."""
        values: set[str] = set()
        for report in self.reports:
            values.update(getattr(report, name))
        return frozenset(values)

    def amounts(self) -> set[Money]:
        """Every amount the story's reports state."""
        return {money for report in self.reports for money in report.amounts}


class StoryStore(Protocol):
    """Where stories live: memory for the command line, a table for the service."""

    def story_of(self, item_id: str) -> Story | None:
        """The story an item already belongs to, if any."""

    def candidates(self, report: Report, window: timedelta) -> list[Story]:
        """Stories with a report within ``window`` of ``report`` sharing a company or regulator with it."""

    def save(self, story: Story, report: Report) -> None:
        """Record that ``report`` now belongs to ``story``."""


def _agreement(a: Iterable[Money], b: Iterable[Money]) -> bool | None:
    """True when the two share an amount, False when they state amounts in a common currency and none
    agree, None when they cannot be compared (no amounts, or only in different currencies)."""
    a, b = list(a), list(b)
    common = {currency for _, currency in a} & {currency for _, currency in b}
    if not common:
        return None
    return any(
        ca == cb and abs(va - vb) <= SAME_AMOUNT * max(va, vb) for va, ca in a for vb, cb in b
    )  # fmt: skip


def _shared_words(report: Report, story: Story) -> float:
    words = story.union("words")
    return len(report.words & words) / len(report.words | words) if report.words and words else 0.0


def joins(report: Report, story: Story, window: timedelta = WINDOW) -> bool:
    """Whether ``report`` reports the decision ``story`` is about (module docstring)."""
    times = [r.published for r in story.reports]
    if not min(times) - window <= report.published <= max(times) + window:
        return False
    companies, regulators = story.union("companies"), story.union("regulators")
    if report.regulators and regulators and not report.regulators & regulators:
        return False
    if not report.companies & companies:
        if report.companies and companies:
            return False
        if not report.regulators & regulators or _shared_words(report, story) < MIN_SHARED_WORDS:
            return False
    amounts = _agreement(report.amounts, story.amounts())
    if amounts is not None:
        return amounts
    decided = story.union("decisions")
    return not decided or report.decisions <= story.union("families")


def _closeness(report: Report, story: Story) -> tuple[bool, int, float, float]:
    shared = len(report.companies & story.union("companies")) + len(report.regulators & story.union("regulators"))
    gap = min(abs((r.published - report.published).total_seconds()) for r in story.reports)
    return bool(_agreement(report.amounts, story.amounts())), shared, _shared_words(report, story), -gap


class StoryIndex:
    """Assigns each report to a story: an existing one it joins (the closest), else a new one."""

    def __init__(self, store: StoryStore, window: timedelta = WINDOW) -> None:
        self.store = store
        self.window = window

    def assign(self, report: Report) -> Story:
        """The story of ``report``, recorded in the store; the same story when the item comes again."""
        known = self.store.story_of(report.item_id)
        if known is not None:
            return known
        joined = [s for s in self.store.candidates(report, self.window) if joins(report, s, self.window)]
        story = max(joined, key=lambda s: _closeness(report, s)) if joined else Story(story_id_for(report.item_id))
        story.reports.append(report)
        self.store.save(story, report)
        return self.store.story_of(report.item_id) or story  # what the store kept, should another have won


class MemoryStories:
    """A story store in memory (``regalerts stories``, tests)."""

    def __init__(self) -> None:
        self._stories: list[Story] = []
        self._by_item: dict[str, Story] = {}

    def story_of(self, item_id: str) -> Story | None:
        """The story an item already belongs to, if any."""
        return self._by_item.get(item_id)

    def candidates(self, report: Report, window: timedelta) -> list[Story]:
        """Stories with a report within ``window`` sharing a company or regulator with ``report``."""
        return [
            story for story in self._stories
            if any(abs(r.published - report.published) <= window for r in story.reports)
            and (report.companies & story.union("companies") or report.regulators & story.union("regulators"))
        ]  # fmt: skip

    def save(self, story: Story, report: Report) -> None:
        """Record that ``report`` now belongs to ``story``."""
        if story.story_id not in {s.story_id for s in self._stories}:
            self._stories.append(story)
        self._by_item[report.item_id] = story
