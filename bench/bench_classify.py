"""Classifier benchmark: one core, the full knowledge base, 600-character items.

Prints the knowledge-base load time, items per second (language given, and detected: the median of five
rounds over slices of the items, with the slowest and fastest round), and the resident memory after
loading and after the run, for the installed build (compiled by ``make install``); then runs
the same items through an interpreted copy of the same sources, in a child process, and prints each
figure's ratio to it; last, the language model alone against py3langid's own identifier. A pure-Python
reference loop tells how fast the machine itself is, so that figures
from different machines can be compared. Run: ``.venv/bin/python bench/bench_classify.py [--items N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_INTERPRETED = "--interpreted" in sys.argv
if _INTERPRETED:  # a copy of the sources without the compiled modules, imported before the installed build
    _COPY = Path(tempfile.mkdtemp(prefix="regalerts-bench-"))
    shutil.copytree(ROOT / "services", _COPY / "services", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    sys.path.insert(0, str(_COPY))
else:
    sys.path.insert(0, str(ROOT))

from services.classify.classifier import Classifier, freeze_heap  # noqa: E402
from services.classify.classifier import compiled as classifier_compiled  # noqa: E402

FLOOR_ITEMS_PER_S = 5_000
_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
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


ROUNDS = 5  # each figure is taken over five slices of the items: the median says more than one long run


def run(classifier: Classifier, items: list[tuple[str, str, str]], *, give_lang: bool) -> list[float]:
    """Items per second of this process's CPU time, for each of :data:`ROUNDS` equal slices of the list
    (the machine's speed can change between them)."""
    size = max(1, len(items) // ROUNDS)
    rates = []
    for start in range(0, size * ROUNDS, size):
        cpu = time.process_time()
        for lang, title, summary in items[start : start + size]:
            classifier.classify(title, summary, lang if give_lang else None)
        rates.append(size / (time.process_time() - cpu))
    return rates


def reference_loop_ns() -> float:
    """Nanoseconds per iteration of a fixed pure-Python loop (best of three): how fast this machine runs
    Python at all, to compare figures taken on different machines."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for number in range(2_000_000):
            total += number % 7
        best = min(best, time.process_time() - started)
    return best / 2_000_000 * 1e9


def measure(classifier: Classifier, items: list[tuple[str, str, str]]) -> dict[str, list[float]]:
    """Items per second of CPU time, per round, for each figure the benchmark reports."""
    run(classifier, items[:500], give_lang=True)  # warm caches
    figures = {label: run(classifier, items, give_lang=give) for label, give in LANGUAGE_RUNS}
    for label, subset in (("Latin-script items", False), ("CJK items", True)):
        # 600 characters of Chinese, Japanese or Korean say two to three times more than 600 of a Latin
        # script, so they hold that many more names and triggers: the two kinds of item are reported apart.
        figures[label] = run(classifier, [i for i in items if bool(_CJK.search(i[1] + i[2])) is subset], give_lang=True)
    return figures


LANGUAGE_RUNS = (("language given", True), ("language detected", False))


def language_model_us(items: list[tuple[str, str, str]]) -> tuple[float, float]:
    """Microseconds per sample the language detector reads (title and lead, cut as it cuts them), warm,
    for the classifier's model and for py3langid's own identifier over the same languages (best of three)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from services.classify import language

    samples = [f"{title}\n{summary}"[: language.SAMPLE_CHARS] for _, title, summary in items[:2_000]]
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages([*language.SUPPORTED, *language.OTHERS])
    timings = []
    for classify in (language.language_model().classify, reference.classify):
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            for sample in samples:
                classify(sample)
            best = min(best, time.process_time() - started)
        timings.append(best / len(samples) * 1e6)
    return timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--interpreted", action="store_true", help="measure an interpreted copy of the sources")
    parser.add_argument("--no-compare", action="store_true", help="skip the interpreted run")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if args.interpreted:  # the child run: figures only, as JSON
        classifier = Classifier.load()
        freeze_heap()
        print(json.dumps(measure(classifier, make_items(classifier, args.items))))
        shutil.rmtree(_COPY, ignore_errors=True)
        return
    compiled = classifier_compiled()
    print(f"build: {'compiled (mypyc)' if compiled else 'interpreted'}; reference loop {reference_loop_ns():.0f} ns")
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
    print(f"items: {len(items)} of {ITEM_CHARS} characters, one core; load average {os.getloadavg()[0]:.1f}")
    figures = measure(classifier, items)
    print(f"resident memory after the run: {_resident_mib():.0f} MiB")
    baseline: dict[str, float] = {}
    if compiled and not args.no_compare:
        child = [sys.executable, __file__, "--interpreted", "--items", str(args.items)]
        rounds = json.loads(subprocess.run(child, check=True, capture_output=True, text=True).stdout)
        baseline = {label: statistics.median(rates) for label, rates in rounds.items()}
    print(f"throughput: median of {ROUNDS} rounds, items/s of CPU, (slowest-fastest round)")
    for label, rates in figures.items():
        value = statistics.median(rates)
        notes = [f"{value / FLOOR_ITEMS_PER_S:.2f} x floor"] if label in dict(LANGUAGE_RUNS) else []
        if baseline:
            notes.append(f"{value / baseline[label]:.2f} x interpreted, {baseline[label]:.0f} items/s")
        spread = f"({min(rates):.0f}-{max(rates):.0f})"
        print(f"  {label:<18}: {value:6.0f} {spread:<13}" + (f" {'; '.join(notes)}" if notes else ""))
    ours, theirs = language_model_us(items)
    print(f"language model alone: {ours:.0f} µs per sample, py3langid's own {theirs:.0f} µs ({theirs / ours:.2f} x)")


if __name__ == "__main__":
    main()
