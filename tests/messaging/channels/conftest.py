"""Fixtures of the channel tests: the fake provider APIs on loopback (see `fake_http`)."""

from tests.messaging.channels.fake_graph import fake_graph
from tests.messaging.channels.fake_telegram import telegram_api_fixture
from tests.messaging.channels.fake_twilio import twilio_api_fixture

__all__ = ["fake_graph", "telegram_api_fixture", "twilio_api_fixture"]
