"""Classifier benchmark: one core, the full knowledge base, 600-character items.

Prints the knowledge-base load time, items per second (language given, and detected), and the resident
memory after loading and after the run. Run: ``.venv/bin/python bench/bench_classify.py [--items N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.classify.classifier import Classifier, freeze_heap

FLOOR_ITEMS_PER_S = 5_000
# Items per second of CPU time of classifier 1.0 (pyahocorasick, a pydantic model per tag), this very script on
# this machine, medians of six runs alternating with the current code's: the bench prints ratios to them.
BASELINE = {
    "language given": 2_750, "language detected": 2_030, "Latin-script items": 3_900, "CJK items": 1_310,
}  # fmt: skip
_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
ITEM_CHARS = 600
DEVSET = Path(__file__).resolve().parents[2] / "shared" / "data" / "devset.jsonl"
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


def _resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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


def run(classifier: Classifier, items: list[tuple[str, str, str]], *, give_lang: bool) -> tuple[float, float]:
    """Items per second over the list: per second of CPU time of this process, and per second of wall time
    (lower when other processes share the core)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for lang, title, summary in items:
        classifier.classify(title, summary, lang if give_lang else None)
    return len(items) / (time.process_time() - cpu), len(items) / (time.perf_counter() - wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    before = _resident_mib()
    started = time.perf_counter()
    classifier = Classifier.load()
    load_s = time.perf_counter() - started
    freeze_heap()
    loaded = _resident_mib()
    stats = classifier.stats
    print(f"knowledge base: {stats.regulators} regulators, {stats.companies} companies, {stats.patterns} patterns")
    print(f"load time: {load_s:.2f} s (folding tables, knowledge base, automaton, language model)")
    print(f"resident memory: {before:.0f} MiB before load, {loaded:.0f} MiB after load")
    items = make_items(classifier, args.items)
    run(classifier, items[:500], give_lang=True)  # warm caches
    print(f"items: {len(items)} of {ITEM_CHARS} characters, one core; load average {os.getloadavg()[0]:.1f}")
    for label, give_lang in (("language given", True), ("language detected", False)):
        cpu, wall = run(classifier, items, give_lang=give_lang)
        print(
            f"throughput, {label:<17}: {cpu:6.0f} items/s of CPU ({cpu / FLOOR_ITEMS_PER_S:.2f} x floor, "
            f"{cpu / BASELINE[label]:.2f} x baseline), {wall:6.0f} items/s of wall time"
        )
    # 600 characters of Chinese, Japanese or Korean say two to three times more than 600 of a Latin script,
    # so they hold that many more names and triggers: the two kinds of item are reported apart.
    for label, subset in (("Latin-script items", False), ("CJK items", True)):
        chosen = [item for item in items if bool(_CJK.search(item[1] + item[2])) is subset]
        cpu, wall = run(classifier, chosen, give_lang=True)
        print(
            f"throughput, {label:<18}: {cpu:6.0f} items/s of CPU ({cpu / BASELINE[label]:.2f} x baseline; "
            f"{len(chosen)} items, language given)"
        )
    print(f"resident memory after the run: {_resident_mib():.0f} MiB")


if __name__ == "__main__":
    main()
