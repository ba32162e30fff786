"""``regalerts docs``: generate docs/schemas/ (event JSON Schemas) and docs/configuration.md from the code."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

from pydantic import BaseModel
from pydantic_settings import BaseSettings

from services.pipeline.events import PAYLOAD_TYPES, CloudEvent
from services.pipeline.settings import CommonSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"
SERVICE_SETTINGS = (
    ("ingest", "services.ingest.settings", "IngestSettings"),
    ("classify", "services.classify.settings", "ClassifySettings"),
    ("notify", "services.notify.settings", "NotifySettings"),
    ("web", "services.web.settings", "WebSettings"),
)


def _schema_text(model: type[BaseModel], schema_id: str) -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_id, **model.model_json_schema()}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def render_schemas() -> dict[str, str]:
    """File name under docs/schemas/ -> JSON Schema text, for the envelope and every event payload."""
    files = {"cloudevent.schema.json": _schema_text(CloudEvent, "https://regalerts.org/schemas/cloudevent.json")}
    for event_type, model in PAYLOAD_TYPES.items():
        files[f"{event_type}.schema.json"] = _schema_text(model, f"https://regalerts.org/schemas/{event_type}.json")
    from services.notify.payload import payload_schema  # the webhook body subscribers receive

    files["webhook-payload.schema.json"] = (
        json.dumps(payload_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
    return files


def service_settings() -> list[tuple[str, type[BaseSettings]]]:
    """(service, settings class) for the shared settings and each service that declares its own."""
    found: list[tuple[str, type[BaseSettings]]] = [("all", CommonSettings)]
    for service, module_name, class_name in SERVICE_SETTINGS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        found.append((service, getattr(module, class_name)))
    return found


def render_configuration() -> str:
    """docs/configuration.md: one table of every environment variable, its default and meaning."""
    lines = [
        "# Configuration",
        "",
        "Every setting is an environment variable (12-factor). This table is generated from the settings",
        "classes by `regalerts docs generate`; a test fails when it drifts from the code.",
        "",
        "| variable | service | default | description |",
        "|---|---|---|---|",
    ]
    common = set(CommonSettings.model_fields)
    for service, settings_class in service_settings():
        for name, field in settings_class.model_fields.items():
            if service != "all" and name in common:
                continue
            default = "" if field.is_required() else repr(field.default)
            description = (field.description or "").replace("|", "\\|")
            lines.append(f"| `REGALERTS_{name.upper()}` | {service} | `{default}` | {description} |")
    return "\n".join(lines) + "\n"


def generated_files() -> dict[Path, str]:
    """Every generated documentation file and its expected content."""
    files = {DOCS / "schemas" / name: text for name, text in render_schemas().items()}
    files[DOCS / "configuration.md"] = render_configuration()
    return files


def _generate(args: argparse.Namespace) -> int:
    stale = [
        path
        for path, text in generated_files().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    if args.check:
        for path in stale:
            print(f"out of date: {path}")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generated_files()[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``docs generate``."""
    parser = subparsers.add_parser("docs", help="generated documentation")
    docs_commands = parser.add_subparsers(dest="docs_command", required=True)
    generate = docs_commands.add_parser("generate", help="write docs/schemas/ and docs/configuration.md")
    generate.add_argument("--check", action="store_true", help="only report files that are out of date")
    generate.set_defaults(func=_generate)
