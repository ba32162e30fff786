"""What every page needs, built once in main: settings, store sessions, templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from services.web.settings import WebSettings

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``, UTC when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def localtime(value: datetime | str | None, tz_name: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A timestamp (or its ISO text, from an API) shown in the member's time zone."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            return localtime(datetime.fromisoformat(value), tz_name, fmt)
        except ValueError:
            return value
    return value.astimezone(zone(tz_name)).strftime(fmt)


def make_templates() -> Jinja2Templates:
    """The page templates (autoescaped), with the filters they use."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.autoescape = True  # every template, whatever its extension (.html.j2 is not one Jinja knows)
    templates.env.filters["localtime"] = localtime
    templates.env.filters["label"] = lambda value: str(value).replace("_", " ")
    return templates


@dataclass
class WebContext:
    """Built once in main and shared by the pages."""

    settings: WebSettings
    sessions: sessionmaker[Session]
    templates: Any  # Jinja2Templates (untyped generics in starlette)
