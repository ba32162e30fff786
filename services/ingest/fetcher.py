"""Fetch a feed politely and defensively: conditional GET, SSRF guard on every hop, timeouts, caps.

One :class:`Fetcher` (one pooled httpx client) serves every poll. A fetch never raises: it returns a
:class:`FetchResult` whose outcome is ``ok``, ``not_modified`` or ``error`` with a short fixed reason.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from services.ingest.decoding import BodyTooLarge, BoundedBody
from services.ingest.http_headers import fresh_for_seconds, retry_after_seconds
from services.ingest.settings import IngestSettings
from services.pipeline.netguard import BlockedURL, GuardedTransport, HostNotFound, NetworkPolicy

log = logging.getLogger(__name__)
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
Outcome = Literal["ok", "not_modified", "error"]


@dataclass
class FetchResult:
    """What one poll's request produced."""

    outcome: Outcome
    url: str
    reason: str = "none"
    error: str | None = None
    status_code: int | None = None
    body: bytes = b""
    content_type: str | None = None
    content_language: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after_s: float | None = None
    fresh_for_s: float | None = None
    link_header: str | None = None  # HTTP Link: where a WebSub hub may be advertised


class FetchFailed(Exception):
    """A fetch failed for ``reason`` (a short fixed word used as a metric label)."""

    def __init__(
        self, reason: str, message: str, *, status_code: int | None = None, retry_after_s: float | None = None
    ):
        super().__init__(message)
        self.reason = reason
        self.status_code = status_code
        self.retry_after_s = retry_after_s


class Fetcher:
    """Fetches feed documents through the SSRF-guarded transport."""

    def __init__(self, settings: IngestSettings, policy: NetworkPolicy) -> None:
        self._settings = settings
        timeout = httpx.Timeout(
            connect=settings.connect_timeout_s,
            read=settings.read_timeout_s,
            write=settings.read_timeout_s,
            pool=settings.total_timeout_s,
        )
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(policy, retries=0),
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=settings.global_concurrency * 2, max_keepalive_connections=200),
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url`` (conditionally when validators are given), following redirects within the limits."""
        try:
            return await asyncio.wait_for(self._follow(url, etag, last_modified), self._settings.total_timeout_s)
        except FetchFailed as exc:
            return FetchResult(
                "error", url, exc.reason, str(exc)[:500], exc.status_code, retry_after_s=exc.retry_after_s
            )
        except (TimeoutError, httpx.TimeoutException) as exc:
            return FetchResult("error", url, "timeout", f"timed out: {type(exc).__name__}")
        except httpx.ConnectError as exc:
            return _connect_failure(url, exc)
        except (httpx.HTTPError, httpx.InvalidURL, zlib.error, ValueError) as exc:
            return FetchResult("error", url, "protocol", f"{type(exc).__name__}: {exc}"[:500])
        except Exception as exc:  # whatever a hostile server provokes, the poller goes on
            log.exception("Unexpected fetch failure", extra={"feed_url": url})
            return FetchResult("error", url, "internal", f"{type(exc).__name__}: {exc}"[:500])

    async def _follow(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        for _ in range(self._settings.max_redirects + 1):
            result, location = await self._get(url, headers)
            if location is None:
                return result
            url = urljoin(url, location)
            scheme = urlsplit(url).scheme.lower()
            if scheme not in {"http", "https"}:
                raise FetchFailed("blocked", f"redirect to a {scheme!r} URL refused: only http and https are followed")
            if url in seen:
                raise FetchFailed("redirects", f"redirect loop back to {url}")
            seen.add(url)
        raise FetchFailed("redirects", f"more than {self._settings.max_redirects} redirects")

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[FetchResult, str | None]:
        async with self._client.stream("GET", url, headers=headers) as response:
            now = datetime.now(UTC)
            status = response.status_code
            if status in {301, 302, 303, 307, 308} and response.headers.get("location"):
                return FetchResult("error", url, "redirects"), response.headers["location"]
            fresh = fresh_for_seconds(response.headers.get("cache-control"), response.headers.get("expires"), now=now)
            if status == 304:
                return FetchResult(
                    "not_modified",
                    url,
                    status_code=304,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    fresh_for_s=fresh,
                ), None
            if status != 200:
                raise _status_error(response, now)
            body = await self._read(response)
        result = FetchResult(
            "ok",
            url,
            status_code=200,
            body=body,
            content_type=response.headers.get("content-type"),
            content_language=response.headers.get("content-language"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            fresh_for_s=fresh,
            link_header=", ".join(response.headers.get_list("link")) or None,
        )
        return result, None

    async def _read(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._settings.max_body_bytes:
            raise FetchFailed("too_large", f"Content-Length {declared} exceeds {self._settings.max_body_bytes} bytes")
        body = BoundedBody(response.headers.get("content-encoding"), self._settings.max_body_bytes)
        try:
            async for chunk in response.aiter_raw():
                body.feed(chunk)
            return body.finish()
        except BodyTooLarge as exc:
            raise FetchFailed("too_large", str(exc)) from exc


def _status_error(response: httpx.Response, now: datetime) -> FetchFailed:
    status = response.status_code
    retry_after = None
    if status in {429, 503}:
        retry_after = retry_after_seconds(response.headers.get("retry-after"), now=now)
    if status == 429:
        reason = "http_429"  # rate limited: told apart from other 4xx, the publisher wants us slower
    else:
        reason = "http_4xx" if 400 <= status < 500 else "http_5xx" if status >= 500 else "protocol"
    return FetchFailed(reason, f"HTTP {status}", status_code=status, retry_after_s=retry_after)


def _connect_failure(url: str, exc: httpx.ConnectError) -> FetchResult:
    """``dns`` when the host does not resolve, ``blocked`` when the SSRF guard refused its address, else
    ``connect``."""
    cause = exc.__cause__
    if isinstance(cause, HostNotFound):
        return FetchResult("error", url, "dns", str(exc)[:500])
    if isinstance(cause, BlockedURL):
        return FetchResult("error", url, "blocked", str(exc)[:500])
    return FetchResult("error", url, "connect", str(exc)[:500] or type(exc).__name__)
