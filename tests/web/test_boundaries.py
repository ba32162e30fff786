"""The web app reaches the other services only through their HTTP APIs and the topics: it imports none of
their modules (services.pipeline and services.cli are shared)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

OTHER_SERVICES = ("services.ingest", "services.classify", "services.notify")


def imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_web_imports_no_other_service() -> None:
    offenders = {
        f"{path.relative_to(REPO_ROOT)}: {module}"
        for path in sorted((REPO_ROOT / "services" / "web").rglob("*.py"))
        for module in imported_modules(path)
        if module.startswith(OTHER_SERVICES)
    }
    assert not offenders


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from services.notify.store import create_tenant\nimport services.ingest.api\n")
    assert {"services.notify.store", "services.ingest.api"} <= imported_modules(probe)
