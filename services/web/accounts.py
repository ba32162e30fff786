"""Tenants the web app acts for, and their members."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.web.models import Member, WebTenant

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def new_id(prefix: str) -> str:
    """A random id with a readable prefix."""
    return f"{prefix}_{secrets.token_hex(8)}"


def normalise_email(email: str) -> str:
    """An address as members are looked up: trimmed, lower case; ValueError when it is not an address."""
    address = email.strip().lower()
    if len(address) > 320 or not _EMAIL.match(address):
        raise ValueError(f"not an email address: {email!r}")
    return address


def find_tenant(session: Session, *, name_or_id: str) -> WebTenant | None:
    """A tenant by its notify id or its name."""
    statement = select(WebTenant).where(or_(WebTenant.id == name_or_id, WebTenant.name == name_or_id))
    return session.scalars(statement).first()


def register_tenant(session: Session, *, tenant_id: str, name: str, api_key: str) -> WebTenant:
    """Remember a notify tenant and the API key the web app uses for it (replacing a previous key)."""
    tenant = session.get(WebTenant, tenant_id)
    if tenant is None:
        tenant = WebTenant(id=tenant_id, name=name, api_key=api_key)
        session.add(tenant)
    else:
        tenant.api_key = api_key
    session.flush()
    return tenant


def add_member(session: Session, *, email: str, tenant: WebTenant, operator: bool = False) -> Member:
    """Add a member to ``tenant`` (an address already a member keeps its tenant: ValueError)."""
    address = normalise_email(email)
    existing = member_by_email(session, email=address)
    if existing is not None:
        if existing.tenant_id != tenant.id:
            raise ValueError(f"{address} is already a member of another tenant")
        existing.operator = existing.operator or operator
        return existing
    member = Member(id=new_id("mem"), email=address, tenant_id=tenant.id, operator=operator)
    session.add(member)
    session.flush()
    return member


def member_by_email(session: Session, *, email: str) -> Member | None:
    """The member with this address, if any."""
    try:
        address = normalise_email(email)
    except ValueError:
        return None
    return session.scalars(select(Member).where(Member.email == address)).one_or_none()
