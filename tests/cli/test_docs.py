"""Generated documentation (event JSON Schemas, configuration table) matches the code."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from services.cli.docs import generated_files, render_schemas
from services.pipeline.events import PAYLOAD_TYPES


def test_committed_docs_match_the_code() -> None:
    stale = [
        str(path)
        for path, text in generated_files().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"run `regalerts docs generate`: out of date: {stale}"


def test_every_payload_has_a_valid_schema_with_a_version() -> None:
    schemas = render_schemas()
    for event_type in PAYLOAD_TYPES:
        schema = json.loads(schemas[f"{event_type}.schema.json"])
        Draft202012Validator.check_schema(schema)
        assert "schema_version" in schema["properties"]


def test_every_example_message_validates_against_its_schema_and_model() -> None:
    examples = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "examples"
    schemas = render_schemas()
    for event_type, model in PAYLOAD_TYPES.items():
        example = json.loads((examples / f"{event_type}.json").read_text(encoding="utf-8"))
        Draft202012Validator(json.loads(schemas[f"{event_type}.schema.json"])).validate(example)
        model.model_validate(example)
