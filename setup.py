"""Build step: compile the classifier's hot modules with mypyc (the metadata lives in pyproject.toml).

``REGALERTS_PURE_PYTHON=1`` at build time skips compiling: the same package, interpreted, same behaviour;
so does a machine without a C compiler (with a warning). An editable install (``pip install -e .``) builds
the extensions in place, beside their .py files.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig

from setuptools import Extension, setup

# The modules compiled to C extensions: the classifier's per-item path.
COMPILED_MODULES = [
    f"services/classify/{name}.py"
    for name in (
        "normalise",
        "automaton",
        "fields",
        "context",
        "ambiguity",
        "orgs",
        "entities",
        "actions",
        "language",
        "language_trie",
        "language_model",
        "kb",
        "classifier",
    )
]


def pure_python() -> bool:
    """Whether this build skips compiling (``REGALERTS_PURE_PYTHON=1``)."""
    return os.environ.get("REGALERTS_PURE_PYTHON", "") == "1"


def c_compiler() -> str | None:
    """The C compiler Python's own build used (``CC``), if this machine has it."""
    command = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()
    return shutil.which(command[0]) if command else None


def ext_modules() -> list[Extension]:
    """The compiled modules, or none for a pure-Python build."""
    if pure_python():
        return []
    if c_compiler() is None:
        print("warning: no C compiler found: building RegAlerts without its compiled classifier", file=sys.stderr)
        return []
    from mypyc.build import mypycify

    # Type-check with the build's own options, not [tool.mypy]: the isolated build environment holds only
    # setuptools and mypy (no pydantic for its plugin, no other dependency: their imports are untyped here).
    return mypycify(["--config-file=", "--ignore-missing-imports", *COMPILED_MODULES], opt_level="3")


if __name__ == "__main__":
    setup(ext_modules=ext_modules())
