"""The notify API's models: subscription filters and channels, and what the API accepts and returns."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.pipeline.events import ActionType


def _clean(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("empty value")
    return cleaned


Term = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean)]
Terms = Annotated[list[Term], Field(max_length=1000)]


class MinAmount(BaseModel):
    """A minimum amount in one currency. No exchange rates: an amount in another currency does not match."""

    model_config = ConfigDict(extra="forbid")

    value: Decimal = Field(gt=0, max_digits=24, description="The item's amount must be at least this.")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR.")


class Filters(BaseModel):
    """What an item must carry to match: any value within a filter, every non-empty filter, empty = all."""

    model_config = ConfigDict(extra="forbid")

    companies: Terms = Field(default_factory=list, description="Company KB ids or names.")
    regulators: Terms = Field(default_factory=list, description="Regulator KB ids, names or acronyms.")
    actions: list[ActionType] = Field(default_factory=list, max_length=17, description="Action types.")
    jurisdictions: Terms = Field(default_factory=list, description="Jurisdiction codes (US, EU, US-NY...).")
    languages: Terms = Field(default_factory=list, description="Language codes (en, fr, pt-BR...).")
    keywords: Terms = Field(default_factory=list, description="Words or phrases in the title or summary.")
    watchlist: bool = Field(
        default=False, description="true: only items naming one of the tenant's own watchlist entities."
    )
    watchlist_entities: Terms = Field(
        default_factory=list, description="Ids of the tenant's watchlist entities; any of them matches."
    )
    min_confidence: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Company, regulator and action tags below it do not match."
    )
    min_amount: MinAmount | None = Field(
        default=None,
        description="Only items whose amount is at least this, in this currency (no conversion: an item with "
        "no amount or one in another currency does not match).",
    )


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+(?=[A-Za-z0-9-]*[A-Za-z]){_LABEL}")  # a top-level label is not all digits
NOT_AN_ADDRESS = (
    "not an email address that can be sent to as given: use name@host.example, in ASCII, without quotes, "
    "spaces, brackets, comments or IP literals"
)


def email_address(value: str) -> str:
    """The address normalised (domain in lower case), when SMTP sends to it exactly as written: a dot-atom
    local part (no quoted string, comment or display name) at a host name; ValueError otherwise."""
    candidate = value.strip()
    local, at, domain = candidate.rpartition("@")
    if (
        not at
        or len(candidate) > 254
        or len(local) > 64
        or len(domain) > 253
        or not _LOCAL_PART.fullmatch(local)
        or not _DOMAIN.fullmatch(domain)
    ):
        raise ValueError(NOT_AN_ADDRESS)
    return f"{local}@{domain.lower()}"


EmailAddress = Annotated[str, Field(max_length=320), AfterValidator(email_address)]


class WebhookChannel(BaseModel):
    """Deliver to an HTTPS endpoint: Standard Webhooks JSON, or a Slack incoming webhook (Block Kit)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["webhook"] = "webhook"
    url: str = Field(min_length=8, max_length=2000, description="Endpoint URL (http or https).")
    format: Literal["json", "slack"] = Field(default="json", description="json (signed) or slack.")


