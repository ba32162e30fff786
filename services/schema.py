"""The whole store schema: imports every module that declares tables, then returns the shared metadata."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from services.pipeline.db import Base

# Modules declaring tables on services.pipeline.db.Base, one or more per service.
TABLE_MODULES: tuple[str, ...] = (
    "services.ingest.models", "services.classify.models", "services.notify.models", "services.web.models",
)  # fmt: skip


def load_metadata() -> MetaData:
    """Import every table module and return the metadata that now describes all tables."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
    return Base.metadata
