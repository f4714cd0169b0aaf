"""Fixtures of the channel tests; the fake Graph API lives in `fake_graph`."""

from tests.messaging.channels.fake_graph import fake_graph

__all__ = ["fake_graph"]
