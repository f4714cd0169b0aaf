"""Triggers, time-based rules, macros, auto-replies and assignment strategies (issue 14).

The top of the domain apps: rules act through ``tickets.services`` like any agent, with
``Actor(user=None, source=Source.RULE, detail="rule:<id>")``."""
