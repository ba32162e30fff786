"""``regalerts stories`` (JSON lines in, each back with its tags and story id) and
``regalerts eval --stories PATH`` (pairwise and B-cubed figures against gold stories, and amounts)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from services.classify.classifier import Classifier
from services.classify.commands import (
    InvalidLine,
    eval_classifier,
    load_classifier,
    numbered_lines,
    parse_item,
    tag_item,
    tags_json,
)
from services.classify.kb import KB_DIR
from services.classify.stories import MemoryStories, Report, StoryIndex, report_for
from services.classify.story_evaluation import AmountScore, bcubed, pairwise, render
from services.pipeline.events import Tags


def parse_story_item(line: str) -> dict[str, Any]:
    """One input line of ``regalerts stories``: an item with a string id and an ISO 8601 ``published``
    with its offset."""
    item = parse_item(line)
    if not isinstance(item.get("id"), str) or not item["id"]:
        raise InvalidLine("'id' must be a non-empty string")
    try:
        published = datetime.fromisoformat(str(item.get("published")))
    except ValueError as exc:
        raise InvalidLine("'published' must be an ISO 8601 date-time") from exc
    if published.utcoffset() is None:
        raise InvalidLine("'published' needs a UTC offset (e.g. +00:00)")
    if item.get("feed") is not None and not isinstance(item["feed"], str):
        raise InvalidLine("'feed' must be a string when given")
    return item


def story_report(item: dict[str, Any], tags: Tags) -> Report:
    """The story features of a parsed, tagged item (as the service builds them from a tagged item)."""
    return report_for(
        item_id=item["id"],
        published=datetime.fromisoformat(item["published"]),
        feed=item.get("feed") or "",
        link=item.get("link"),
        title=item["title"],
        summary=item.get("summary") or "",
        tags=tags,
    )


def run_stories(classifier: Classifier, source: TextIO, sink: TextIO, errors: TextIO) -> int:
    """Tag and group every line of ``source``, in the order given, into ``sink``; a bad line becomes an
    error record on ``errors`` and the rest go on. Returns the bad-line count."""
    index, failures = StoryIndex(MemoryStories()), 0
    for number, line in numbered_lines(source):
        try:
            item = parse_story_item(line)
        except InvalidLine as exc:
            failures += 1
            errors.write(json.dumps({"line": number, "error": str(exc)}, ensure_ascii=False) + "\n")
            continue
        tags = tag_item(classifier, item)
        item["tags"] = tags_json(tags)
        item["story"] = index.assign(story_report(item, tags)).story_id
        sink.write(json.dumps(item, ensure_ascii=False) + "\n")
    return failures


def read_gold(dataset: Path) -> list[dict[str, Any]]:
    """The items of a gold story set, in publication order (as a service would see them)."""
    items = []
    with dataset.open(encoding="utf-8") as stream:
        for number, line in numbered_lines(stream):
            try:
                item = parse_story_item(line)
            except InvalidLine as exc:
                raise InvalidLine(f"{dataset}:{number}: {exc}") from exc
            if not isinstance(item.get("story"), str):
                raise InvalidLine(f"{dataset}:{number}: 'story' (the gold story) must be a string")
            items.append(item)
    return sorted(items, key=lambda item: datetime.fromisoformat(item["published"]))


def run_story_eval(classifier: Classifier, dataset: Path) -> tuple[list[str], dict[str, Any]]:
    """Group a gold story set and score it: the printed lines and the figures as a dict."""
    items = read_gold(dataset)
    index, amounts = StoryIndex(MemoryStories()), AmountScore()
    predicted: dict[str, str] = {}
    gold: dict[str, str] = {}
    for item in items:
        tags = tag_item(classifier, item)
        predicted[item["id"]] = index.assign(story_report(item, tags)).story_id
        gold[item["id"]] = item["story"]
        if "amount" in item:
            amount = tags.model_dump(mode="json")["amount"]
            amounts.add(item["id"], amount, item["amount"])
    pairs, cubed = pairwise(predicted, gold), bcubed(predicted, gold)
    figures: dict[str, Any] = {
        name: {"precision": s.precision, "recall": s.recall, "f1": s.f1}
        for name, s in (("pairwise", pairs), ("bcubed", cubed))
    }
    figures["amounts"] = {k: getattr(amounts, k) for k in ("stated", "right", "unstated", "invented")}
    figures["items"], figures["stories"] = len(items), len(set(predicted.values()))
    return render(pairs, cubed, amounts, len(set(predicted.values())), len(items)), figures


def _stories(args: argparse.Namespace) -> int:
    classifier = load_classifier(Path(args.kb), "stories")
    if classifier is None:
        return 2
    return 1 if run_stories(classifier, sys.stdin, sys.stdout, sys.stderr) else 0


def eval_stories_command(args: argparse.Namespace) -> int:
    """``regalerts eval --stories PATH``: print the figures (as JSON with ``--json``)."""
    dataset = Path(args.stories)
    classifier = eval_classifier(dataset, Path(args.kb))
    if classifier is None:
        return 2
    try:
        lines, figures = run_story_eval(classifier, dataset)
    except InvalidLine as exc:
        sys.stderr.write(f"regalerts eval: {exc}\n")
        return 2
    if not figures["items"]:
        sys.stderr.write(f"regalerts eval: the dataset has no items: {dataset}\n")
        return 2
    sys.stdout.write((json.dumps(figures, indent=2) if args.json else "\n".join(lines)) + "\n")
    return 0


def add_stories_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``stories`` to the ``regalerts`` command."""
    stories = subparsers.add_parser(
        "stories", help="tag and group JSON lines {id, title, summary, published, feed, lang?} into stories"
    )
    stories.add_argument("--kb", default=str(KB_DIR), help="knowledge-base folder (default: the built-in one)")
    stories.set_defaults(func=_stories)
