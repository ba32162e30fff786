"""``regalerts tag`` (JSON lines in, the same lines with tags out) and ``regalerts eval --dataset PATH``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from services.classify.classifier import Classifier
from services.classify.evaluation import Report, render
from services.classify.gazetteer import Gazetteer
from services.classify.kb import KB_DIR, KnowledgeBaseError
from services.pipeline.events import Tags


class InvalidLine(ValueError):
    """An input line that is not an item: the message says why."""


def parse_item(line: str) -> dict[str, Any]:
    """One input line: a JSON object with a string title, an optional string summary and lang."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidLine(f"not JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(item, dict):
        raise InvalidLine("expected a JSON object")
    if not isinstance(item.get("title"), str):
        raise InvalidLine("'title' must be a string")
    for key in ("summary", "lang"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise InvalidLine(f"'{key}' must be a string when given")
    return item


def tag_item(classifier: Classifier | Gazetteer, item: dict[str, Any], *, use_lang: bool = True) -> Tags:
    """Classify one parsed item."""
    lang = item.get("lang") if use_lang else None
    return classifier.classify(item["title"], item.get("summary") or "", lang)


def tags_json(tags: Tags) -> dict[str, Any]:
    """The ``tags`` object written by ``regalerts tag``."""
    return tags.model_dump(mode="json")


def numbered_lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a stream with their line numbers (from 1)."""
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line


def run_tag(classifier: Classifier, source: TextIO, sink: TextIO, errors: TextIO) -> int:
    """Tag every line of ``source`` into ``sink``; a bad line becomes an error record on ``errors`` and the
    rest go on. Returns the bad-line count."""
    failures = 0
    for number, line in numbered_lines(source):
        try:
            item = parse_item(line)
        except InvalidLine as exc:
            failures += 1
            errors.write(json.dumps({"line": number, "error": str(exc)}, ensure_ascii=False) + "\n")
            continue
        item["tags"] = tags_json(tag_item(classifier, item))
        sink.write(json.dumps(item, ensure_ascii=False) + "\n")
    return failures


def run_eval(classifier: Classifier | Gazetteer, dataset: Path, *, use_lang: bool = False) -> Report:
    """Tag every labelled item of a dataset and score the tags (the classifier's, or the gazetteer's)."""
    report = Report()
    with dataset.open(encoding="utf-8") as stream:
        for number, line in numbered_lines(stream):
            try:
                item = parse_item(line)
            except InvalidLine as exc:
                raise InvalidLine(f"{dataset}:{number}: {exc}") from exc
            report.add(item, tag_item(classifier, item, use_lang=use_lang), classifier.kb)
    return report


def load_classifier(folder: Path, command: str) -> Classifier | None:
    try:
        return Classifier.load(folder)
    except KnowledgeBaseError as exc:
        sys.stderr.write(f"regalerts {command}: {exc}\n")
        return None


def _tag(args: argparse.Namespace) -> int:
    classifier = load_classifier(Path(args.kb), "tag")
    if classifier is None:
        return 2
    failures = run_tag(classifier, sys.stdin, sys.stdout, sys.stderr)
    return 1 if failures else 0


def eval_classifier(dataset: Path, kb: Path) -> Classifier | None:
    """The classifier for ``regalerts eval``, once ``dataset`` is known to be a file (None, said on stderr)."""
    if not dataset.is_file():
        sys.stderr.write(f"regalerts eval: no such dataset file: {dataset}\n")
        return None
    return load_classifier(kb, "eval")


def _eval(args: argparse.Namespace) -> int:
    if args.stories:
        from services.classify.story_commands import eval_stories_command

        return eval_stories_command(args)
    dataset = Path(args.dataset)
    classifier = eval_classifier(dataset, Path(args.kb))
    if classifier is None:
        return 2
    try:
        report = run_eval(classifier, dataset, use_lang=args.use_lang)
    except InvalidLine as exc:
        sys.stderr.write(f"regalerts eval: {exc}\n")
        return 2
    if report.items == 0:
        sys.stderr.write(f"regalerts eval: the dataset has no items: {dataset}\n")
        return 2
    baseline = run_eval(Gazetteer(classifier.kb), dataset, use_lang=args.use_lang) if args.baseline else None
    if args.json:
        figures = report.as_dict()
        if baseline is not None:
            figures["baseline"] = baseline.as_dict()
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(render(report, baseline)) + "\n")
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``tag`` and ``eval`` to the ``regalerts`` command."""
    tag = subparsers.add_parser("tag", help="tag JSON lines {id, title, summary, lang?} from stdin to stdout")
    tag.add_argument("--kb", default=str(KB_DIR), help="knowledge-base folder (default: the built-in one)")
    tag.set_defaults(func=_tag)
    from services.classify.story_commands import add_stories_command

    add_stories_command(subparsers)
    evaluate = subparsers.add_parser("eval", help="score the classifier on a labelled JSON-lines dataset")
    sets = evaluate.add_mutually_exclusive_group(required=True)
    sets.add_argument("--dataset", help="labelled items, e.g. ../shared/data/devset.jsonl")
    sets.add_argument(
        "--stories", help="gold stories: story grouping and amounts, e.g. ../shared/data/stories-dev.jsonl"
    )
    evaluate.add_argument("--kb", default=str(KB_DIR), help="knowledge-base folder (default: the built-in one)")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument(
        "--baseline", action="store_true", help="print the plain gazetteer's figures beside the classifier's"
    )
    evaluate.add_argument(
        "--use-lang", action="store_true", help="pass each item's labelled language instead of detecting it"
    )
    evaluate.set_defaults(func=_eval)
