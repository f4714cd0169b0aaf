"""Real mail servers on loopback for the email tests: a private dovecot and SMTP sinks.

`Dovecot` starts Debian's dovecot (``ATIENDE_DOVECOT``, default ``/usr/sbin/dovecot``) as the
current user with its own configuration in a temporary directory: passwd-file accounts,
Maildir storage, IMAP with STARTTLS on one port and implicit TLS on another, and a
certificate signed by a throw-away authority the test writes (`TestCertificates`). Without
the binary the IMAP tests skip with the reason (``scripts/ensure-dovecot`` installs it); under
``CI=true`` they fail instead.

`SmtpSink` is an aiosmtpd server that records what it accepts and can be told to answer a
4xx/5xx or to be down (stopped, its port refusing connections).
"""

from __future__ import annotations

import datetime
import grp
import imaplib
import ipaddress
import itertools
import logging
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from atiende.runner import _die_with_parent

DOVECOT = os.environ.get("ATIENDE_DOVECOT", "/usr/sbin/dovecot")
# aiosmtpd logs every connection at INFO from its server thread, sometimes after pytest has
# closed the stream the log handler writes to.
logging.getLogger("mail.log").setLevel(logging.WARNING)
START_TIMEOUT = 20.0
ACCOUNTS = 1000
_accounts = itertools.count(0)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class TestCertificates:
    """A certificate authority and a server certificate for localhost / 127.0.0.1."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    __test__ = False  # not a test class

    @classmethod
    def create(cls, directory: Path) -> TestCertificates:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atiende test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        directory.mkdir(parents=True, exist_ok=True)
        made = cls(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
        made.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        made.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        made.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        made.key_file.chmod(0o600)
        return made

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        return context


@dataclass
class ImapAccount:
    server: Dovecot
    user: str
    password: str

    def client(self) -> imaplib.IMAP4:
        """A STARTTLS connection logged in as this account (for putting mail in place)."""
        client = imaplib.IMAP4("127.0.0.1", self.server.starttls_port, timeout=10)
        client.starttls(ssl_context=self.server.certs.client_context())
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            typ, data = client.append(f'"{folder}"', "", None, raw)
            assert typ == "OK", data
        finally:
            client.logout()

    def create_folder(self, folder: str) -> None:
        client = self.client()
        try:
            client.create(f'"{folder}"')
        finally:
            client.logout()

    def messages(self, folder: str = "INBOX") -> list[tuple[set[str], bytes]]:
        """Every message still in ``folder`` (expunged ones are gone), with its flags."""
        client = self.client()
        try:
            typ, _data = client.select(f'"{folder}"')
            assert typ == "OK", _data
            typ, data = client.uid("SEARCH", "ALL")
            found = []
            for uid in (data[0] or b"").split():
                typ, fetched = client.uid("FETCH", uid.decode(), "(FLAGS BODY.PEEK[])")
                head = fetched[0][0].decode() if isinstance(fetched[0], tuple) else ""
                flags = set(head.split("FLAGS (", 1)[1].split(")", 1)[0].split())
                found.append((flags, fetched[0][1]))
            return found
        finally:
            client.logout()


@dataclass
class Dovecot:
    """A private dovecot: ``starttls_port`` (IMAP + STARTTLS) and ``tls_port`` (IMAPS)."""

    directory: Path
    certs: TestCertificates
    starttls_port: int = 0
    tls_port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def available(cls) -> str:
        """Empty when dovecot can run here, else why not."""
        if not os.access(DOVECOT, os.X_OK):
            return f"{DOVECOT} is missing (scripts/ensure-dovecot installs it)"
        return ""

    def start(self) -> None:
        self.starttls_port, self.tls_port = free_port(), free_port()
        for sub in ("run", "state", "mail"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        # All accounts exist before dovecot starts: it re-reads a changed passwd file only
        # now and then, so an account added while it runs may not be known yet.
        (self.directory / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in self._accounts())
        )
        if os.getuid() == 0:  # dovecot's auth process (user dovecot) reads the passwd file
            self.directory.chmod(0o711)
            (self.directory / "passwd").chmod(0o644)
            owner = pwd.getpwnam("dovecot")  # dovecot never gives mail access as uid 0
            os.chown(self.directory / "mail", owner.pw_uid, owner.pw_gid)
        config = self.directory / "dovecot.conf"
        config.write_text(self._config())
        log = (self.directory / "dovecot.out").open("wb")
        self.process = subprocess.Popen(  # the system's dovecot, our config
            [DOVECOT, "-F", "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            # A test process killed outright (xdist stopping on -x) takes dovecot with it.
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        try:
            wait_for_port(self.starttls_port)
            wait_for_port(self.tls_port)
        except RuntimeError as error:
            self.stop()
            raise RuntimeError(f"{error}; dovecot said:\n{self.log_tail()}") from None

    def _config(self) -> str:
        d = self.directory
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        root = os.getuid() == 0
        # As root dovecot drops to its own unprivileged users; as anyone else it runs
        # every service as that user.
        login_user = "dovenull" if root else user
        internal_user = "dovecot" if root else user
        internal_group = "dovecot" if root else group
        mail_uid, mail_gid = (
            (pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid)
            if root
            else (os.getuid(), os.getgid())
        )
        return f"""
