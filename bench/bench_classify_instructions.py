"""Classifier instruction count: instructions per item, which do not depend on the machine's load.

Runs the classifier on ``--items`` items of ``bench_classify.py`` (language given, or with ``--detect``
detected) under ``valgrind --tool=callgrind`` (Debian's valgrind). A compiled build is counted inside its
``classify()`` only (callgrind's ``--toggle-collect`` on the compiled symbol): loading the knowledge base
costs some 6,000 M instructions and moves by tens of millions from run to run, which counting around it would
spread over the items. An interpreted build has no such symbol: it is run twice, with the items and without,
and the difference is divided by the items (a few per cent less precise at 1,000 items). String hashing is
fixed, so that reruns agree. ``--profile PATH`` keeps the profile for ``callgrind_annotate --inclusive=yes
PATH`` (where the instructions go, function by function); ``--script latin`` or ``cjk`` measures only the
items of that script. Run: ``.venv/bin/python bench/bench_classify_instructions.py [--items N] [--script
all|latin|cjk] [--detect] [--profile PATH]`` (about two minutes for 1,000 items: everything runs some fifty
times slower under valgrind).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

WARM_ITEMS = 50  # classified first, in every run (a compiled build counts them with the items)
CLASSIFY_SYMBOL = "CPyDef_classifier___Classifier___classify"  # the compiled classify(), for --toggle-collect


SCRIPTS = ("all", "latin", "cjk")


def worker(count: int, classify: bool, script: str, detect: bool) -> None:
    """Load, make ``count`` items (of one script, or all), warm up, then classify them all (or none), with
    their language given or, with ``detect``, left to the classifier."""
    from bench_classify import _CJK, make_items

    from services.classify.classifier import Classifier, freeze_heap

    classifier = Classifier.load()
    freeze_heap()
    items = make_items(classifier, count if script == "all" else count * 8)
    if script != "all":  # Chinese, Japanese and Korean items are a sixth of the mix
        items = [item for item in items if bool(_CJK.search(item[1] + item[2])) == (script == "cjk")][:count]
    for lang, title, summary in items[:WARM_ITEMS]:
        classifier.classify(title, summary, None if detect else lang)
    for lang, title, summary in items if classify else ():
        classifier.classify(title, summary, None if detect else lang)


def callgrind_instructions(command: list[str], *options: str) -> int:
    """Instructions callgrind counts in one run of ``command``. String hashing is fixed (PYTHONHASHSEED=0):
    with it random, dict and set layouts change from run to run, and so does the count, by about 1 %."""
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", *options, *command],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    match = re.search(r"Collected : (\d+)", run.stderr)
    if match is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(match.group(1))


def instructions(count: int, classify: bool, script: str, detect: bool, *options: str) -> int:
    """Instructions callgrind counted for one worker run."""
    command = [
        sys.executable, __file__, "--worker", "--items", str(count), "--script", script,
        *(["--classify"] if classify else []), *(["--detect"] if detect else []),
    ]  # fmt: skip
    return callgrind_instructions(command, *options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000)
    parser.add_argument("--profile", default="/dev/null", help="keep the profile of the run with items here")
    parser.add_argument("--script", choices=SCRIPTS, default="all", help="only Latin-script, or only CJK, items")
    parser.add_argument("--detect", action="store_true", help="leave the language to the classifier")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--classify", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.items, args.classify, args.script, args.detect)
        return
    from services.classify.classifier import compiled

    profile = f"--callgrind-out-file={args.profile}"
    if compiled():
        counted = instructions(
            args.items, True, args.script, args.detect, f"--toggle-collect={CLASSIFY_SYMBOL}", profile
        )
        per_item, how = counted / (WARM_ITEMS + args.items), "inside classify()"
    else:
        with_items = instructions(args.items, True, args.script, args.detect, profile)
        without = instructions(args.items, False, args.script, args.detect, "--callgrind-out-file=/dev/null")
        per_item, how = (with_items - without) / args.items, "a run with the items less one without"
    build = "compiled (mypyc)" if compiled() else "interpreted"
    kind = "" if args.script == "all" else f" ({'Latin-script' if args.script == 'latin' else 'CJK'} only)"
    language = "detected" if args.detect else "given"
    print(f"build: {build}; {args.items} items{kind} of 600 characters, language {language}; counted {how}")
    print(f"instructions per item: {per_item / 1e6:.3f} M")


if __name__ == "__main__":
    main()
