"""Time-based rules: "pending for 2 days", "solved for 4 days", run over due timestamps.

Each rule waits on a state with a start and an end (an episode). In-transaction subscribers
keep one ``TimedRuleDue`` row per rule and ticket: its ``due_at`` is set when the state starts
and cleared when it ends or the rule fires, so the minute sweep reads only the due rows
through an index, never all tickets, and a rule fires once per episode.
"""
