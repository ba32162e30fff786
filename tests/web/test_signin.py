"""Sign-in by one-time link: single use, expiry, cookie flags, no open redirect, CSRF, sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from services.pipeline.db import utcnow
from tests.web.conftest import WebApp, csrf_of


def _form_token(page: httpx.Response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def test_the_link_signs_in_once_and_says_so_when_reused(web: WebApp) -> None:
    token = web.link(web.alice)
    client = web.client()
    assert "Sign in" in client.get(f"/signin/{token}").text  # a button; the GET does not use the link
    first = client.post(f"/signin/{token}")
    assert first.status_code == 303 and first.headers["location"] == "/"
    assert client.get("/").status_code == 200
    again = web.client().post(f"/signin/{token}")
    assert again.status_code == 410
    assert "already been used" in again.text
    assert "already been used" in web.client().get(f"/signin/{token}").text


def test_an_expired_link_says_so(web: WebApp) -> None:
    token = web.link(web.alice, ttl_s=900, now=utcnow() - timedelta(minutes=16))
    response = web.client().post(f"/signin/{token}")
    assert response.status_code == 410 and "expired" in response.text
    assert "regalerts_session" not in response.headers.get("set-cookie", "")
    assert "not valid" in web.client().post("/signin/made-up-token").text


def test_session_cookie_flags(web: WebApp) -> None:
    plain = web.client().post(f"/signin/{web.link(web.alice)}").headers["set-cookie"].lower()
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    secure = web.client(https=True).post(f"/signin/{web.link(web.alice)}").headers["set-cookie"].lower()
    assert "httponly" in secure and "samesite=lax" in secure and "secure" in secure


def test_no_open_redirect_after_sign_in(web: WebApp) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = web.client().post(f"/signin/{web.link(web.alice, next_path=target)}")
        assert response.headers["location"] == "/", target
    kept = web.client().post(f"/signin/{web.link(web.alice, next_path='/items/3?x=1')}")
    assert kept.headers["location"] == "/items/3?x=1"


def test_pages_need_a_session_and_come_back_after_sign_in(web: WebApp) -> None:
    response = web.client().get("/account?tab=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Faccount%3Ftab%3D1"


def test_sign_in_form_needs_its_csrf_cookie_and_does_not_tell_members_apart(web: WebApp) -> None:
    client = web.client()
    token = _form_token(client.get("/signin"))
    forged = web.client().post("/signin", data={"email": "alice@acme.example", "form_token": "forged"})
    assert forged.status_code == 403
    member = client.post("/signin", data={"email": "alice@acme.example", "form_token": token})
    stranger = client.post("/signin", data={"email": "nobody@else.example", "form_token": token})
    assert member.status_code == stranger.status_code == 200
    assert "a sign-in link is on its way" in member.text and "a sign-in link is on its way" in stranger.text


def test_bad_email_is_shown_next_to_the_field_and_kept(web: WebApp) -> None:
    client = web.client()
    response = client.post(
        "/signin", data={"email": "not an <address>", "form_token": _form_token(client.get("/signin"))}
    )
    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    assert 'value="not an &lt;address&gt;"' in response.text


def test_forms_without_the_csrf_token_are_refused(web: WebApp) -> None:
    client = web.signed_in(web.alice)
    assert client.post("/signout").status_code == 403
    assert client.post("/signout", data={"csrf_token": "wrong"}).status_code == 403
    assert client.post("/account/time-zone", data={"time_zone": "Asia/Shanghai"}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in


def test_sign_out_ends_the_session(web: WebApp) -> None:
    client = web.signed_in(web.alice)
    response = client.post("/signout", data={"csrf_token": csrf_of(client.get("/"))})
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    assert client.get("/").status_code == 303


def test_sessions_are_listed_and_revocable_but_only_ones_own(web: WebApp) -> None:
    laptop, phone = web.signed_in(web.alice), web.signed_in(web.alice)
    page = laptop.get("/account")
    ids = re.findall(r"/account/sessions/(ses_[0-9a-f]+)/revoke", page.text)
    assert len(ids) == 2
    bob = web.signed_in(web.bob)
    assert bob.post(f"/account/sessions/{ids[0]}/revoke", data={"csrf_token": csrf_of(bob.get("/"))}).status_code == 404
    for session_id in ids:
        laptop.post(f"/account/sessions/{session_id}/revoke", data={"csrf_token": csrf_of(page)})
    assert phone.get("/").status_code == 303 and laptop.get("/").status_code == 303
    assert bob.get("/").status_code == 200


def test_time_zone_errors_keep_what_was_typed(web: WebApp) -> None:
    client = web.signed_in(web.alice)
    token = csrf_of(client.get("/account"))
    bad = client.post("/account/time-zone", data={"csrf_token": token, "time_zone": "Mars/Olympus"})
    assert bad.status_code == 422 and 'value="Mars/Olympus"' in bad.text and 'id="tz-error"' in bad.text
    good = client.post("/account/time-zone", data={"csrf_token": token, "time_zone": "Asia/Shanghai"})
    assert good.status_code == 200 and 'value="Asia/Shanghai"' in good.text
