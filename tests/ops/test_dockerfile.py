"""The one image: pinned slim base, non-root, the lock file installed before the package, a minimal context."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch

from tests.conftest import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _included(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore lets ``path`` into the build context (last matching pattern wins)."""
    included = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        bare = pattern.lstrip("!").rstrip("/")
        if fnmatch(path, bare) or path.startswith(bare + "/"):
            included = negated
    return included


def test_base_image_is_a_pinned_slim_python_matching_the_project() -> None:
    instructions = _instructions()
    arg = next(value for kind, value in instructions if kind == "ARG" and value.startswith("PYTHON_IMAGE="))
    image = arg.split("=", 1)[1]
    match = re.fullmatch(r"python:(\d+)\.(\d+)\.(\d+)-slim-(\w+)", image)
    assert match, f"pin the base image to a patch release of a slim variant, not {image}"
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={match.group(1)}.{match.group(2)}"
    assert [value for kind, value in instructions if kind == "FROM"] == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]


def test_the_container_runs_as_an_unprivileged_user() -> None:
    instructions = _instructions()
    last_from = max(i for i, (kind, _) in enumerate(instructions) if kind == "FROM")
    users = [value for kind, value in instructions[last_from:] if kind == "USER"]
    assert users, "the final stage needs a USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, "numeric non-root uid (Kubernetes runAsNonRoot checks it)"


def test_dependencies_come_from_the_lock_file_before_the_package() -> None:
    runs = [value for kind, value in _instructions() if kind == "RUN"]
    lock = next(i for i, run in enumerate(runs) if "pip install" in run and "-r requirements.lock" in run)
    package = next(i for i, run in enumerate(runs) if re.search(r"pip install .*--no-deps \.", run))
    assert lock < package


def test_the_entrypoint_is_the_regalerts_console_script() -> None:
    entrypoints = [value for kind, value in _instructions() if kind == "ENTRYPOINT"]
    assert entrypoints == ['["regalerts"]']
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "regalerts" in scripts


def test_the_build_context_holds_what_copy_needs_and_nothing_local() -> None:
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and line[0] != "#"]
    sources = [
        path
        for kind, value in _instructions()
        if kind == "COPY" and not value.startswith("--from")
        for path in value.split()[:-1]
    ]
    assert sources
    for source in sources:
        assert (REPO_ROOT / source).exists(), source
        assert _included(source.rstrip("/"), patterns), f".dockerignore leaves out {source}"
    for local in (".venv", ".git", "var", "tests", "regalerts.egg-info", "services/cli/__pycache__"):
        assert not _included(local, patterns), f".dockerignore lets {local} into the image"
