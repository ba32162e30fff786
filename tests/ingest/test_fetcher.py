"""The fetcher against local servers: conditional GET, Retry-After, timeouts, caps, bombs, redirects, SSRF."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import zlib
from typing import Any

from services.ingest.fetcher import Fetcher, FetchResult
from services.ingest.settings import IngestSettings
from services.pipeline.netguard import NetworkPolicy
from tests.ingest.conftest import Reply, Site, make_settings, rss


def fetch(
    url: str, settings: IngestSettings | None = None, policy: NetworkPolicy | None = None, **kwargs: Any
) -> FetchResult:
    settings = settings or make_settings("sqlite://")

    async def main() -> FetchResult:
        fetcher = Fetcher(settings, policy or NetworkPolicy(settings.ssrf_allow_cidrs))
        try:
            return await fetcher.fetch(url, **kwargs)
        finally:
            await fetcher.aclose()

    return asyncio.run(main())


def test_conditional_get_sends_validators_and_reads_304(site: Site) -> None:
    def route(handler: Any) -> Reply:
        if handler.headers.get("If-None-Match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(
            200,
            rss([]),
            {"ETag": '"v1"', "Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT", "Cache-Control": "max-age=600"},
        )

    url = site.serve("/feed.xml", route)
    first = fetch(url)
    assert (first.outcome, first.etag, first.fresh_for_s) == ("ok", '"v1"', 600.0)
    second = fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.outcome == "not_modified"
    assert second.status_code == 304
    sent = site.hits("/feed.xml")[1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 24 Nov 2026 10:00:00 GMT"
    assert sent["user-agent"].startswith("RegAlerts/") and "https://regalerts.org" in sent["user-agent"]


def test_retry_after_on_429_and_503(site: Site) -> None:
    limited = fetch(site.serve("/429", Reply(429, b"slow down", {"Retry-After": "120"})))
    assert (limited.outcome, limited.reason, limited.retry_after_s) == ("error", "http_429", 120.0)
    busy = fetch(site.serve("/503", Reply(503, b"busy", {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})))
    assert busy.reason == "http_5xx"
    assert busy.retry_after_s is not None and busy.retry_after_s > 86400
    missing = fetch(site.serve("/404", Reply(404, b"gone")))
    assert (missing.reason, missing.retry_after_s, missing.status_code) == ("http_4xx", None, 404)


def test_slow_server_times_out(site: Site) -> None:
    result = fetch(site.serve("/slow", Reply(200, rss([]), delay_s=3.0)))
    assert (result.outcome, result.reason) == ("error", "timeout")


def test_trickling_body_hits_the_total_timeout(site: Site) -> None:
    def trickle() -> Any:
        import time

        for _ in range(100):
            time.sleep(0.2)
            yield b"<rss>"

    result = fetch(
        site.serve("/trickle", lambda _h: Reply(200, trickle())),
        make_settings("sqlite://", read_timeout_s=1.0, total_timeout_s=1.5),
    )
    assert result.reason == "timeout"


def test_endless_body_is_cut_at_the_cap(site: Site) -> None:
    served = []

    def endless() -> Any:
        for n in itertools.count():
            served.append(n)
            yield b"x" * 65536

    result = fetch(site.serve("/endless", lambda _h: Reply(200, endless())))
    assert (result.outcome, result.reason) == ("error", "too_large")
    assert "1048576" in (result.error or "")


def test_declared_oversize_body_is_refused_before_reading(site: Site) -> None:
    result = fetch(site.serve("/big", Reply(200, b"x" * (2 * 1024 * 1024))))
    assert result.reason == "too_large"


def test_gzip_bomb_is_cut_after_decompression(site: Site) -> None:
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024  # small on the wire, 200 MB inflated
    result = fetch(site.serve("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"})))
    assert (result.outcome, result.reason) == ("error", "too_large")
    assert "after decompression" in (result.error or "")


def test_gzip_and_deflate_bodies_are_decoded(site: Site) -> None:
    document = rss([{"guid": "a", "title": "A"}])
    zipped = fetch(site.serve("/gz", Reply(200, gzip.compress(document), {"Content-Encoding": "gzip"})))
    deflated = fetch(site.serve("/df", Reply(200, zlib.compress(document), {"Content-Encoding": "deflate"})))
    assert zipped.body == document
    assert deflated.body == document
    assert site.hits("/gz")[0]["accept-encoding"] == "gzip, deflate"


def test_redirect_loop_and_too_many_redirects(site: Site) -> None:
    site.serve("/a", Reply(302, b"", {"Location": "/b"}))
    site.serve("/b", Reply(301, b"", {"Location": "/a"}))
    loop = fetch(site.url("/a"))
    assert (loop.outcome, loop.reason) == ("error", "redirects")
    assert "loop" in (loop.error or "")
    for n in range(10):
        site.serve(f"/r{n}", Reply(307, b"", {"Location": f"/r{n + 1}"}))
    chain = fetch(site.url("/r0"))
    assert chain.reason == "redirects"
    assert len(site.hits("/r6")) == 0  # 5 redirects followed, then given up


def test_redirect_is_followed_to_the_feed(site: Site) -> None:
    site.serve("/old", Reply(301, b"", {"Location": "/new"}))
    site.serve("/new", Reply(200, rss([])))
    result = fetch(site.url("/old"))
    assert result.outcome == "ok"
    assert result.url == site.url("/new")


def test_loopback_is_blocked_without_the_allow_list(site: Site) -> None:
    url = site.serve("/feed.xml", Reply(200, rss([])))
    result = fetch(url, policy=NetworkPolicy(""))
    assert (result.outcome, result.reason) == ("error", "blocked")
    assert site.hits("/feed.xml") == []


def test_redirect_to_a_blocked_address_is_refused(site: Site) -> None:
    url = site.serve("/hop", Reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"}))
    result = fetch(url)
    assert result.reason == "blocked"
    assert "metadata" in (result.error or "")


def test_a_host_that_does_not_resolve_is_a_dns_failure_not_an_ssrf_refusal() -> None:
    result = fetch("http://feeds.nowhere.invalid/feed.xml")  # .invalid never resolves (RFC 6761)
    assert (result.outcome, result.reason) == ("error", "dns")
    assert result.error is not None
    assert result.error.startswith("DNS resolution failed: host 'feeds.nowhere.invalid' does not resolve")
    assert "SSRF" not in result.error


def test_connection_refused_is_a_connect_error() -> None:
    from services.pipeline.broker import free_port

    result = fetch(f"http://127.0.0.1:{free_port()}/feed.xml")
    assert (result.outcome, result.reason) == ("error", "connect")


def test_a_malformed_redirect_is_a_clean_error(site: Site) -> None:
    result = fetch(site.serve("/bad", Reply(302, b"", {"Location": "http://[::1"})))
    assert (result.outcome, result.reason) == ("error", "protocol")
    unsupported = fetch(site.serve("/ftp", Reply(302, b"", {"Location": "ftp://example.org/feed"})))
    assert (unsupported.reason, unsupported.error) == (
        "blocked",
        "redirect to a 'ftp' URL refused: only http and https are followed",
    )


def test_a_redirect_to_a_file_url_names_the_scheme(site: Site) -> None:
    result = fetch(site.serve("/file", Reply(302, b"", {"Location": "file:///etc/passwd"})))
    assert (result.outcome, result.reason) == ("error", "blocked")
    assert result.error == "redirect to a 'file' URL refused: only http and https are followed"
