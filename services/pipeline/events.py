"""Event payloads carried on the Kafka topics, and their CloudEvents 1.0 envelope.

Every payload is a pydantic model with a ``schema_version``; the JSON Schemas in
``docs/schemas/`` are generated from these models (``regalerts schemas``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainSerializer
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

SPEC_VERSION: Literal["1.0"] = "1.0"


class ActionType(StrEnum):
    """The 17-type taxonomy of regulatory actions."""

    FINE = "fine"
    BAN = "ban"
    SUMMONS = "summons"
    INVESTIGATION = "investigation"
    LAWSUIT = "lawsuit"
    SETTLEMENT = "settlement"
    APPROVAL = "approval"
    REJECTION = "rejection"
    LICENCE_REVOCATION = "licence_revocation"
    RULE_PROPOSAL = "rule_proposal"
    FINAL_RULE = "final_rule"
    GUIDANCE = "guidance"
    RECALL = "recall"
    WARNING = "warning"
    ORDER = "order"
    SECURITY_ASSESSMENT = "security_assessment"
    OTHER = "other"


# A typed dict rather than a model: an item carries about fifteen, and validating them into dicts costs a
# third less than building a model for each; the JSON and its schema are the same.
class Evidence(TypedDict):
    """Where in the item a tag came from: the matched text and its offsets in that field."""

    text: str
    field: Literal["title", "summary"]
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]


class CompanyTag(BaseModel):
    """A company named in the item."""

    id: str
    name: str
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[Evidence] = Field(default_factory=list)
    source: Literal["knowledge_base", "pattern"] = "knowledge_base"


class RegulatorTag(BaseModel):
    """A regulator acting in, or the institutional subject of, the item."""

    id: str
    name: str
    acronym: str | None = None
    jurisdiction: str
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[Evidence] = Field(default_factory=list)


class ActionTag(BaseModel):
    """A regulatory action; ``primary`` when stated in the headline or lead."""

    type: ActionType
    confidence: float = Field(ge=0.0, le=1.0)
    primary: bool
    evidence: list[Evidence] = Field(default_factory=list)


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class AmountTag(BaseModel):
    """The main monetary amount of the decision, as the item states it (no conversion)."""

    value: Annotated[Decimal, Field(gt=0), PlainSerializer(_json_number, return_type=int | float, when_used="json")]
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    evidence: Evidence


class Tags(BaseModel):
    """Everything the classifier says about one item."""

    language: str
    companies: list[CompanyTag] = Field(default_factory=list)
    regulators: list[RegulatorTag] = Field(default_factory=list)
    actions: list[ActionTag] = Field(default_factory=list)
    jurisdictions: list[str] = Field(default_factory=list)
    amount: AmountTag | None = None
    classifier_version: str


class RawItem(BaseModel):
    """A feed item as ingest normalised it: the payload of ``regalerts.items.raw.v1``."""

    schema_version: Literal[1] = 1
    item_id: str = Field(description="Stable id: feed + guid, else link, else hash of title and date.")
    feed_id: str
    feed_url: str
    is_update: bool = Field(default=False, description="True when a published item's title or summary changed.")
    revision: int = Field(default=1, ge=1, description="1 for the first publication, +1 per update.")
    title: str = Field(description="Plain text, markup stripped, entities decoded.")
    summary: str = Field(default="", description="Plain text, markup stripped, entities decoded.")
    summary_html: str = Field(default="", description="Sanitised HTML of the summary.")
    link: str | None = None
    published_at: datetime
    first_seen_at: datetime
    language: str | None = None
    authors: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    regulator_hint: str | None = None
    jurisdiction_hint: str | None = None
    feed_title: str | None = Field(default=None, description="The feed's title, as ingest knows it.")


class TaggedItem(BaseModel):
    """A raw item with its tags, before its story: the payload of ``regalerts.items.tagged.v1``."""

    schema_version: Literal[1] = 1
    item: RawItem
    tags: Tags
    classified_at: datetime


class StoryReport(BaseModel):
    """One report of a story: which item, from which feed, in which language, where and when."""

    item_id: str
    feed: str = Field(description="The feed's title when ingest knows it, else its id.")
    language: str
    link: str | None = None
    title: str
    published_at: datetime


class Story(BaseModel):
    """The decision an item reports: a stable id, its first report, and every report so far (first first)."""

    id: str = Field(description="Stable: the same for every report of the decision, on every replica.")
    first: StoryReport
    reports: list[StoryReport] = Field(description="Every report known when this item joined, the first one first.")


class ClassifiedItem(BaseModel):
    """A raw item with its tags and story: the payload of ``regalerts.items.classified.v1``."""

    schema_version: Literal[1] = 1
    item: RawItem
    tags: Tags
    classified_at: datetime
    story: Story | None = Field(default=None, description="Absent only from events of before stories.")


class DeliveryAttempt(BaseModel):
    """One delivery attempt as notify recorded it: the payload of ``regalerts.deliveries.v1``."""

    schema_version: Literal[1] = 1
    delivery_id: str
    item_id: str
    subscription_id: str
    tenant_id: str
    channel: Literal["webhook", "slack", "email"]
    attempt: int = Field(ge=1)
    outcome: Literal["delivered", "failed", "retry_scheduled", "dead", "disabled"]
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    attempted_at: datetime
    next_attempt_at: datetime | None = None


PAYLOAD_TYPES: dict[str, type[BaseModel]] = {
    "org.regalerts.item.raw.v1": RawItem,
    "org.regalerts.item.tagged.v1": TaggedItem,
    "org.regalerts.item.classified.v1": ClassifiedItem,
    "org.regalerts.delivery.attempt.v1": DeliveryAttempt,
}
TYPE_OF_PAYLOAD: dict[type[BaseModel], str] = {model: name for name, model in PAYLOAD_TYPES.items()}


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope in structured mode (the whole event is the JSON message value)."""

    specversion: Literal["1.0"] = SPEC_VERSION
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]


class InvalidEvent(ValueError):
    """A message that can never be processed: not JSON, not a CloudEvent, or a payload that fails its schema."""


def wrap(payload: BaseModel, *, source: str, subject: str, traceparent: str | None = None) -> CloudEvent:
    """Wrap a payload model into a CloudEvent whose ``type`` names the payload."""
    event_type = TYPE_OF_PAYLOAD[type(payload)]
    return CloudEvent(
        source=source,
        type=event_type,
        subject=subject,
        dataschema=f"https://regalerts.org/schemas/{event_type}.json",
        traceparent=traceparent,
        data=payload.model_dump(mode="json"),
    )


def encode(event: CloudEvent) -> bytes:
    """Serialise an event to the bytes of a Kafka message value."""
    return event.model_dump_json(exclude_none=True).encode()


def decode(value: bytes | None) -> tuple[CloudEvent, BaseModel]:
    """Parse a Kafka message value into its envelope and typed payload; raise InvalidEvent when impossible."""
    if value is None:
        raise InvalidEvent("empty message value")
    try:
        event = CloudEvent.model_validate_json(value)
        model = PAYLOAD_TYPES[event.type]
        return event, model.model_validate(event.data)
    except KeyError as exc:
        raise InvalidEvent(f"unknown event type {exc}") from exc
    except ValueError as exc:
        raise InvalidEvent(str(exc)[:500]) from exc
