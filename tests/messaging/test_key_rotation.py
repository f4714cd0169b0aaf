"""The key of mailbox secrets: its own (not SECRET_KEY), kept 0600, and rotated by a command
that keeps every stored secret readable."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from atiende.cli import main
from atiende.messaging import crypto, mailboxes
from atiende.messaging.key_rotation import RotationFailed, rotate_keys
from atiende.messaging.models import Mailbox
from tests.factories import make_admin, make_group, web

pytestmark = pytest.mark.django_db

SMTP = {"smtp_host": "smtp.example.com", "smtp_username": "soporte", "smtp_password": "smtp-pw"}


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(crypto.ENV_VAR, raising=False)
    settings.DATA_DIR = tmp_path
    return tmp_path


def make_mailbox(address: str = "soporte@example.com") -> Mailbox:
    return mailboxes.create_mailbox(
        web(make_admin()),
        group_id=make_group().pk,
        address=address,
        inbound_method="imap",
        imap_host="imap.example.com",
        imap_username="soporte",
        imap_password="imap-pw",
        **SMTP,
    )


def readable_with(key: str, token: str) -> str:
    return Fernet(key.encode()).decrypt(token.encode()).decode()


def test_the_key_is_generated_once_0600_and_is_not_the_secret_key(
    data_dir: Path, settings: Any
) -> None:
    box = make_mailbox()

    kept = data_dir / crypto.KEY_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    [key] = kept.read_text().split()
    assert readable_with(key, box.imap_secret) == "imap-pw"
    settings.SECRET_KEY = "another-secret-key-entirely"  # sessions reset, secrets survive
    box.refresh_from_db()
    assert (box.imap_password, box.smtp_password) == ("imap-pw", "smtp-pw")


def test_a_rotation_keeps_every_secret_readable_under_the_new_key_only(data_dir: Path) -> None:
    first, second = make_mailbox(), make_mailbox("ventas@example.com")
    [old] = (data_dir / crypto.KEY_FILE).read_text().split()

    done = rotate_keys()

    [new] = (data_dir / crypto.KEY_FILE).read_text().split()
    assert new != old
    assert (done.secrets, done.old_keys_dropped) == (4, 1)
    assert stat.S_IMODE((data_dir / crypto.KEY_FILE).stat().st_mode) == 0o600
    for box in (first, second):
        box.refresh_from_db()
        assert readable_with(new, box.imap_secret) == "imap-pw"
        assert readable_with(new, box.smtp_secret) == "smtp-pw"
        assert box.imap_password == "imap-pw"
    assert sorted(p.name for p in data_dir.iterdir()) == [crypto.KEY_FILE]


def test_the_old_key_is_still_accepted_while_rotating(data_dir: Path) -> None:
    box = make_mailbox()
    token_under_old_key = box.imap_secret

    done = rotate_keys(keep_old=True)

    assert done.old_keys_dropped == 0
    assert len((data_dir / crypto.KEY_FILE).read_text().split()) == 2
    assert crypto.decrypt(token_under_old_key) == "imap-pw"  # e.g. read by a slower process


def test_secrets_from_before_the_separate_key_are_read_and_rotated(settings: Any) -> None:
    box = make_mailbox()
    derived = hashlib.sha256(b"atiende-secrets:" + settings.SECRET_KEY.encode()).digest()
    legacy = Fernet(base64.urlsafe_b64encode(derived)).encrypt(b"legacy-pw").decode()
    Mailbox.objects.filter(pk=box.pk).update(imap_secret=legacy)

    rotate_keys()

    box.refresh_from_db()
    assert box.imap_password == "legacy-pw"
    assert box.imap_secret != legacy


def test_keys_from_the_environment_rotate_to_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(crypto.ENV_VAR, old)
    box = make_mailbox()
    monkeypatch.setenv(crypto.ENV_VAR, f"{new},{old}")

    done = rotate_keys()

    assert not done.new_key_written
    box.refresh_from_db()
    assert readable_with(new, box.imap_secret) == "imap-pw"


def test_an_unreadable_secret_stops_the_rotation_and_drops_no_key(data_dir: Path) -> None:
    box = make_mailbox()
    foreign = Fernet(Fernet.generate_key()).encrypt(b"x").decode()
    Mailbox.objects.filter(pk=box.pk).update(smtp_secret=foreign)
    [old] = (data_dir / crypto.KEY_FILE).read_text().split()

    with pytest.raises(RotationFailed, match=r"soporte@example\.com"):
        rotate_keys()

    assert old in (data_dir / crypto.KEY_FILE).read_text().split()
    box.refresh_from_db()
    assert readable_with(old, box.imap_secret) == "imap-pw"  # rolled back, all or none


def test_the_command_rotates_and_says_what_it_did(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_mailbox()

    assert main(["keys", "rotate"]) == 0

    out = capsys.readouterr().out
    assert "Encrypted 2 stored secrets" in out
    assert "Dropped 1 old keys" in out
    assert main(["keys", "spin"]) == 2
    assert "invalid choice" in capsys.readouterr().err
