"""Load and merge the knowledge base: regulators, companies, countries and action lexicons.

Regulators come from ``regulators*.jsonl`` and companies from ``companies*.jsonl`` in the knowledge-base
folder, one JSON object per line. Entries with the same id in several files are merged (lists unioned,
the first non-empty scalar kept); a missing file is simply absent. Provenance: ``kb/SOURCES.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.classify.normalise import fold
from services.pipeline.events import ActionType

KB_DIR = Path(__file__).resolve().parent / "kb"
LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "zh", "ja", "ko")
# Lexicon keys that are not action types but cues the rules use.
CUE_KEYS = (
    "_close", "_stop", "_negation", "_negation_after", "_application", "_merger", "_background", "_hedge", "_hedge_after",
)  # fmt: skip


class KnowledgeBaseError(ValueError):
    """A knowledge-base file that cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class Regulator:
    """A regulatory body."""

    id: str
    name: str
    jurisdiction: str
    acronyms: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # every name in every language and script, canonical first
    domains: tuple[str, ...] = ()
    parent: str | None = None
    source: str = ""
    # Folded names and acronyms that are also common words or other entities (CAC, FCA, Brussels): they
    # name this body only in context (see ``ambiguity.py``).
    ambiguous: frozenset[str] = frozenset()
    # The body's own forms that fold like a flagged one but are not flagged as written ("SEC" of the US SEC,
    # whose "Sec" is flagged; "Ofcom" beside a flagged "OFCOM"): the case tells them apart.
    clear_forms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Company:
    """A company with the names it goes by."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    local_names: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    country: str | None = None
    sector: str | None = None
    ambiguous: bool = False
    source: str = ""

    def all_names(self) -> tuple[str, ...]:
        """Canonical name, aliases, local and former names (not products)."""
        return (self.name, *self.aliases, *self.local_names, *self.former_names)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the classifier knows, keyed by id."""

    regulators: dict[str, Regulator] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # language -> action type or cue key -> trigger patterns ("*" at the end: any continuation)
    lexicons: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    _folded_names: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)
    _company_words: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    def company_words(self, key: str) -> frozenset[str]:
        """Every folded word of a company's names (computed once per company)."""
        words = self._company_words.get(key)
        if words is None:
            words = frozenset(word for name in self.companies[key].all_names() for word in fold(name).split())
            self._company_words[key] = words
        return words

    def folded_regulator_names(self, key: str) -> frozenset[str]:
        """A regulator's names and acronyms, folded (computed once per regulator)."""
        names = self._folded_names.get(key)
        if names is None:
            regulator = self.regulators[key]
            names = frozenset(fold(name) for name in (*regulator.names, *regulator.acronyms))
            self._folded_names[key] = names
        return names


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KnowledgeBaseError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or not isinstance(record.get("id"), str) or not record["id"]:
            raise KnowledgeBaseError(f"{path}:{number}: expected an object with a non-empty string id")
        yield record


def _union(first: list[Any], second: list[Any]) -> list[Any]:
    return first + [value for value in second if value not in first]


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Union lists (and lists inside dicts), keep the first non-empty scalar."""
    merged = dict(old)
    for key, value in new.items():
        current = merged.get(key)
        if isinstance(current, list) and isinstance(value, list):
            merged[key] = _union(current, value)
        elif isinstance(current, dict) and isinstance(value, dict):
            merged[key] = {k: _union(list(current.get(k) or []), list(value.get(k) or [])) for k in current | value}
        elif current in (None, "", [], {}) or key not in merged:
            merged[key] = value
    return merged


def load_records(folder: Path, prefix: str) -> dict[str, dict[str, Any]]:
    """Every ``<prefix>*.jsonl`` record in a folder, merged by id (``<prefix>.jsonl`` first, then by name)."""
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob(f"{prefix}*.jsonl"), key=lambda p: (p.stem != prefix, p.name)):
        for record in _read_jsonl(path):
            key = record["id"]
            records[key] = _merge(records[key], record) if key in records else record
    return records


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(item.strip() for item in value if isinstance(item, str) and item.strip()))


def _regulator(record: dict[str, Any]) -> Regulator:
    names_by_language = record.get("names") if isinstance(record.get("names"), dict) else {}
    name = str(record.get("name") or record["id"])
    names = [name]
    for values in (names_by_language or {}).values():
        names.extend(_strings(values))
    acronyms = _strings(record.get("acronyms"))
    flagged = _strings(record.get("ambiguous_acronyms"))
    ambiguous = frozenset(fold(form) for form in flagged)
    clear = frozenset(form for form in (*acronyms, *names) if form not in flagged and fold(form) in ambiguous)
    return Regulator(
        id=record["id"], name=name, jurisdiction=str(record.get("jurisdiction") or "INT").upper(),
        acronyms=acronyms, names=tuple(dict.fromkeys(names)),
        domains=_strings(record.get("domains")), parent=record.get("parent") or None,
        source=str(record.get("source") or ""), ambiguous=ambiguous, clear_forms=clear,
    )  # fmt: skip


def _company(record: dict[str, Any]) -> Company:
    country = record.get("country")
    return Company(
        id=record["id"], name=str(record.get("name") or record["id"]), aliases=_strings(record.get("aliases")),
        local_names=_strings(record.get("local_names")), former_names=_strings(record.get("former_names")),
        products=_strings(record.get("products")), tickers=_strings(record.get("tickers")),
        country=str(country).upper() if country else None, sector=record.get("sector") or None,
        ambiguous=bool(record.get("ambiguous")), source=str(record.get("source") or ""),
    )  # fmt: skip


def load_lexicons(folder: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """``actions/<lang>.json``: action type (or cue key) -> trigger patterns, checked against the taxonomy."""
    known = {action.value for action in ActionType} | set(CUE_KEYS)
    lexicons: dict[str, dict[str, tuple[str, ...]]] = {}
    for path in sorted((folder / "actions").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data) - known
        if unknown:
            raise KnowledgeBaseError(f"{path}: unknown action types {sorted(unknown)}")
        lexicons[path.stem] = {key: _strings(values) for key, values in data.items()}
    return lexicons


def load(folder: Path = KB_DIR) -> KnowledgeBase:
    """Load the knowledge base from a folder (the package's own by default).

    Raises :class:`KnowledgeBaseError` when the folder holds no ``regulators*.jsonl`` nor ``companies*.jsonl``."""
    if not folder.is_dir():
        raise KnowledgeBaseError(f"{folder}: not a folder")
    if not any(folder.glob("regulators*.jsonl")) and not any(folder.glob("companies*.jsonl")):
        raise KnowledgeBaseError(f"{folder}: not a knowledge base (no regulators*.jsonl or companies*.jsonl)")
    countries_file = folder / "countries.json"
    countries_folder = folder if countries_file.exists() else KB_DIR
    countries = json.loads((countries_folder / "countries.json").read_text(encoding="utf-8"))
    lexicon_folder = folder if (folder / "actions").is_dir() else KB_DIR
    return KnowledgeBase(
        regulators={key: _regulator(r) for key, r in load_records(folder, "regulators").items()},
        companies={key: _company(r) for key, r in load_records(folder, "companies").items()},
        countries={code: _strings(names) for code, names in countries.items()},
        lexicons=load_lexicons(lexicon_folder),
    )
