"""Rotating the key that encrypts mailbox secrets (``atiende keys rotate``).

With the keys in ``<data dir>/encryption_keys``: a new key is put first (the old ones are
still accepted, so every process keeps reading while the rotation runs), every stored secret
is encrypted again with it, then the old keys are dropped. With the keys in
``ATIENDE_ENCRYPTION_KEY``, the operator puts the new key first there; the rotation
re-encrypts every secret with it and says when the old ones can be removed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.messaging import crypto
from atiende.messaging.models import Mailbox

SECRET_COLUMNS = ("imap_secret", "smtp_secret")


class RotationFailed(Exception):
    """A stored secret could not be read with any key; nothing was dropped."""


@dataclass(frozen=True)
class Rotation:
    secrets: int  # stored secrets encrypted again
    new_key_written: bool  # False when the keys live in the environment
    old_keys_dropped: int


def rotate_keys(*, keep_old: bool = False) -> Rotation:
    """Encrypt every stored secret with a new key; the old keys go unless ``keep_old``."""
    if crypto.from_environment():
        return Rotation(reencrypt_all(), new_key_written=False, old_keys_dropped=0)
    old = crypto.configured_keys()
    new = crypto.new_key()
    write_keys([new, *old])
    count = reencrypt_all()
    if not keep_old:
        write_keys([new])
    return Rotation(count, new_key_written=True, old_keys_dropped=0 if keep_old else len(old))


@transaction.atomic
def reencrypt_all() -> int:
    """Every mailbox secret encrypted again with the newest key; all or none."""
    count = 0
    for mailbox in Mailbox.objects.select_for_update().order_by("pk"):
        changed: list[str] = []
        for column in SECRET_COLUMNS:
            token = getattr(mailbox, column)
            if not token:
                continue
            try:
                setattr(mailbox, column, crypto.reencrypt(token))
            except crypto.SecretUnreadable:
                raise RotationFailed(
                    _("The stored password of mailbox %(address)s cannot be read with any key.")
                    % {"address": mailbox.address}
                ) from None
            changed.append(column)
        if changed:
            mailbox.save(update_fields=changed)
            count += len(changed)
    return count


def write_keys(keys: list[str]) -> None:
    """Replace the key file at once (0600): readers see the old file or the new, never half."""
    path = crypto.key_file()
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write("".join(f"{key}\n" for key in keys))
            file.flush()
            os.fsync(file.fileno())
        os.replace(aside, path)
    except BaseException:
        os.unlink(aside)
        raise
