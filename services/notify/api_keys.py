"""A tenant's API keys: several, each named, shown once when created, listed by prefix, revocable.

Only a key's SHA-256 is stored (keys are 256-bit random, so a plain hash is enough) with its first
characters, which tell keys apart without being usable.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notify.models import ApiKey, Tenant
from services.pipeline.db import utcnow

API_KEY_PREFIX = "rak_"
SHOWN_CHARS = 8  # of the random part, kept and shown to tell keys apart


def hash_api_key(api_key: str) -> str:
    """SHA-256 of an API key."""
    return hashlib.sha256(api_key.encode()).hexdigest()


class ApiKeyCreate(BaseModel):
    """A key to create (its name stripped; the subclass for tenants reuses that check)."""

    model_config = ConfigDict(extra="forbid")
    blank_name: ClassVar[str] = "give the key a name"

    name: str = Field(min_length=1, max_length=100, description="What the key is for, e.g. 'CI' or 'SIEM export'.")

    @field_validator("name")
    @classmethod
    def _stripped(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(cls.blank_name)
        return value.strip()


class ApiKeyPublic(BaseModel):
    """A key as listed: never the key itself."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    """A key just created: the only time the key itself is shown."""

    key: str


def create_api_key(session: Session, *, tenant_id: str, name: str) -> tuple[ApiKey, str]:
    """A new key of the tenant and the key itself (returned once)."""
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        id=f"key_{uuid.uuid4().hex}",
        tenant_id=tenant_id,
        name=name,
        prefix=api_key[: len(API_KEY_PREFIX) + SHOWN_CHARS],
        key_hash=hash_api_key(api_key),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row, api_key


def key_by_secret(session: Session, *, api_key: str) -> ApiKey | None:
    """The live (not revoked) key with this secret, or None."""
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_api_key(api_key), ApiKey.revoked_at.is_(None)))


def tenant_by_api_key(session: Session, *, api_key: str) -> Tenant | None:
    """The tenant owning a live API key, or None."""
    key = key_by_secret(session, api_key=api_key)
    return session.get(Tenant, key.tenant_id) if key else None


def list_api_keys(session: Session, *, tenant_id: str) -> list[ApiKey]:
    """The tenant's keys, live and revoked, oldest first."""
    query = select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.created_at, ApiKey.id)
    return list(session.scalars(query))


def get_api_key(session: Session, *, tenant_id: str, key_id: str) -> ApiKey | None:
    """One of the tenant's keys (None for another tenant's)."""
    key = session.get(ApiKey, key_id)
    return key if key is not None and key.tenant_id == tenant_id else None


def revoke_api_key(key: ApiKey) -> None:
    """From now on the key authenticates nothing (revoking it again changes nothing)."""
    key.revoked_at = key.revoked_at or utcnow()
