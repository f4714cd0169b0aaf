"""The app's tables, one module per part; each is imported here so Django finds it."""

from atiende.automation.models.assignment import GroupAssignment, Strategy

__all__ = ["GroupAssignment", "Strategy"]
