"""Triggers: ordered rules that look at each ticket event and act through the ticket services."""