class EmailChannel(BaseModel):
    """Deliver by email to a list of addresses."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["email"] = "email"
    addresses: list[EmailAddress] = Field(
        min_length=1, max_length=50, description="Normalised (domain in lower case); repeats are dropped."
    )

    @field_validator("addresses")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # an address given twice would receive every alert twice


Channel = Annotated[WebhookChannel | EmailChannel, Field(discriminator="type")]


class Digest(BaseModel):
    """When a digest goes out: every hour, or once a day at a local hour in a time zone."""

    model_config = ConfigDict(extra="forbid")

    frequency: Literal["hourly", "daily"] = "daily"
    hour: int = Field(default=8, ge=0, le=23, description="Local hour of a daily digest.")
    timezone: str = Field(default="UTC", max_length=64, description="IANA time zone, e.g. Europe/Paris.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


StoryUpdates = Annotated[
    Literal["none", "notify"],
    Field(
        description="Later reports of a story already alerted: none (default) attaches them silently; notify "
        "sends each as a story_update alert."
    ),
]
DIGEST_NEEDS_MODE = 'a "digest" schedule applies only to mode "digest": send "mode": "digest" with it'


class SubscriptionCreate(BaseModel):
    """A new subscription."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    filters: Filters = Field(default_factory=Filters)
    channel: Channel
    mode: Literal["instant", "digest"] = "instant"
    digest: Digest | None = None
    paused: bool = False
    story_updates: StoryUpdates = "none"

    @model_validator(mode="after")
    def _digest_with_mode(self) -> SubscriptionCreate:
        if self.mode == "instant" and self.digest is not None:
            raise ValueError(DIGEST_NEEDS_MODE)
        if self.mode == "digest" and self.digest is None:
            self.digest = Digest()
        return self


class SubscriptionUpdate(BaseModel):
    """A partial change: only the fields given are changed (pause/resume with ``paused``)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    filters: Filters | None = None
    channel: Channel | None = None
    mode: Literal["instant", "digest"] | None = None
    digest: Digest | None = None
    paused: bool | None = None
    story_updates: StoryUpdates | None = None

    @model_validator(mode="after")
    def _digest_with_mode(self) -> SubscriptionUpdate:
        if self.mode == "instant" and self.digest is not None:
            raise ValueError(DIGEST_NEEDS_MODE)
        return self


class SubscriptionPublic(BaseModel):
    """A subscription as the API shows it: never its secret."""

    id: str
    name: str
    filters: Filters
    channel: Channel
    mode: Literal["instant", "digest"]
    digest: Digest | None
    paused: bool
    story_updates: StoryUpdates
    disabled_reason: str | None = Field(description="Why deliveries stopped (e.g. the endpoint answered 410).")
    error: str | None = Field(
        default=None,
        description="Why this subscription as stored no longer passes validation (the fields are shown as "
        "stored, invalid filter values left out); change them with PATCH. null when it is valid.",
    )
    created_at: datetime
    updated_at: datetime


Warnings = Annotated[
    list[str],
    Field(
        default_factory=list,
        description="What may keep the filters from matching, e.g. a company or regulator name the knowledge "
        "base does not know, with the closest known names; the subscription is saved all the same.",
    ),
]


class SubscriptionCreated(SubscriptionPublic):
    """The answer to a creation: the only time the webhook signing secret is shown."""

    secret: str | None = Field(description="whsec_ signing secret of a JSON webhook; shown once.")
    warnings: Warnings


class SubscriptionChanged(SubscriptionPublic):
    """The answer to a change: a new webhook signing secret is shown here, once."""

    secret: str | None = Field(
        description="whsec_ signing secret, only when this change made the subscription a JSON webhook "
        "that had none; shown once. null otherwise."
    )
    warnings: Warnings


class SecretRotated(BaseModel):
    """A new signing secret, shown once; the previous one keeps signing until ``previous_expires_at``."""

    secret: str
    previous_expires_at: datetime


class SampleOutcome(BaseModel):
    """The real outcome of sending a sample alert."""

    delivered: bool
    status_code: int | None
    latency_ms: float | None
    error: str | None


class AttemptPublic(BaseModel):
    """One recorded attempt."""

    attempt: int
    attempted_at: datetime
    outcome: str
    status_code: int | None
    latency_ms: float | None
    error: str | None


class DeliveryPublic(BaseModel):
    """One alert for one subscription, with its attempts."""

    id: str
    subscription_id: str
    item_id: str
    kind: Literal["created", "updated", "story_update"]
    channel: Literal["webhook", "slack", "email"]
    status: Literal["pending", "delivered", "dead", "disabled"]
    attempts: list[AttemptPublic]
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    """A page of deliveries, newest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[DeliveryPublic]
    next_cursor: str | None = Field(description="The next page's cursor; null on the last page.")
    next_offset: int | None = Field(description="The next page's offset when this one was asked for by offset.")
