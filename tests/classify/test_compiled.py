"""The compiled classifier (setup.py, mypyc): the listed modules are extension modules, ``regalerts tag`` writes
byte for byte what the interpreted source writes, and a compiled module older than its source is caught."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

import pytest

from services.classify.classifier import compiled as classifier_compiled
from tests.conftest import REPO_ROOT, run_regalerts, shared_path, stale_compiled_sources

KB = REPO_ROOT / "services" / "classify" / "kb"
PURE_PYTHON = os.environ.get("REGALERTS_PURE_PYTHON", "") == "1"


# Headline and summary shapes per language: {reg} a regulator, {co} and {co2} companies.
TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("{reg} fines {co} over misleading claims", "The {reg} said {co} must pay a penalty of 4 million."),
        ("{co} under investigation by {reg}", "{reg} opened a probe into {co} and {co2} after complaints."),
        ("{reg} approves merger of {co} and {co2}", "The deal between {co} and {co2} was cleared on Monday."),
        ("{co} denies wrongdoing as {reg} sues", "{reg} filed suit against {co}; {co2} is not involved."),
    ],
    "de": [
        ("{reg} büsst {co}", "Die Behörde {reg} verhängt eine Geldbusse gegen {co}."),
        ("{reg} eröffnet Verfahren gegen {co}", "Nachdem {co2} letzte Woche gewarnt wurde, untersucht {reg} nun {co}."),
    ],
    "fr": [
        ("{reg} sanctionne {co}", "L'autorité {reg} inflige une amende de 2 millions d'euros à {co}."),
        ("{co} visé par une enquête de {reg}", "{reg} a ouvert une enquête sur {co} et {co2}."),
    ],
    "es": [
        ("{reg} multa a {co}", "La {reg} impone una sanción a {co} por prácticas engañosas."),
        ("{reg} investiga a {co}", "La investigación de {reg} también afecta a {co2}."),
    ],
    "it": [
        ("{reg} multa {co}", "L'{reg} ha inflitto una sanzione a {co} per pratiche scorrette."),
        ("{reg} avvia istruttoria su {co}", "Istruttoria di {reg} nei confronti di {co} e {co2}."),
    ],
    "pt": [
        ("{reg} multa {co}", "A {reg} aplicou uma multa à {co} por práticas abusivas."),
        ("{reg} investiga {co}", "O {reg} abriu uma investigação sobre {co} e {co2}."),
    ],
    "nl": [
        ("{reg} beboet {co}", "De {reg} legt {co} een boete op van 3 miljoen euro."),
        ("{reg} onderzoekt {co}", "Toezichthouder {reg} start een onderzoek naar {co} en {co2}."),
    ],
    "zh": [
        ("{reg}对{co}处以罚款", "{reg}表示，{co}违反规定，被罚款500万元。"),
        ("{reg}对{co}立案调查", "{reg}对{co}和{co2}展开调查。"),
    ],
    "ja": [
        ("{reg}が{co}に課徴金納付命令", "{reg}は{co}に対し課徴金の納付を命じた。"),
        ("{reg}、{co}を立入検査", "{reg}は{co}と{co2}に立入検査を実施した。"),
    ],
    "ko": [
        ("{reg}, {co}에 과징금 부과", "{reg}는 {co}에 과징금을 부과했다고 밝혔다."),
        ("{reg}, {co} 조사 착수", "{reg}가 {co}와 {co2}에 대한 조사에 착수했다."),
    ],
}


def _jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (KB / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _regulator_name(regulator: dict[str, Any], lang: str, rng: random.Random) -> str:
    names = [*regulator.get("names", {}).get(lang, []), *regulator.get("acronyms", [])]
    return str(rng.choice(names or [regulator["name"]]))


def _company_name(company: dict[str, Any], rng: random.Random) -> str:
    names = [company["name"], *company.get("aliases", []), *company.get("local_names", [])]
    return str(rng.choice(names))


def generated_items(rng: random.Random, *, per_language: int) -> list[dict[str, Any]]:
    """Items in ten languages naming knowledge-base regulators and companies (ambiguous names included); every
    third item leaves its language to detection."""
    regulators = _jsonl("regulators.jsonl")
    companies = _jsonl("companies-americas-europe.jsonl") + _jsonl("companies-asia-pacific.jsonl")
    items = []
    for lang, templates in TEMPLATES.items():
        local = [regulator for regulator in regulators if lang in regulator.get("names", {})] or regulators
        for number in range(per_language):
            title, summary = templates[number % len(templates)]
            regulator = rng.choice(local if number % 4 else regulators)
            fields = {
                "reg": _regulator_name(regulator, lang, rng),
                "co": _company_name(rng.choice(companies), rng),
                "co2": _company_name(rng.choice(companies), rng),
            }
            item: dict[str, Any] = {
                "id": f"gen-{lang}-{number}",
                "title": title.format(**fields),
                "summary": summary.format(**fields),
            }
            if number % 3:
                item["lang"] = lang
            items.append(item)
    return items


def _compiled_module_names() -> list[str]:
    """The module names setup.py compiles, read from its one list (without running setup())."""
    spec = importlib.util.spec_from_file_location("regalerts_setup", REPO_ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [path.removesuffix(".py").replace("/", ".") for path in module.COMPILED_MODULES]


def _unfinal_constants(source: str) -> list[str]:
    """Module-level constants (upper-case names) of a module's source that are not annotated ``Final``."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets = [target for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [] if "Final" in ast.unparse(node.annotation) else [node.target]
        else:
            continue
        names += [target.id for target in targets if target.id.lstrip("_").isupper()]
    return names


