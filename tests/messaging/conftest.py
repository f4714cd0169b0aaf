"""Fixtures of the email tests. Real servers on loopback live in `tests.messaging.servers`."""

from tests.messaging.servers import dovecot, imap_account, smtp_sink

__all__ = ["dovecot", "imap_account", "smtp_sink"]
