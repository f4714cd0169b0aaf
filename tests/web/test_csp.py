"""Security headers: a nonce-based Content-Security-Policy on every page, and its one widening.

The scan at the end holds the whole class: no template carries an inline script, style or
event handler that the policy would block (or that would need ``'unsafe-inline'``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from atiende.outbox.tasks import deliver_due_effects
from atiende.web.csp import ContentSecurityPolicyMiddleware, allow_remote_images
from tests.factories import make_admin, make_agent, make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "atiende"
NONCE_RE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


def policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "page", ["login", "home", "inbox", "ticket", "ticket-new", "admin", "missing", "api-docs"]
)
def test_every_page_carries_the_policy(client: Client, page: str) -> None:
    admin = make_admin()
    ticket = make_ticket()
    client.force_login(admin)
    if page == "login":
        client.logout()
    urls = {
        "ticket": reverse("ticket", args=[ticket.pk]),
        "admin": "/admin/",
        "missing": "/no-such-page/",
        "api-docs": "/api/v1/docs",
        "inbox": "/inbox/",
    }
    response = client.get(urls.get(page) or reverse(page), follow=True)

    assert response.status_code in (200, 404)
    rules = policy(response)
    assert rules["default-src"] == ["'self'"]
    assert rules["img-src"] == ["'self'", "data:"]
    assert rules["object-src"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in rules[directive]
        assert "'unsafe-eval'" not in rules[directive]
        assert "'self'" in rules[directive]


def test_the_workspace_nonce_is_the_responses_and_changes_per_response(client: Client) -> None:
    client.force_login(make_agent())

    first = client.get("/inbox/")
    second = client.get("/inbox/")

    nonces = []
    for response in (first, second):
        match = NONCE_RE.search(response.headers["Content-Security-Policy"])
        assert match is not None
        assert f'"inlineStyleNonce": "{match[1]}"' in response.content.decode()
        nonces.append(match[1])
    assert nonces[0] != nonces[1]


def test_remote_images_are_allowed_only_in_the_widened_response(settings: Any) -> None:
    @allow_remote_images
    def with_images(request: HttpRequest) -> HttpResponse:
        return HttpResponse("<img src='https://tracker.example/p.gif'>")

    def plain(request: HttpRequest) -> HttpResponse:
        return HttpResponse("")

    request = RequestFactory().get("/")
    widened = ContentSecurityPolicyMiddleware(with_images)(request)
    normal = ContentSecurityPolicyMiddleware(plain)(RequestFactory().get("/"))

    assert policy(widened)["img-src"] == ["'self'", "data:", "https:", "http:"]
    assert policy(normal)["img-src"] == ["'self'", "data:"]
    assert settings.SECURE_CSP["img-src"] == ["'self'", "data:"]  # the setting is untouched


@pytest.mark.parametrize(("secure", "scheme"), [(False, "ws"), (True, "wss")])
def test_the_live_socket_on_its_own_port_may_be_reached(
    settings: Any, secure: bool, scheme: str
) -> None:
    settings.ATIENDE_LIVE_PORT = 8001
    request = RequestFactory().get("/", secure=secure, HTTP_HOST="help.example.com:8000")
    settings.ALLOWED_HOSTS = ["help.example.com"]

    response = ContentSecurityPolicyMiddleware(lambda r: HttpResponse(""))(request)

    assert policy(response)["connect-src"] == ["'self'", f"{scheme}://help.example.com:8001"]


def test_hsts_and_secure_cookies_follow_the_settings(client: Client, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    make_agent(email="a@example.com")

    response = client.get(reverse("login"), secure=True)

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert response.headers["Referrer-Policy"] == "same-origin"


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"  # inline script
    r"|<style\b"  # inline style sheet
    r"|\sstyle=\"|\son[a-z]+=\"|javascript:|\shx-on"  # attributes the policy blocks
)


def test_no_template_holds_inline_code_the_policy_would_block() -> None:
    offenders = []
    for path in sorted(TEMPLATES.rglob("templates/**/*.html")):
        if "email" in path.parent.parts:
            continue  # a mail body, read in a mail client (styled inline), never under our CSP
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line) and 'nonce="{{ csp_nonce }}"' not in line:
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize(("forwarded", "scheme"), [("https", "https"), ("http", "http")])
def test_behind_the_tls_proxy_links_in_mail_are_https(
    settings: Any, mailoutbox: list[Any], forwarded: str, scheme: str
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    make_agent(email="ana@example.com")

    Client().post(
        reverse("account_reset_password"),
        {"email": "ana@example.com"},
        HTTP_X_FORWARDED_PROTO=forwarded,
        HTTP_HOST="testserver",  # as the proxy passes it (proxy_set_header Host $host)
    )
    deliver_due_effects.call()  # what the worker's sweep does

    [message] = mailoutbox
    assert f"{scheme}://testserver/accounts/password/reset/key/" in message.body