instance_name = atiende-test-{self.starttls_port}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.certs.cert_file}
ssl_key = <{self.certs.key_file}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u/Maildir
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={d}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

    @staticmethod
    def _accounts() -> Iterator[tuple[str, str]]:
        for n in range(ACCOUNTS):
            yield f"user{n}", f"pw-{n}-{os.getpid()}"

    def add_account(self) -> ImapAccount:
        """The next unused account (each test gets an empty mailbox of its own)."""
        n = next(_accounts)
        if n >= ACCOUNTS:
            raise RuntimeError(f"more than {ACCOUNTS} IMAP accounts in one test run")
        return ImapAccount(self, f"user{n}", f"pw-{n}-{os.getpid()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        texts = []
        for name in ("dovecot.out", "dovecot.log"):
            path = self.directory / name
            if path.exists():
                texts.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(texts)


def start_dovecot(directory: Path) -> Dovecot:
    """A running dovecot, or a skip (a failure under CI) naming what is missing."""
    missing = Dovecot.available()
    if missing:
        if in_ci():
            pytest.fail(f"IMAP tests need dovecot under CI=true: {missing}")
        pytest.skip(f"IMAP tests skipped: {missing}")
    server = Dovecot(directory, TestCertificates.create(directory / "tls"))
    server.start()
    return server


# --- SMTP sink ----------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> Message:
        return message_from_bytes(self.raw)


@dataclass
class SmtpSink:
    """An SMTP server that keeps what it accepts; ``answer`` makes it refuse instead.

    ``answer = "451 4.3.0 Try later"`` refuses every message at DATA; ``stop()`` takes it
    down (connections refused) and ``start()`` brings it back on the same port.
    """

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    answer: str = ""
    rcpt_answer: str = ""
    controller: Controller | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.answer:
            return self.answer
        self.received.append(
            Received(
                str(envelope.mail_from), list(envelope.rcpt_tos), envelope.original_content or b""
            )
        )
        return "250 2.0.0 Stored"

    def start(self) -> SmtpSink:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def up(self) -> bool:
        return self.controller is not None

    def by_message_id(self) -> dict[str, list[Received]]:
        found: dict[str, list[Received]] = {}
        for item in self.received:
            found.setdefault(str(item.message["Message-ID"]).strip("<>"), []).append(item)
        return found


# --- fixtures (registered in tests/messaging/conftest.py) ---------------------------------


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One private dovecot per test process; each test takes its own account.

    Its directory is made directly in the system's temporary directory: pytest keeps its own
    base directory private (0700), where dovecot's unprivileged processes could not read.
    """
    directory = Path(tempfile.mkdtemp(prefix="atiende-dovecot-"))
    try:
        server = start_dovecot(directory)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def imap_account(dovecot: Dovecot, settings: Any) -> ImapAccount:
    """A fresh, empty IMAP account; our IMAP client trusts the test's authority."""
    settings.ATIENDE_MAIL_CA_FILE = str(dovecot.certs.ca_file)
    return dovecot.add_account()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A running SMTP sink on a free loopback port."""
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@contextmanager
def inbound_writes_refused() -> Iterator[None]:
    """Make the database refuse every new `InboundMessage` (a full disk, a lost server).

    A trigger, not a mock: the write really fails inside the database, on SQLite and
    PostgreSQL alike, for every connection.
    """
    from django.db import connection

    table = "messaging_inboundmessage"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION atiende_test_refuse() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'test: inbound writes refused'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER atiende_test_refuse BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION atiende_test_refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER atiende_test_refuse BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'test: inbound writes refused'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS atiende_test_refuse ON {table}")
                cursor.execute("DROP FUNCTION IF EXISTS atiende_test_refuse()")
            else:
                cursor.execute("DROP TRIGGER IF EXISTS atiende_test_refuse")
