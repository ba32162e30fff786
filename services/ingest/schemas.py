"""The feed API's request and response models."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from services.ingest.health import FeedState, state_of
from services.ingest.models import Feed, HubSubscription
from services.ingest.store import recent_item_counts
from services.pipeline.db import utcnow

RECENT = timedelta(days=7)  # the window of FeedStatus.items_last_7_days


class FeedFields(BaseModel):
    """Optional feed attributes shared by create and update."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=500)
    poll_interval_s: float | None = Field(
        default=None, gt=0, le=86400, description="A fixed interval; None: the interval follows the feed's publishing."
    )
    language: str | None = Field(
        default=None, max_length=16, description="Language hint (BCP 47), wins over the feed's."
    )
    regulator: str | None = Field(default=None, max_length=200, description="The regulator when the feed is its own.")
    jurisdiction: str | None = Field(
        default=None, max_length=16, description="ISO 3166 code (or EU) of that regulator."
    )
    enabled: bool | None = None

    @field_validator("jurisdiction")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else value


class FeedCreate(FeedFields):
    """A feed to register."""

    url: str = Field(max_length=2048, description="http(s) URL of an RSS, Atom or JSON feed.")


class FeedRegister(FeedCreate):
    """A feed to register through the API or ``regalerts feeds add``: fetched once first."""

    force: bool = Field(
        default=False,
        description="Register it even when the URL gives no feed now (an HTTP error, an HTML page, a host that "
        "does not resolve); an address the SSRF policy refuses is never registered.",
    )


class FeedUpdate(FeedFields):
    """Fields to change; absent fields stay as they are. ``title: null`` is refused (a feed always has a title);
    null clears language, regulator and jurisdiction and sets the interval back to the service default."""

    url: str | None = Field(default=None, max_length=2048)

    @model_validator(mode="after")
    def _title_not_null(self) -> FeedUpdate:
        if "title" in self.model_fields_set and self.title is None:
            raise PydanticCustomError("null_title", "title cannot be null: omit it to keep the current title")
        return self


class FeedStatus(BaseModel):
    """How polling a feed goes."""

    state: FeedState = Field(
        description="From the last poll: pending (never polled), ok (it succeeded), error (it failed), failing "
        "(REGALERTS_FAILING_THRESHOLD polls in a row failed), disabled."
    )
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_error_reason: str | None
    last_error_at: datetime | None
    parse_warning: str | None
    consecutive_failures: int
    items_seen: int
    items_last_7_days: int = Field(description="Items first seen in the last 7 days.")
    next_poll_at: datetime | None


class WebSubPublic(BaseModel):
    """The feed's WebSub subscription (its secret and callback are never shown)."""

    hub_url: str
    topic_url: str
    state: str = Field(
        description="new (not requested yet), active (verified by the hub), failed (the hub refused or could not "
        "be reached), denied (by the hub), lapsed (the lease ended unrenewed); the feed is polled meanwhile."
    )
    expires_at: datetime | None = Field(description="End of the lease the hub granted.")
    last_push_at: datetime | None
    last_error: str | None


class FeedPublic(BaseModel):
    """A registered feed and its status."""

    id: str
    url: str
    title: str
    poll_interval_s: float | None
    language: str | None
    regulator: str | None
    jurisdiction: str | None
    enabled: bool
    created_at: datetime
    status: FeedStatus
    websub: WebSubPublic | None = Field(default=None, description="Set when the feed names a WebSub hub.")


class FeedCheck(BaseModel):
    """What fetching the URL at registration found."""

    feed: bool = Field(description="True when the URL gave an RSS, Atom or JSON feed.")
    title: str | None = Field(description="The feed's own title.")
    items: int | None = Field(description="Entries in the document.")
    error: str | None = Field(description="Why it is not a feed (registered anyway with force).")
    feeds: list[str] = Field(description="Feeds an HTML page links to with <link rel=alternate>.")


class PreviewItem(BaseModel):
    """One item as the feed would give it."""

    title: str
    link: str | None
    published_at: datetime
    summary: str


class FeedPreview(BaseModel):
    """What the URL gives now, parsed as a registered feed's poll would be; nothing is stored."""

    url: str = Field(description="The URL as it would be registered (normalised).")
    check: FeedCheck
    items: list[PreviewItem] = Field(description="The first items, in the feed's order.")


class CatalogEntry(BaseModel):
    """A starter catalog feed and, when registered, its feed id."""

    title: str
    url: str
    regulator: str | None
    regulator_name: str | None
    jurisdiction: str
    language: str
    feed_id: str | None = Field(description="The registered feed's id; None when it is not registered.")


class CatalogInstall(BaseModel):
    """Which catalog feeds to register."""

    model_config = ConfigDict(extra="forbid")

    urls: list[str] | None = Field(default=None, description="Catalog URLs to register; None: every one.")


class FeedRegistered(FeedPublic):
    """A feed just registered, its URL's check recorded as its first poll."""

    check: FeedCheck


def first_error(exc: ValidationError) -> tuple[str, str]:
    """The field and message of a validation error's first complaint, for one-line error reports."""
    error = exc.errors(include_url=False)[0]
    return (str(error["loc"][0]) if error["loc"] else "", error["msg"])


def to_public(feed: Feed, *, failing_threshold: int, recent_items: int) -> FeedPublic:
    """The API view of a feed."""
    status = FeedStatus(
        state=state_of(feed, failing_threshold=failing_threshold),
        last_polled_at=feed.last_polled_at,
        last_success_at=feed.last_success_at,
        last_status_code=feed.last_status_code,
        last_error=feed.last_error,
        last_error_reason=feed.last_error_reason,
        last_error_at=feed.last_error_at,
        parse_warning=feed.parse_warning,
        consecutive_failures=feed.consecutive_failures,
        items_seen=feed.items_seen,
        items_last_7_days=recent_items,
        next_poll_at=feed.next_poll_at if feed.enabled else None,
    )
    return FeedPublic(
        id=feed.id,
        url=feed.url,
        title=feed.title,
        poll_interval_s=feed.poll_interval_s,
        language=feed.language,
        regulator=feed.regulator,
        jurisdiction=feed.jurisdiction,
        enabled=feed.enabled,
        created_at=feed.created_at,
        websub=_websub_public(feed.websub),
        status=status,
    )


def public_feeds(session: Session, feeds: list[Feed], *, failing_threshold: int) -> list[FeedPublic]:
    """The API view of feeds, each with its items of the last 7 days (one query for them all)."""
    counts = recent_item_counts(session, feed_ids=[feed.id for feed in feeds], since=utcnow() - RECENT)
    return [to_public(f, failing_threshold=failing_threshold, recent_items=counts.get(f.id, 0)) for f in feeds]


def _websub_public(subscription: HubSubscription | None) -> WebSubPublic | None:
    if subscription is None:
        return None
    return WebSubPublic(
        hub_url=subscription.hub_url,
        topic_url=subscription.topic_url,
        state=subscription.state,
        expires_at=subscription.expires_at,
        last_push_at=subscription.last_push_at,
        last_error=subscription.last_error,
    )
