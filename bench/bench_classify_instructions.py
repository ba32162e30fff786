"""Classifier instruction count: instructions per item, which do not depend on the machine's load.

Runs itself twice under ``valgrind --tool=callgrind`` (Debian's valgrind): once classifying ``--items``
items of ``bench_classify.py`` (language given), once classifying none after the same set-up, and prints
the difference per item. ``--profile PATH`` keeps the first run's profile for ``callgrind_annotate
--inclusive=yes PATH`` (where the instructions go, function by function); ``--script latin`` or ``cjk``
measures only the items of that script. Run: ``.venv/bin/python bench/bench_classify_instructions.py
[--items N] [--script all|latin|cjk] [--profile PATH]`` (about three minutes for 1,000 items: everything
runs some fifty times slower under valgrind).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

WARM_ITEMS = 50  # classified in both runs, so that caches and first-call costs cancel out


SCRIPTS = ("all", "latin", "cjk")


def worker(count: int, classify: bool, script: str) -> None:
    """Load, make ``count`` items (of one script, or all), warm up, then classify them all (or none)."""
    from bench_classify import _CJK, make_items

    from services.classify.classifier import Classifier, freeze_heap

    classifier = Classifier.load()
    freeze_heap()
    items = make_items(classifier, count if script == "all" else count * 8)
    if script != "all":  # Chinese, Japanese and Korean items are a sixth of the mix
        items = [item for item in items if bool(_CJK.search(item[1] + item[2])) == (script == "cjk")][:count]
    for lang, title, summary in items[:WARM_ITEMS]:
        classifier.classify(title, summary, lang)
    for lang, title, summary in items if classify else ():
        classifier.classify(title, summary, lang)


def instructions(count: int, classify: bool, script: str, profile: str = "/dev/null") -> int:
    """Instructions callgrind counted for one worker run."""
    command = [
        "valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}", sys.executable, __file__,
        "--worker", "--items", str(count), "--script", script, *(["--classify"] if classify else []),
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
    parser.add_argument("--script", choices=SCRIPTS, default="all", help="only Latin-script, or only CJK, items")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--classify", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.items, args.classify, args.script)
        return
    from services.classify.classifier import compiled

    with_items = instructions(args.items, True, args.script, args.profile)
    without = instructions(args.items, False, args.script)
    build = "compiled (mypyc)" if compiled() else "interpreted"
    kind = "" if args.script == "all" else f" ({'Latin-script' if args.script == 'latin' else 'CJK'} only)"
    print(f"build: {build}; {args.items} items{kind} of 600 characters, language given")
    print(f"instructions per item: {(with_items - without) / args.items / 1e6:.3f} M")


if __name__ == "__main__":
    main()
