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
from collections.abc import Iterable, Sequence
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

    def story_ids(self, item_ids: Sequence[str]) -> dict[str, str]:
        """The story id of each of these items that already belongs to one."""

    def stories(self, story_ids: Iterable[str]) -> dict[str, Story]:
        """These stories with every report, each story's reports by (publication, item id)."""

    def candidates(self, reports: Sequence[Report], window: timedelta) -> list[Story]:
        """At least every story one of ``reports`` may join (:func:`may_join`): the index picks per report."""

    def save(self, assigned: Sequence[tuple[Story, Report]]) -> None:
        """Record, at once, that each report now belongs to its story (a report already recorded keeps its)."""


def keys_of(report: Report) -> list[str]:
    """What a report is found by: each company, each regulator, and each regulator of a report that names no
    company (``n:``), the only kind a report naming companies can join by regulator alone."""
    keys = [f"c:{c}" for c in sorted(report.companies)] + [f"r:{r}" for r in sorted(report.regulators)]
    return keys + ([] if report.companies else [f"n:{r}" for r in sorted(report.regulators)])


def candidate_keys(report: Report) -> list[str]:
    """The keys of the reports whose stories ``report`` may join (:func:`joins`): a report naming companies
    joins a story sharing one, or a story naming none that shares a regulator; one naming no company joins a
    story sharing a regulator. So a busy regulator's other cases are not candidates of a report naming a
    company."""
    if report.companies:
        return [f"c:{c}" for c in sorted(report.companies)] + [f"n:{r}" for r in sorted(report.regulators)]
    return [f"r:{r}" for r in sorted(report.regulators)]


def may_join(report: Report, story: Story, window: timedelta) -> bool:
    """Whether ``story`` is a candidate of ``report``: one of its reports, within ``window`` of ``report``,
    has a key ``report`` looks for (:func:`candidate_keys`)."""
    wanted = set(candidate_keys(report))
    return any(
        abs(r.published - report.published) <= window and not wanted.isdisjoint(keys_of(r)) for r in story.reports
    )


def ordered(reports: Iterable[Report]) -> list[Report]:
    """Reports by (publication, item id): the order a story keeps them in."""
    return sorted(reports, key=lambda r: (r.published, r.item_id))


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
        return self.assign_all([report])[0]

    def assign_all(self, reports: Sequence[Report]) -> list[Story]:
        """The story of each report, decided in order exactly as one :meth:`assign` after another would,
        from one candidate load, and recorded in one save. Each story comes as it was once its report joined
        (what the store kept, should another replica have recorded the item first)."""
        known_ids = self.store.story_ids([r.item_id for r in reports])
        fresh = [r for r in reports if r.item_id not in known_ids]
        live = {s.story_id: s for s in self.store.candidates(fresh, self.window)} if fresh else {}
        live.update((i, s) for i, s in self.store.stories(set(known_ids.values()) - set(live)).items())
        story_of = dict(known_ids)
        by_key: dict[str, set[str]] = {}  # key -> ids of the live stories with a report having it
        for story in live.values():
            for r in story.reports:
                for key in keys_of(r):
                    by_key.setdefault(key, set()).add(story.story_id)
        result: list[Story] = []
        assigned: list[tuple[Story, Report]] = []
        for report in reports:
            if report.item_id not in story_of:
                near = {i for key in candidate_keys(report) for i in by_key.get(key, ())}
                story = self._decide(report, [live[i] for i in near])
                live[story.story_id], story_of[report.item_id] = story, story.story_id
                for key in keys_of(report):
                    by_key.setdefault(key, set()).add(story.story_id)
                assigned.append((story, report))
            story = live[story_of[report.item_id]]
            result.append(Story(story.story_id, list(story.reports)))
        if not assigned:
            return result
        self.store.save(assigned)
        kept = self.store.story_ids([r.item_id for _, r in assigned])
        lost = {r.item_id: kept[r.item_id] for s, r in assigned if kept.get(r.item_id, s.story_id) != s.story_id}
        if lost:
            theirs = self.store.stories(set(lost.values()))
            result = [theirs[lost[r.item_id]] if r.item_id in lost else s for r, s in zip(reports, result, strict=True)]
        return result

    def _decide(self, report: Report, stories: Iterable[Story]) -> Story:
        """The story ``report`` joins (the closest of those it may join), else a new one; ``report`` added."""
        candidates = sorted(
            (s for s in stories if may_join(report, s, self.window)),
            key=lambda s: (s.reports[0].published, s.reports[0].item_id),
        )
        joined = [s for s in candidates if joins(report, s, self.window)]
        story = max(joined, key=lambda s: _closeness(report, s)) if joined else Story(story_id_for(report.item_id))
        story.reports = ordered([*story.reports, report])
        return story


class MemoryStories:
    """A story store in memory (``regalerts stories``, tests)."""

    def __init__(self) -> None:
        self._stories: dict[str, list[Report]] = {}
        self._story_of: dict[str, str] = {}

    def story_ids(self, item_ids: Sequence[str]) -> dict[str, str]:
        """The story id of each of these items that already belongs to one."""
        return {i: self._story_of[i] for i in item_ids if i in self._story_of}

    def stories(self, story_ids: Iterable[str]) -> dict[str, Story]:
        """These stories with every report (copies: the index changes only what it saves)."""
        return {i: Story(i, list(self._stories[i])) for i in story_ids if i in self._stories}

    def candidates(self, reports: Sequence[Report], window: timedelta) -> list[Story]:
        """Every story with a report within ``window`` of one of ``reports``."""
        start, end = min(r.published for r in reports) - window, max(r.published for r in reports) + window
        near = [i for i, story in self._stories.items() if any(start <= r.published <= end for r in story)]
        return list(self.stories(near).values())

    def save(self, assigned: Sequence[tuple[Story, Report]]) -> None:
        """Record that each report belongs to its story (a report already recorded keeps its)."""
        for story, report in assigned:
            if report.item_id not in self._story_of:
                self._story_of[report.item_id] = story.story_id
                self._stories[story.story_id] = ordered([*self._stories.get(story.story_id, []), report])
