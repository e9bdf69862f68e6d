"""C.8 cases 25-29: cookies, a class behind one NAT, login bursts, spoofed headers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests import classroom as cr
from tests import web
from webapp import auth
from webapp.security import HSTS


def test_case_26_cookie_flags_on_a_plain_http_lan(client: FlaskClient) -> None:
    """C.8 case 26: by default HttpOnly, SameSite=Lax, not Secure, no HSTS."""
    resp = client.get("/quizzes/sample")
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("interwar_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Strict-Transport-Security" not in resp.headers


def test_case_26_secure_cookies_switch_gives_host_prefix_secure_and_hsts(
    make_app: Any,
) -> None:
    """C.8 case 26: SECURE_COOKIES makes the cookie __Host-, Secure; adds HSTS."""
    app = make_app(SECURE_COOKIES=True)
    client = app.test_client()
    resp = client.get("/quizzes/sample", base_url="https://localhost")
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("__Host-interwar_session=")
    assert "; Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie
    assert resp.headers["Strict-Transport-Security"] == HSTS


def test_case_26_secure_cookies_from_the_environment(
    make_app: Any, monkeypatch: Any
) -> None:
    """C.8 case 26: INTERWAR_SECURE_COOKIES=true turns the switch on."""
    monkeypatch.setenv("INTERWAR_SECURE_COOKIES", "true")
    app = make_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-interwar_session"


def test_case_27_a_class_behind_one_address_joins_and_the_throttle_says_when(
    app: Flask,
) -> None:
    """C.8 case 27: 30 students from one IP join; a throttled account: Retry-After."""
    teacher = app.test_client()
    cr.add_teacher(app)
    cr.sign_in(teacher)
    class_id = cr.create_class(teacher)
    code = cr.join_code(app, class_id)
    for i in range(30):
        student = app.test_client()  # every test client is 127.0.0.1
        resp = cr.join(student, code, f"Student {i}")
        assert resp.status_code == 302, web.html(resp)
    outsider = app.test_client()
    page = web.html(outsider.get("/teacher/login"))
    form = {"csrf_token": cr.token(page), "email": "teacher@example.org"}
    codes = []
    for i in range(20):
        data = {**form, "password": f"x{i}"}
        codes.append(outsider.post("/teacher/login", data=data))
    assert codes[-1].status_code == 429
    assert int(codes[-1].headers["Retry-After"]) > 0
    # The address is not blocked: the teacher's own browser signs in elsewhere.
    cr.add_teacher(app, "colleague@example.org")
    cr.sign_in(app.test_client(), "colleague@example.org")


def test_case_28_thirty_simultaneous_real_argon2_logins_all_succeed(
    make_app: Any,
) -> None:
    """C.8 case 28: 30 concurrent sign-ins with the production argon2 profile work."""
    app = make_app(PASSWORD_HASH_CHEAP=False)
    with app.app_context():
        auth.add_teacher("burst@example.org", cr.PASSWORD)
        stored = auth.authenticate("burst@example.org", cr.PASSWORD).password_hash
    assert "m=65536" in stored  # the real cost, not the test profile

    def sign_in(_: int) -> int:
        client = app.test_client()
        page = web.html(client.get("/teacher/login"))
        resp = client.post(
            "/teacher/login",
            data={
                "csrf_token": cr.token(page),
                "email": "burst@example.org",
                "password": cr.PASSWORD,
            },
        )
        return resp.status_code

    # Timing belongs to a benchmark; this asserts that the burst completes whole.
    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(sign_in, range(30)))
    assert codes == [302] * 30


def test_case_29_spoofed_x_forwarded_for_changes_nothing_by_default(
    make_app: Any,
) -> None:
    """C.8 case 29: a client's X-Forwarded-For neither moves the throttle nor the IP."""
    app = make_app()
    seen: list[str | None] = []

    @app.get("/_test/remote")
    def _remote() -> str:
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    cr.add_teacher(app)
    client = app.test_client()
    page = web.html(client.get("/teacher/login"))
    form = {"csrf_token": cr.token(page), "email": "teacher@example.org"}
    codes = [
        client.post(
            "/teacher/login",
            data={**form, "password": f"wrong {i}"},
            headers={"X-Forwarded-For": f"10.0.{i}.{i}"},
        ).status_code
        for i in range(6)
    ]
    # Each try claims another address; the account is throttled all the same.
    assert codes[-2:] == [429, 429]
    app.test_client().get("/_test/remote", headers={"X-Forwarded-For": "6.6.6.6"})
    assert seen == ["127.0.0.1"]


def test_case_29_proxy_hops_trust_only_the_configured_proxy(make_app: Any) -> None:
    """C.8 case 29: with PROXY_HOPS=1 only the address the proxy appended counts."""
    app = make_app(PROXY_HOPS=1)
    seen: list[str | None] = []

    @app.get("/_test/remote")
    def _remote() -> str:
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    # The client forged the first entry; the proxy appended the real one.
    app.test_client().get(
        "/_test/remote", headers={"X-Forwarded-For": "6.6.6.6, 192.0.2.7"}
    )
    assert seen == ["192.0.2.7"]
