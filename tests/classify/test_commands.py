"""``regalerts tag`` and ``regalerts eval``."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

from services.classify.classifier import Classifier
from services.classify.commands import run_eval, run_tag
from tests.classify.conftest import FIXTURE_KB
from tests.conftest import run_regalerts, shared_path


def test_tag_writes_each_line_back_with_its_tags(classifier: Classifier) -> None:
    source = io.StringIO(
        json.dumps({"id": "a", "title": "La COMCO sanctionne Tencent", "summary": "Montant : CHF 2 millions.", "lang": "fr"}) + "\n\n"
        + '{"id": "b", "title": 3}\n' + "not json\n"
        + json.dumps({"id": "c", "title": "约谈腾讯", "summary": "市场监管总局约谈腾讯。"}) + "\n"
    )  # fmt: skip
    sink, errors = io.StringIO(), io.StringIO()
    assert run_tag(classifier, source, sink, errors) == 2
    lines = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [line.get("id") for line in lines] == ["a", "c"]
    first = lines[0]["tags"]
    assert set(first) == {
        "language",
        "companies",
        "regulators",
        "actions",
        "jurisdictions",
        "amount",
        "classifier_version",
    }
    assert first["amount"] == {
        "value": 2000000, "currency": "CHF", "evidence": {"text": "CHF 2 millions", "field": "summary", "start": 10, "end": 24},
    }  # fmt: skip
    assert [c["id"] for c in first["companies"]] == ["tencent"] and first["regulators"][0]["acronym"] == "COMCO"
    assert first["actions"][0] == {
        "type": "fine", "confidence": 0.9, "primary": True,
        "evidence": [{"text": "sanctionne", "field": "title", "start": 9, "end": 19}],
    }  # fmt: skip
    assert lines[1]["tags"]["language"] == "zh" and lines[1]["tags"]["jurisdictions"] == ["CN"]
    failures = [json.loads(line) for line in errors.getvalue().splitlines()]
    assert failures[0] == {"line": 3, "error": "'title' must be a string"}
    assert len(failures) == 2 and failures[1]["line"] == 4 and failures[1]["error"].startswith("not JSON")


def test_eval_scores_a_dataset(classifier: Classifier, tmp_path: Path) -> None:
    dataset = tmp_path / "set.jsonl"
    item = {
        "id": "x", "lang": "fr", "title": "La COMCO sanctionne Tencent", "summary": "",
        "companies": ["Tencent"], "actions": ["fine"], "jurisdictions": ["CH"],
        "regulators": [{"name": "Swiss Competition Commission", "acronym": "COMCO", "aliases": []}],
    }  # fmt: skip
    dataset.write_text(json.dumps(item) + "\n", encoding="utf-8")
    report = run_eval(classifier, dataset)
    assert all(counts.f1 == 1.0 for counts in report.overall.values()) and report.language_correct == 1


def test_the_commands_run_from_the_command_line(tmp_path: Path) -> None:
    item = {"id": "x", "lang": "fr", "title": "La COMCO sanctionne Tencent", "summary": "", "companies": ["Tencent"],
            "actions": ["fine"], "regulators": [{"name": "COMCO", "acronym": "COMCO", "aliases": []}]}  # fmt: skip
    dataset = tmp_path / "set.jsonl"
    dataset.write_text(json.dumps(item) + "\n", encoding="utf-8")
    tagged = run_regalerts("tag", "--kb", str(FIXTURE_KB), stdin=json.dumps(item) + "\n")
    assert tagged.returncode == 0, tagged.stderr
    assert json.loads(tagged.stdout)["tags"]["companies"][0]["id"] == "tencent"
    scored = run_regalerts("eval", "--dataset", str(dataset), "--kb", str(FIXTURE_KB), "--json")
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["overall"]["company"]["f1"] == 1.0
    missing = run_regalerts("eval", "--dataset", str(tmp_path / "absent.jsonl"))
    assert missing.returncode == 2 and "no such dataset file" in missing.stderr


def _run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_regalerts(*args, stdin=stdin)


def test_eval_refuses_an_empty_dataset_and_a_folder_that_is_no_knowledge_base(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n", encoding="utf-8")
    result = _run(tmp_path, "eval", "--dataset", str(empty), "--kb", str(FIXTURE_KB))
    assert result.returncode == 2 and "no items" in result.stderr and result.stdout == ""
    not_kb = tmp_path / "not-kb"
    not_kb.mkdir()
    (not_kb / "notes.txt").write_text("hello", encoding="utf-8")
    dataset = tmp_path / "set.jsonl"
    dataset.write_text(json.dumps({"id": "x", "title": "La COMCO sanctionne Tencent"}) + "\n", encoding="utf-8")
    for kb in (not_kb, tmp_path / "absent"):
        result = _run(tmp_path, "eval", "--dataset", str(dataset), "--kb", str(kb))
        assert result.returncode == 2 and ("knowledge base" in result.stderr or "not a folder" in result.stderr)
        assert result.stdout == ""
    result = _run(tmp_path, "tag", "--kb", str(not_kb), stdin=dataset.read_text(encoding="utf-8"))
    assert result.returncode == 2 and "not a knowledge base" in result.stderr


def test_tag_writes_errors_to_stderr_and_goes_on(tmp_path: Path) -> None:
    lines = "not json\n" + json.dumps({"id": "ok", "title": "La COMCO sanctionne Tencent"}) + "\n"
    result = _run(tmp_path, "tag", "--kb", str(FIXTURE_KB), stdin=lines)
    assert result.returncode == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["ok"]
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert len(records) == 1 and records[0]["line"] == 1 and records[0]["error"].startswith("not JSON")


def test_stories_writes_each_line_with_its_tags_and_story(tmp_path: Path) -> None:
    items = [
        {"id": "1", "title": "La COMCO sanctionne Tencent", "summary": "Amende de CHF 2 millions.",
         "published": "2024-03-01T10:00:00+01:00", "feed": "a", "lang": "fr"},
        {"id": "2", "title": "WEKO büsst Tencent mit 2 Mio. Franken", "summary": "",
         "published": "2024-03-01T12:00:00+01:00", "feed": "b"},
        {"id": "3", "title": "La COMCO sanctionne Tencent", "published": "yesterday"},
    ]  # fmt: skip
    result = run_regalerts("stories", "--kb", str(FIXTURE_KB), stdin="".join(json.dumps(i) + "\n" for i in items))
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["1", "2"] and lines[0]["story"] == lines[1]["story"]
    assert lines[1]["tags"]["amount"]["value"] == 2000000 and lines[1]["tags"]["amount"]["currency"] == "CHF"
    assert json.loads(result.stderr) == {"line": 3, "error": "'published' must be an ISO 8601 date-time"}


def test_eval_stories_on_the_stories_dev_set() -> None:
    """The targets: pairwise F1 >= 0.85, B-cubed F1 >= 0.90, amounts >= 90 % right, <= 5 % invented."""
    dataset = shared_path("data", "stories-dev.jsonl")
    result = run_regalerts("eval", "--stories", str(dataset), "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["pairwise"]["f1"] >= 0.85 and figures["bcubed"]["f1"] >= 0.90
    amounts = figures["amounts"]
    assert amounts["right"] >= 0.9 * amounts["stated"] and amounts["invented"] <= 0.05 * amounts["unstated"]
