"""Schemathesis against each service's OpenAPI document, served for real: about 50 generated requests per
operation (examples, coverage, fuzzing), then stateful sequences along the links it infers. No answer may
be a server error, every answer must be one the document lists, in the shape and headers it gives, and a
method a path does not have answers 405 with an Allow header listing those it has."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Served

CHECKS = (
    "unsupported_method,allow_header_conformance,"
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)
MAX_EXAMPLES = 50


def schemathesis(served: Served, report_dir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run the schemathesis CLI against ``served``; its output and its JSON report."""
    # One worker: with two, hypothesis' lambda descriptions call ast.parse from two threads at once, which
    # CPython 3.11 can fail ("AST constructor recursion depth mismatch"), ending the run with a runtime error.
    config = report_dir / "schemathesis.toml"
    config.write_text(served.test_data)
    command = [
        str(Path(sys.executable).with_name("st")), "--no-color", "--config-file", str(config),
        "run", f"{served.url}/openapi.json",
        "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--seed", "14", "--workers", "1",
        "--phases", "examples,coverage,fuzzing,stateful", "--request-timeout", "20",
        "--report", "json", "--report-json-path", str(report_dir / "report.json"),
    ]  # fmt: skip
    for name, value in served.headers.items():
        command += ["--header", f"{name}: {value}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False, cwd=report_dir)
    (report_dir / "output.txt").write_text(result.stdout + result.stderr)
    report_path = report_dir / "report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return result, report


@pytest.mark.parametrize("service", ["ingest_api", "notify_api", "classify_api_served"])
def test_every_answer_is_documented_and_none_is_a_server_error(
    service: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    served: Served = request.getfixturevalue(service)
    result, report = schemathesis(served, tmp_path)
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    operations, phases, cases = report["operations"], report["phases"], report["test_cases"]
    assert operations["tested"] == operations["total"] > 0, operations
    assert phases["coverage"]["status"] == phases["fuzzing"]["status"] == "success", phases
    assert cases["generated"] >= MAX_EXAMPLES * operations["total"] // 2, cases
