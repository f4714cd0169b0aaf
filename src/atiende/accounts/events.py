"""The people events, declared in ``core.event_types`` (the one catalogue); imported from here
by code written before the catalogue moved. New code imports ``atiende.core.event_types``."""

from atiende.core.event_types import CustomersMerged

__all__ = ["CustomersMerged"]
