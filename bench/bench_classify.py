"""Classifier benchmark: plain CPython on one core, the full knowledge base, 600-character items, the
language detected.

Prints the load time, then for the classifier and for the plain gazetteer baseline
(``services/classify/gazetteer.py``) on the same items in the same run: items per second of this process's
CPU time (the floor is judged on it: other processes on a shared machine do not slow it down much) and of
wall-clock time (they do), each the median of five rounds over slices of the items with the slowest and
fastest round, and the CPU time of one item at the median and the 99th percentile; last, the
classifier's ratio to the gazetteer and to the floor.
Run: ``.venv/bin/python bench/bench_classify.py [--items N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.classify.classifier import Classifier  # noqa: E402
from services.classify.gazetteer import Gazetteer  # noqa: E402
from services.pipeline.events import Tags  # noqa: E402

Tagger = Callable[[str, str, str | None], Tags]

FLOOR_ITEMS_PER_S = 2_000
ITEM_CHARS = 600
DEVSET = ROOT.parent / "shared" / "data" / "devset.jsonl"
TEMPLATES = [
    (
        "en",
        "SEC fines {c} over misleading disclosures",
        "The Securities and Exchange Commission said on Tuesday it "
        "had fined {c} $5 million and ordered it to cease and desist, after an investigation into its accounting. ",
    ),
    (
        "fr",
        "L'Autorité de la concurrence inflige une amende à {c}",
        "L'Autorité de la concurrence a sanctionné {c} "
        "pour abus de position dominante et lui a enjoint de modifier ses pratiques dans un délai de trois mois. ",
    ),
    (
        "de",
        "Bundeskartellamt verhängt Bußgeld gegen {c}",
        "Das Bundeskartellamt hat gegen {c} ein Bußgeld wegen "
        "verbotener Preisabsprachen verhängt; das Verfahren wurde im Rahmen einer einvernehmlichen Regelung beendet. ",
    ),
    (
        "zh",
        "国家市场监督管理总局约谈{c}",
        "国家市场监督管理总局约谈{c}，责令其限期整改，并处以罚款。此前，监管部门已对平台经济开展反垄断调查。",
    ),
    (
        "es",
        "La CNMC multa a {c}",
        "La Comisión Nacional de los Mercados y la Competencia ha impuesto una multa a {c} "
        "por falsear la competencia y ha abierto un expediente sancionador por nuevas prácticas. ",
    ),
]


def make_items(classifier: Classifier, count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """``count`` items of about 600 characters: templates with knowledge-base names, plus devset leads."""
    rng = random.Random(seed)
    names = [c.name for c in classifier.kb.companies.values()] or ["Acme Corp"]
    pool: list[tuple[str, str, str]] = []
    if DEVSET.exists():
        for line in DEVSET.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            pool.append((row["lang"], row["title"], row["summary"]))
    items = []
    for _ in range(count):
        if pool and rng.random() < 0.5:
            lang, title, summary = rng.choice(pool)
        else:
            lang, title, body = rng.choice(TEMPLATES)
            company = rng.choice(names)
            title, summary = title.format(c=company), body.format(c=company)
        same = [row[2] for row in pool if row[0] == lang] + [
            t[2].format(c=rng.choice(names)) for t in TEMPLATES if t[0] == lang
        ]
        while len(title) + len(summary) < ITEM_CHARS:  # pad with leads in the same language, as a longer text would
            summary += " " + rng.choice(same)
        items.append((lang, title, summary[: ITEM_CHARS - len(title)]))
    return items


ROUNDS = 5  # each figure is taken over five slices of the items: the median says more than one long run


@dataclass
class Rounds:
    """Items per second of CPU and of wall-clock time in each round, and the CPU seconds of each item."""

    cpu_rates: list[float]
    wall_rates: list[float]
    times: list[float]


def run(tag: Tagger, items: list[tuple[str, str, str]]) -> Rounds:
    """Tag the items in :data:`ROUNDS` equal slices, the language left to the tagger to detect."""
    size = max(1, len(items) // ROUNDS)
    rounds = Rounds([], [], [])
    for start in range(0, size * ROUNDS, size):
        wall, cpu = time.perf_counter(), time.process_time()
        for _lang, title, summary in items[start : start + size]:
            began = time.process_time()
            tag(title, summary, None)
            rounds.times.append(time.process_time() - began)
        rounds.cpu_rates.append(size / (time.process_time() - cpu))
        rounds.wall_rates.append(size / (time.perf_counter() - wall))
    return rounds


def _rate(rates: list[float]) -> str:
    return f"{statistics.median(rates):6.0f} ({min(rates):.0f}-{max(rates):.0f})"


def report(label: str, rounds: Rounds) -> float:
    """Print one tagger's line; return its median items per second of CPU time."""
    times = sorted(rounds.times)
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
    print(
        f"  {label:<11} {_rate(rounds.cpu_rates):<18} {_rate(rounds.wall_rates):<18}"
        f" {p50 * 1e3:5.2f} ms   {p99 * 1e3:5.2f} ms"
    )
    return statistics.median(rounds.cpu_rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"{platform.python_implementation()} {platform.python_version()}, one core")
    started = time.perf_counter()
    classifier = Classifier.load()
    load_s = time.perf_counter() - started
    stats = classifier.stats
    print(f"knowledge base: {stats.regulators} regulators, {stats.companies} companies, {stats.patterns} patterns")
    print(f"load time: {load_s:.2f} s (folding tables, knowledge base, automaton, language model)")
    gazetteer = Gazetteer(classifier.kb)
    items = make_items(classifier, args.items)
    print(f"items: {len(items)} of {ITEM_CHARS} characters, language detected; load average {os.getloadavg()[0]:.1f}")
    for tag in (classifier.classify, gazetteer.classify):
        run(tag, items[:500])  # warm caches
    print(f"items/s: median of {ROUNDS} rounds (slowest-fastest); CPU time of one item at p50 and p99")
    print(f"  {'':<11} {'items/s of CPU':<18} {'items/s of wall':<18} {'p50 CPU':<10} p99 CPU")
    ours = report("classifier", run(classifier.classify, items))
    theirs = report("gazetteer", run(gazetteer.classify, items))
    verdict = "met" if ours >= FLOOR_ITEMS_PER_S else "NOT met"
    print(
        f"classifier: {ours / theirs:.2f} x the gazetteer's items/s of CPU;"
        f" floor {FLOOR_ITEMS_PER_S} items/s of CPU {verdict}"
    )


if __name__ == "__main__":
    main()
