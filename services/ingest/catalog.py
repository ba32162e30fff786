"""The starter catalog shipped with ingest (``catalog.json``): public regulator and regulatory-news feeds."""

from __future__ import annotations

import json
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from services.ingest.registry import InvalidFeed, register
from services.ingest.schemas import FeedCreate
from services.ingest.store import FeedExists
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


def load_catalog() -> list[CatalogFeed]:
    """The catalog entries, validated."""
    text = resources.files("services.ingest").joinpath("catalog.json").read_text(encoding="utf-8")
    return [CatalogFeed.model_validate(entry) for entry in json.loads(text)["feeds"]]


def install_catalog(session: Session, *, policy: NetworkPolicy, floor_s: float) -> tuple[int, int, list[str]]:
    """Register every catalog feed not yet registered; return (created, already there, refusals).

    Catalog URLs are checked for scheme and host only (no DNS lookup, so loading works offline); each
    connection is still checked by the SSRF guard.
    """
    created, existing, refused = 0, 0, []
    for entry in load_catalog():
        spec = FeedCreate(
            url=entry.url,
            title=entry.title,
            language=entry.language,
            regulator=entry.regulator,
            jurisdiction=entry.jurisdiction,
        )
        try:
            with session.begin_nested():
                register(session, spec, policy=policy, floor_s=floor_s, resolve=False)
            created += 1
        except FeedExists:
            existing += 1
        except InvalidFeed as exc:
            refused.append(f"{entry.url}: {exc}")
    return created, existing, refused
