"""Sign-in by one-time emailed link, sessions, and CSRF tokens.

Only hashes of link and session tokens are stored. A link is used once, within its lifetime; using it
opens a session whose token lives in an HttpOnly, SameSite=Lax cookie (Secure over https). Every form
carries the session's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.pipeline.db import utcnow
from services.web.accounts import new_id
from services.web.models import Member, SignInLink, WebSession
from services.web.settings import WebSettings

SESSION_COOKIE = "regalerts_session"
TOUCH_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    """The stored form of a link or session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def safe_next(path: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site, a scheme) becomes "/"."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")) or any(c in path for c in "\\\r\n\t"):
        return "/"
    return path[:500]


def signin_url(session: Session, settings: WebSettings, *, member: Member, next_path: str = "/") -> str:
    """A new one-time sign-in link for ``member``, as the URL to open."""
    token = create_link(session, member=member, now=utcnow(), ttl_s=settings.web_signin_link_ttl_s, next_path=next_path)
    return f"{settings.web_public_url}/signin/{token}"


def create_link(session: Session, *, member: Member, now: datetime, ttl_s: float, next_path: str = "/") -> str:
    """A new sign-in link token for ``member`` (returned once; the store keeps its hash)."""
    token = secrets.token_urlsafe(32)
    session.add(
        SignInLink(
            token_hash=token_hash(token),
            member_id=member.id,
            next_path=safe_next(next_path),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )
    return token


class LinkState(StrEnum):
    """What a sign-in link is worth."""

    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def check_link(session: Session, *, token: str, now: datetime) -> tuple[LinkState, SignInLink | None]:
    """The state of a link token, without using it."""
    link = session.get(SignInLink, token_hash(token))
    if link is None:
        return LinkState.UNKNOWN, None
    if link.used_at is not None:
        return LinkState.USED, link
    if now >= link.expires_at:
        return LinkState.EXPIRED, link
    return LinkState.VALID, link


@dataclass
class NewSession:
    """A session just opened: its cookie token (shown once) and its row."""

    token: str
    row: WebSession
    next_path: str


def use_link(session: Session, *, token: str, now: datetime, user_agent: str) -> tuple[LinkState, NewSession | None]:
    """Use a link: mark it used and open a session; the link's state when it cannot be used."""
    state, link = check_link(session, token=token, now=now)
    if state is not LinkState.VALID or link is None:
        return state, None
    link.used_at = now
    cookie = secrets.token_urlsafe(32)
    row = WebSession(
        id=new_id("ses"),
        token_hash=token_hash(cookie),
        member_id=link.member_id,
        csrf_token=secrets.token_urlsafe(32),
        user_agent=user_agent[:300],
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return LinkState.VALID, NewSession(cookie, row, safe_next(link.next_path))


def session_for(session: Session, *, token: str, now: datetime, ttl_s: float) -> WebSession | None:
    """The live session a cookie token opens (not revoked, used within ``ttl_s``); refreshes last use."""
    row = session.scalars(select(WebSession).where(WebSession.token_hash == token_hash(token))).one_or_none()
    if row is None or row.revoked_at is not None or now - row.last_seen_at > timedelta(seconds=ttl_s):
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return row


def csrf_ok(row: WebSession, submitted: str | None) -> bool:
    """True when a form carried this session's CSRF token."""
    return bool(submitted) and hmac.compare_digest(row.csrf_token, submitted or "")


def sessions_of(session: Session, *, member_id: str) -> list[WebSession]:
    """A member's sessions not revoked, most recently used first."""
    statement = (
        select(WebSession)
        .where(WebSession.member_id == member_id, WebSession.revoked_at.is_(None))
        .order_by(WebSession.last_seen_at.desc())
    )
    return list(session.scalars(statement))


def revoke(session: Session, *, member_id: str, session_id: str, now: datetime) -> bool:
    """Revoke one of the member's sessions; False when it is not theirs (or not live)."""
    row = session.get(WebSession, session_id)
    if row is None or row.member_id != member_id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True
