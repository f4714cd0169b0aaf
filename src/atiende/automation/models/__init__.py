"""The app's tables, one module per part; each is imported here so Django finds it."""

from atiende.automation.models.triggers import TimedCondition, TimedRule, TimedRuleDue, Trigger

__all__ = ["TimedCondition", "TimedRule", "TimedRuleDue", "Trigger"]