def test_the_rule_for_constants_is_checked() -> None:
    assert _unfinal_constants("LIMIT = 3\n_PATTERN: re.Pattern[str] = x\nOK: Final = 1\nAlias = str\n") == [
        "LIMIT",
        "_PATTERN",
    ]


def test_constants_of_the_compiled_modules_are_final() -> None:
    # compiled code reads a Final constant directly; any other module global is looked up in the module's
    # dict (and unboxed) at every use: in the per-item path that cost 4 % of the instructions
    offenders = {
        name: found
        for name in _compiled_module_names()
        if (found := _unfinal_constants((REPO_ROOT / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_listed_modules_are_extension_modules_unless_built_pure() -> None:
    names = _compiled_module_names()
    assert "services.classify.classifier" in names
    files = {name: importlib.import_module(name).__file__ or "" for name in names}
    compiled = [name for name, file in files.items() if file.endswith(tuple(EXTENSION_SUFFIXES))]
    if PURE_PYTHON:
        assert compiled == [], "REGALERTS_PURE_PYTHON=1 builds no extension module"
        assert not classifier_compiled()
    else:
        assert compiled == names, "run make install (or set REGALERTS_PURE_PYTHON=1 to test a pure build)"
        assert classifier_compiled()


@pytest.fixture(scope="module")
def interpreted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the services/ package with its sources and data files but no compiled module."""
    root = tmp_path_factory.mktemp("interpreted")
    shutil.copytree(REPO_ROOT / "services", root / "services", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    probe = subprocess.run(
        [sys.executable, "-c", "import services.classify.classifier as module; print(module.__file__)"],
        env={**os.environ, "PYTHONPATH": str(root)},
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(root / "services" / "classify" / "classifier.py")
    return root


def _tag_both_ways(lines: str, interpreted: Path) -> tuple[list[str], list[str]]:
    """``regalerts tag`` output of the installed build and of the interpreted copy."""
    installed = run_regalerts("tag", stdin=lines, timeout=300)
    source = run_regalerts("tag", stdin=lines, timeout=300, cwd=interpreted, env={"PYTHONPATH": str(interpreted)})
    assert installed.returncode == 0, installed.stderr[-2000:]
    assert source.returncode == 0, source.stderr[-2000:]
    return installed.stdout.splitlines(), source.stdout.splitlines()


def test_tag_output_on_the_dev_set_is_identical_to_the_interpreted_source(interpreted: Path) -> None:
    lines = shared_path("data", "devset.jsonl").read_text(encoding="utf-8")
    installed, source = _tag_both_ways(lines, interpreted)
    assert len(installed) == len([line for line in lines.splitlines() if line.strip()])
    for number, (built, reference) in enumerate(zip(installed, source, strict=True), start=1):
        assert built == reference, f"dev set line {number} differs"


def test_tag_output_on_generated_items_is_identical_to_the_interpreted_source(interpreted: Path) -> None:
    items = generated_items(random.Random(20261125), per_language=30)
    assert len(items) == 300
    installed, source = _tag_both_ways(
        "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), interpreted
    )
    assert len(installed) == len(items)
    assert sum('"regulators": [{' in line for line in installed) > len(items) // 2, "the items should name regulators"
    for item, built, reference in zip(items, installed, source, strict=True):
        assert built == reference, f"{item['id']} differs"


def test_a_source_newer_than_its_compiled_module_is_stale(tmp_path: Path) -> None:
    package = tmp_path / "services" / "classify"
    package.mkdir(parents=True)
    for name in ("fresh", "stale"):
        (package / f"{name}.py").write_text("")
        (package / f"{name}.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    (package / "orphan.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    os.utime(package / "fresh.py", (1_000, 1_000))
    os.utime(package / "stale.cpython-311-x86_64-linux-gnu.so", (1_000, 1_000))
    assert stale_compiled_sources(tmp_path / "services") == [package / "stale.py"]


def test_a_machine_without_a_c_compiler_builds_the_pure_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = importlib.util.spec_from_file_location("regalerts_setup", REPO_ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    setup_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup_module)
    monkeypatch.delenv("REGALERTS_PURE_PYTHON", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run there
    monkeypatch.setenv("CC", "regalerts-no-such-compiler")
    assert setup_module.ext_modules() == []
    assert "no C compiler found" in capsys.readouterr().err
