"""Classifier against an earlier revision: the same items through both builds, compiled the same way.

Builds the classifier of ``--against REV`` (default: the release before this one) into a temporary
folder with mypyc, as ``setup.py`` compiles it, then classifies the same 600-character items (those of
``bench_classify.py``) with both builds: in ``--rounds`` pairs of fresh processes pinned to one core, the
order swapped every round so that a machine slowing down or speeding up favours neither, and prints each
build's median items/s (language given, and detected) with the ratio of every pair. A machine whose speed
wanders (``bench_classify.py``'s reference loop) moves single runs by tens of percent; the pair ratios, and
``--instructions`` (both builds under ``valgrind --tool=callgrind``, instructions per item, which the
machine's load does not change), are the figures to compare by.
Run: ``.venv/bin/python bench/bench_classify_against.py [--against REV] [--items N] [--rounds N]
[--instructions]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "dec24a8"  # the last commit of the release before this one
WARM_ITEMS = 300


def compiled_modules(tree: Path) -> list[str]:
    """The modules a tree's setup.py compiles (its COMPILED_MODULES), read without running setup()."""
    spec = importlib.util.spec_from_file_location("setup_of_revision", tree / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.COMPILED_MODULES)


def build_revision(revision: str, into: Path) -> Path:
    """The classifier of ``revision``, compiled with mypyc in ``into`` (about a minute)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "services", "setup.py"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    command = [sys.executable, "-m", "mypyc", "--config-file=", "--ignore-missing-imports", *compiled_modules(into)]
    built = subprocess.run(command, cwd=into, capture_output=True, text=True)  # no pyproject.toml there: plain mypyc
    if built.returncode != 0:
        raise SystemExit(f"could not compile {revision}:\n{built.stdout[-2000:]}{built.stderr[-2000:]}")
    return into


def worker(tree: Path, items_file: Path, count: int) -> None:
    """Classify the items with the build in ``tree``; print items/s of CPU, language given and detected."""
    sys.path.insert(0, str(tree))
    from services.classify.classifier import Classifier, compiled, freeze_heap

    if not compiled():
        raise SystemExit(f"{tree} holds no compiled classifier")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    classifier = Classifier.load()
    freeze_heap()
    items = json.loads(items_file.read_text(encoding="utf-8"))
    for lang, title, summary in items[:WARM_ITEMS]:
        classifier.classify(title, summary, lang)
    rates = {}
    for label, give in (("given", True), ("detected", False)):
        started = time.process_time()
        for lang, title, summary in items[:count]:
            classifier.classify(title, summary, lang if give else None)
        rates[label] = count / (time.process_time() - started)
    print(json.dumps(rates))


def timed(tree: Path, items_file: Path, count: int) -> dict[str, float]:
    """One worker run in a fresh process."""
    command = [sys.executable, __file__, "--worker", str(tree), "--items-file", str(items_file), "--items", str(count)]
    return dict(json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout))


def instructions(tree: Path, items_file: Path, count: int) -> float:
    """Instructions per item inside the compiled classify() (callgrind, language given and detected, warm-up
    items included on both sides)."""
    from bench_classify_instructions import CLASSIFY_SYMBOL, callgrind_instructions

    command = [sys.executable, __file__, "--worker", str(tree), "--items-file", str(items_file), "--items", str(count)]
    counted = callgrind_instructions(command, f"--toggle-collect={CLASSIFY_SYMBOL}", "--callgrind-out-file=/dev/null")
    return counted / (WARM_ITEMS + 2 * count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", default=BASELINE, help="the git revision to compare with")
    parser.add_argument("--items", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--instructions", action="store_true", help="also count instructions (valgrind)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--items-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.items_file, args.items)
        return
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_classify import make_items

    from services.classify.classifier import Classifier, compiled

    if not compiled():
        raise SystemExit("this tree's classifier is not compiled: run make install")
    with tempfile.TemporaryDirectory(prefix="regalerts-against-") as scratch:
        folder = Path(scratch)
        items_file = folder / "items.json"
        items_file.write_text(json.dumps(make_items(Classifier.load(), WARM_ITEMS + args.items)), encoding="utf-8")
        (folder / "build").mkdir()
        print(f"building {args.against} ...", flush=True)
        trees = {args.against: build_revision(args.against, folder / "build"), "this tree": ROOT}
        rates: dict[str, dict[str, list[float]]] = {name: {"given": [], "detected": []} for name in trees}
        for round_number in range(args.rounds):
            order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            for name in order:
                for label, value in timed(trees[name], items_file, args.items).items():
                    rates[name][label].append(value)
        print(f"{args.items} items of 600 characters, one core, {args.rounds} rounds (order swapped each round)")
        for label in ("given", "detected"):
            before, now = rates[args.against][label], rates["this tree"][label]
            ratios = [b / a for a, b in zip(before, now, strict=True)]
            print(
                f"  language {label:<8}: {args.against} {statistics.median(before):6.0f} items/s, this tree "
                f"{statistics.median(now):6.0f}; pair ratios {' '.join(f'{r:.2f}' for r in ratios)} "
                f"(median {statistics.median(ratios):.2f})"
            )
        if args.instructions:
            if shutil.which("valgrind") is None:
                raise SystemExit("--instructions needs valgrind (make bench installs it)")
            count = min(args.items, 300)
            counted = {name: instructions(tree, items_file, count) for name, tree in trees.items()}
            print(
                f"  instructions per item in classify(), {count} items given and detected: {args.against} "
                f"{counted[args.against] / 1e6:.3f} M, this tree {counted['this tree'] / 1e6:.3f} M "
                f"(ratio {counted['this tree'] / counted[args.against]:.3f})"
            )


if __name__ == "__main__":
    main()
