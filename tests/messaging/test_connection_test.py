"""“Test connection” against real servers on loopback: each failure pinned to its step."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from atiende.messaging.connection_test import check_mailbox
from atiende.messaging.models import AfterFetch, InboundMethod, Mailbox, Security

USER, PASSWORD = "mailer", "s3cret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost / 127.0.0.1: (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


class Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)


def smtp_server(**options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtp_with_auth() -> Iterator[int]:
    yield from smtp_server(authenticator=authenticator, auth_require_tls=False)


@pytest.fixture
def smtp_without_auth() -> Iterator[int]:
    yield from smtp_server()


@pytest.fixture
def smtp_starttls(certificate: tuple[Path, Path]) -> Iterator[int]:
    yield from smtp_server(
        tls_context=server_context(certificate),
        authenticator=authenticator,
        require_starttls=True,
    )


@pytest.fixture
def smtp_implicit_tls(certificate: tuple[Path, Path]) -> Iterator[int]:
    yield from smtp_server(
        ssl_context=server_context(certificate),
        authenticator=authenticator,
        auth_require_tls=False,
    )


def mailbox(**fields: Any) -> Mailbox:
    """An unsaved mailbox: the check reads settings only."""
    values: dict[str, Any] = {
        "address": "support@example.com",
        "inbound_method": InboundMethod.UPLOAD,
        "smtp_host": "127.0.0.1",
        "smtp_security": Security.NONE,
        "smtp_username": USER,
    }
    password = fields.pop("smtp_password", PASSWORD)
    imap_password = fields.pop("imap_password", "")
    values.update(fields)
    box = Mailbox(**values)
    box.smtp_password = password
    box.imap_password = imap_password
    return box


def steps(report: Any) -> list[tuple[str, bool]]:
    return [(step.name, step.ok) for step in report.steps]


def test_smtp_success(smtp_with_auth: int) -> None:
    report = check_mailbox(mailbox(smtp_port=smtp_with_auth))
    assert report.ok, report.as_dict()
    assert steps(report) == [
        ("inbound", True),
        ("smtp.dns", True),
        ("smtp.connect", True),
        ("smtp.login", True),
    ]
    assert report.steps[-1].message == f"Signed in as {USER}."


def test_smtp_wrong_password(smtp_with_auth: int) -> None:
    report = check_mailbox(mailbox(smtp_port=smtp_with_auth, smtp_password="wrong"))
    assert not report.ok
    failed = report.failed
    assert failed is not None and failed.name == "smtp.login"
    assert "rejected the user name or password" in failed.message
    assert "535" in failed.message  # the server's own words are passed on


def test_smtp_auth_not_offered(smtp_without_auth: int) -> None:
    report = check_mailbox(mailbox(smtp_port=smtp_without_auth))
    failed = report.failed
    assert failed is not None and failed.name == "smtp.login"
    assert "does not support SMTP AUTH" in failed.message


def test_smtp_without_user_does_not_sign_in(smtp_without_auth: int) -> None:
    report = check_mailbox(mailbox(smtp_port=smtp_without_auth, smtp_username=""))
    assert report.ok
    assert "without signing in" in report.steps[-1].message


def test_connection_refused() -> None:
    port = free_port()  # nothing listens there any more
    report = check_mailbox(mailbox(smtp_port=port))
    failed = report.failed
    assert failed is not None and failed.name == "smtp.connect"
    assert "refused" in failed.message and str(port) in failed.message


def test_dns_failure() -> None:
    report = check_mailbox(mailbox(smtp_host="no-such-host.invalid", smtp_port=25))
    failed = report.failed
    assert failed is not None and failed.name == "smtp.dns"
    assert "no-such-host.invalid" in failed.message


def test_starttls_not_offered(smtp_with_auth: int) -> None:
    report = check_mailbox(mailbox(smtp_port=smtp_with_auth, smtp_security=Security.STARTTLS))
    failed = report.failed
    assert failed is not None and failed.name == "smtp.starttls"
    assert "does not offer STARTTLS" in failed.message


def test_starttls_with_a_self_signed_certificate(smtp_starttls: int) -> None:
    report = check_mailbox(mailbox(smtp_port=smtp_starttls, smtp_security=Security.STARTTLS))
    failed = report.failed
    assert failed is not None and failed.name == "smtp.starttls"
    assert "certificate is not trusted" in failed.message
    assert "self-signed" in failed.message or "self signed" in failed.message


def test_tls_port_with_a_self_signed_certificate(smtp_implicit_tls: int) -> None:
    report = check_mailbox(mailbox(smtp_port=smtp_implicit_tls, smtp_security=Security.TLS))
    failed = report.failed
    assert failed is not None and failed.name == "smtp.tls"
    assert "certificate is not trusted" in failed.message


def test_tls_trusted_through_the_mail_ca_file(
    smtp_implicit_tls: int,
    certificate: tuple[Path, Path],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.ATIENDE_MAIL_CA_FILE = str(certificate[0])
    monkeypatch.setenv("ATIENDE_MAIL_CA_FILE", str(certificate[0]))
    report = check_mailbox(
        mailbox(smtp_host="localhost", smtp_port=smtp_implicit_tls, smtp_security=Security.TLS)
    )
    assert report.ok, report.as_dict()
    assert ("smtp.tls", True) in steps(report)


def test_tls_on_a_plain_port(smtp_with_auth: int) -> None:
    report = check_mailbox(mailbox(smtp_port=smtp_with_auth, smtp_security=Security.TLS))
    failed = report.failed
    assert failed is not None and failed.name == "smtp.tls"
    assert "TLS" in failed.message


def test_imap_refused_and_not_an_imap_server(smtp_with_auth: int) -> None:
    closed = free_port()
    box = mailbox(
        inbound_method=InboundMethod.IMAP,
        imap_host="127.0.0.1",
        imap_port=closed,
        imap_security=Security.NONE,
        imap_username="u",
        imap_password="p",
        smtp_host="",
    )
    report = check_mailbox(box)
    assert steps(report) == [
        ("imap.dns", True),
        ("imap.connect", False),
        ("smtp.settings", True),
    ]
    box.imap_port = smtp_with_auth  # an SMTP server where IMAP is expected
    report = check_mailbox(box, timeout=2)
    failed = report.failed
    assert failed is not None and failed.name == "imap.greeting"
    assert "IMAP" in failed.message


def test_unreadable_stored_password(smtp_with_auth: int) -> None:
    box = mailbox(smtp_port=smtp_with_auth)
    box.smtp_secret = "gAAAAA-not-a-token"
    failed = check_mailbox(box).failed
    assert failed is not None and failed.name == "smtp.login"
    assert "cannot be decrypted" in failed.message


@pytest.mark.django_db
def test_imap_against_dovecot(imap_account: Any) -> None:
    """STARTTLS and TLS ports, login, folders; one account (the fixture's per-test cost)."""
    server = imap_account.server
    imap_account.create_folder("Done")
    for security, port in (
        (Security.STARTTLS, server.starttls_port),
        (Security.TLS, server.tls_port),
    ):
        box = mailbox(
            inbound_method=InboundMethod.IMAP,
            imap_host="localhost",
            imap_port=port,
            imap_security=security,
            imap_username=imap_account.user,
            imap_password=imap_account.password,
            imap_folder="INBOX",
            imap_after_fetch=AfterFetch.MOVE,
            imap_move_to="Done",
            smtp_host="",
        )
        report = check_mailbox(box)
        assert report.ok, report.as_dict()
        tls_step = "imap.starttls" if security == Security.STARTTLS else "imap.tls"
        assert [name for name, _ok in steps(report)] == [
            "imap.dns",
            "imap.connect",
            tls_step,
            "imap.login",
            "imap.folder",
            "imap.move_folder",
            "smtp.settings",
        ]

    box.imap_move_to = "No such folder"
    failed = check_mailbox(box).failed
    assert failed is not None and failed.name == "imap.move_folder"
    assert "No such folder" in failed.message

    box.imap_password = "wrong"
    failed = check_mailbox(box).failed
    assert failed is not None and failed.name == "imap.login"
    assert "rejected the user name or password" in failed.message

    box.imap_security = Security.NONE  # the TLS port spoken to in plain text
    failed = check_mailbox(box, timeout=2).failed
    assert failed is not None and failed.name == "imap.greeting"


@pytest.mark.django_db
def test_imap_certificate_not_trusted_without_the_authority(dovecot: Any, settings: Any) -> None:
    settings.ATIENDE_MAIL_CA_FILE = ""
    box = mailbox(
        inbound_method=InboundMethod.IMAP,
        imap_host="localhost",
        imap_port=dovecot.tls_port,
        imap_security=Security.TLS,
        imap_username="nobody",
        imap_password="x",
        smtp_host="",
    )
    failed = check_mailbox(box).failed
    assert failed is not None and failed.name == "imap.tls"
    assert "certificate is not trusted" in failed.message
