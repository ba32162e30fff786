"""The starter catalog shipped with ingest (``catalog.json``): public regulator and regulatory-news feeds."""

from __future__ import annotations

import json
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.registry import InvalidFeed, Registered, check_feed_url, register_all
from services.ingest.schemas import CatalogEntry, FeedCreate
from services.ingest.store import list_feeds
from services.pipeline.netguard import NetworkPolicy


class CatalogFeed(BaseModel):
    """One catalog entry."""

    model_config = ConfigDict(extra="forbid")

    title: str
    url: str
    regulator: str | None = Field(description="Regulator id when the feed is that regulator's own.")
    regulator_name: str | None
    jurisdiction: str = Field(pattern=r"^([A-Z]{2}|EU|INT)$")
    language: str = Field(pattern=r"^[a-z]{2,3}$")
    confirmed_by: str = Field(
        pattern=r"^(public code|unconfirmed): .{10,}",
        description="Where the URL was confirmed in public material, or 'unconfirmed: ' and what was found.",
    )


def load_catalog() -> list[CatalogFeed]:
    """The catalog entries, validated."""
    text = resources.files("services.ingest").joinpath("catalog.json").read_text(encoding="utf-8")
    return [CatalogFeed.model_validate(entry) for entry in json.loads(text)["feeds"]]


def install_catalog(
    sessions: sessionmaker[Session], *, policy: NetworkPolicy, floor_s: float, urls: list[str] | None = None
) -> Registered:
    """Register every catalog feed not yet registered (of ``urls`` only, when given: others are refused).

    Catalog URLs are checked for scheme and host only (no DNS lookup, so loading works offline); each
    connection is still checked by the SSRF guard.
    """
    entries = load_catalog()
    wanted = set(urls) if urls is not None else {e.url for e in entries}
    specs = [
        FeedCreate(url=e.url, title=e.title, language=e.language, regulator=e.regulator, jurisdiction=e.jurisdiction)
        for e in entries
        if e.url in wanted
    ]
    report = register_all(sessions, specs, policy=policy, floor_s=floor_s, resolve=False)
    known = {e.url for e in entries}
    report.refused += [{"url": url, "error": "not in the catalog"} for url in sorted(wanted - known)]
    return report


def catalog_entries(session: Session, *, policy: NetworkPolicy) -> list[CatalogEntry]:
    """The catalog, each entry with its registered feed's id (None when not registered)."""
    registered = {feed.url: feed.id for feed in list_feeds(session)}
    return [
        CatalogEntry(**e.model_dump(exclude={"confirmed_by"}), feed_id=registered.get(_normalised(e.url, policy)))
        for e in load_catalog()
    ]


def _normalised(url: str, policy: NetworkPolicy) -> str:
    try:
        return check_feed_url(url, policy, resolve=False)
    except InvalidFeed:
        return url
