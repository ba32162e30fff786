"""Classifier instruction count: instructions per item, which do not depend on the machine's load.

Runs itself twice under ``valgrind --tool=callgrind`` (Debian's valgrind): once classifying ``--items``
items of ``bench_classify.py`` (language given), once classifying none after the same set-up, and prints
the difference per item. ``--profile PATH`` keeps the first run's profile for ``callgrind_annotate
--inclusive=yes PATH`` (where the instructions go, function by function). Run:
``.venv/bin/python bench/bench_classify_instructions.py [--items N] [--profile PATH]`` (about three minutes
for 1,000 items: everything runs some fifty times slower under valgrind).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

WARM_ITEMS = 50  # classified in both runs, so that caches and first-call costs cancel out


def worker(count: int, classify: bool) -> None:
    """Load, make ``count`` items, warm up, then classify them all (or none)."""
    from bench_classify import make_items

    from services.classify.classifier import Classifier, freeze_heap

    classifier = Classifier.load()
    freeze_heap()
    items = make_items(classifier, count)
    for lang, title, summary in items[:WARM_ITEMS]:
        classifier.classify(title, summary, lang)
    for lang, title, summary in items if classify else ():
        classifier.classify(title, summary, lang)


def instructions(count: int, classify: bool, profile: str = "/dev/null") -> int:
    """Instructions callgrind counted for one worker run."""
    command = [
        "valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}", sys.executable, __file__,
        "--worker", "--items", str(count), *(["--classify"] if classify else []),
    ]  # fmt: skip
    stderr = subprocess.run(command, check=True, capture_output=True, text=True).stderr
    match = re.search(r"Collected : (\d+)", stderr)
    if match is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{stderr[-2000:]}")
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000)
    parser.add_argument("--profile", default="/dev/null", help="keep the profile of the run with items here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--classify", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.items, args.classify)
        return
    from services.classify.classifier import compiled

    with_items, without = instructions(args.items, True, args.profile), instructions(args.items, False)
    build = "compiled (mypyc)" if compiled() else "interpreted"
    print(f"build: {build}; {args.items} items of 600 characters, language given")
    print(f"instructions per item: {(with_items - without) / args.items / 1e6:.3f} M")


if __name__ == "__main__":
    main()
