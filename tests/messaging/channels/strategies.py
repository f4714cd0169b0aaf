"""What the property tests of the receive-only readers share: any JSON value, the settings
they run with, and what one read gives."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from atiende.messaging.channels.contract import (
    AccountConfig,
    Event,
    Incoming,
    PayloadError,
    Receiver,
)

# Any JSON value (no NaN, which JSON cannot write), a few levels deep.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(
    receiver: Receiver, config: AccountConfig, incoming: Incoming
) -> list[Event] | PayloadError:
    """What reading gives: events, or the ``PayloadError`` (any other exception escapes)."""
    try:
        return receiver.read(config, incoming)
    except PayloadError as error:
        return error
