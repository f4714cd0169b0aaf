"""Fixtures of the end-to-end scenarios: the real SMTP sink of the email tests."""

from tests.messaging.servers import smtp_sink

__all__ = ["smtp_sink"]
